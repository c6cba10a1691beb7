export type { OnelinkV2AdapterOptions } from './onelink-v2-adapter.js';
export {
  createOnelinkV2Adapter,
  ONELINK_V2_SUPPLIER,
  onelinkV2SupplierCard,
} from './onelink-v2-adapter.js';
export type {
  OnelinkV2Answer,
  OnelinkV2Client,
  OnelinkV2ClientOptions,
  OnelinkV2Numbers,
} from './onelink-v2-client.js';
export { createOnelinkV2Client, onelinkV2ApiRoot } from './onelink-v2-client.js';
export type { OnelinkV2Settings } from './onelink-v2-definition.js';
export { onelinkV2Definition } from './onelink-v2-definition.js';
export * from './onelink-v2-protocol.js';
export type { OnelinkV2SigningOptions } from './onelink-v2-signing.js';
export { withOnelinkV2Signing } from './onelink-v2-signing.js';
export { onelinkV2Simulation } from './onelink-v2-simulation.js';
export type { OnelinkV2Simulator, OnelinkV2SimulatorOptions } from './onelink-v2-simulator.js';
export { createOnelinkV2Simulator } from './onelink-v2-simulator.js';
export type { ItemKeyCase, SimulatedCard } from './onelink-v2-simulator-fleet.js';
export {
  lowerCaseKeys,
  type OnelinkV2CardInfo,
  type OnelinkV2Gprs,
  parseOnelinkV2Json,
  unwrapOnelinkV2,
} from './onelink-v2-wire.js';
