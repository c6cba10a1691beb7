export * from './batching.js';
export * from './credentials.js';
export * from './fetch-decorators.js';
export * from './registry.js';
export * from './retry.js';
export * from './supplier-error.js';
export * from './supplier-spec.js';
export * from './token-bucket.js';
