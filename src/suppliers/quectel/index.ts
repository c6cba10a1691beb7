export * from './quectel-adapter.js';
export * from './quectel-card-list-file.js';
export * from './quectel-client.js';
export * from './quectel-definition.js';
export * from './quectel-extras.js';
export * from './quectel-notices.js';
export * from './quectel-protocol.js';
export * from './quectel-simulator.js';
export type * from './quectel-wire.js';
