export * from './telecom-cmp-adapter.js';
export * from './telecom-cmp-client.js';
export * from './telecom-cmp-definition.js';
export * from './telecom-cmp-des.js';
export * from './telecom-cmp-protocol.js';
export * from './telecom-cmp-simulation.js';
export * from './telecom-cmp-simulator.js';
