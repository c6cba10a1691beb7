export * from './callback-router.js';
