export * from './m2m10086-adapter.js';
export * from './m2m10086-client.js';
export * from './m2m10086-definition.js';
export * from './m2m10086-mapping.js';
export * from './m2m10086-notices.js';
export * from './m2m10086-protocol.js';
export * from './m2m10086-simulator.js';
export * from './m2m10086-wire.js';
