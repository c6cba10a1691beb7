export * from './unicom-gw-adapter.js';
export * from './unicom-gw-client.js';
export * from './unicom-gw-definition.js';
export * from './unicom-gw-protocol.js';
export * from './unicom-gw-simulation.js';
export * from './unicom-gw-simulator.js';
export * from './unicom-gw-simulator-state.js';
