export * from './telecom-5g-adapter.js';
export * from './telecom-5g-client.js';
export * from './telecom-5g-definition.js';
export * from './telecom-5g-protocol.js';
export * from './telecom-5g-simulation.js';
export * from './telecom-5g-simulator.js';
