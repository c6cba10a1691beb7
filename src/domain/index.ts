export * from './card.js';
export * from './clock.js';
export * from './cst.js';
export * from './device.js';
export * from './errors.js';
export * from './identifiers.js';
export * from './status.js';
export * from './units.js';
