export { webhooksRouter } from './webhooks-router.js';
