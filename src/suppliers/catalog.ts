import { agentDefinition } from './agent/index.js';
import { m2m10086Definition } from './m2m10086/index.js';
import { onelinkV2Definition } from './onelink-v2/index.js';
import { onelinkV5Definition } from './onelink-v5/index.js';
import { quectelDefinition } from './quectel/index.js';
import { SupplierCatalog, type SupplierDefinition } from './spec/index.js';
import { telecom5gDefinition } from './telecom-5g/index.js';
import { telecomCmpDefinition } from './telecom-cmp/index.js';
import { unicomGwDefinition } from './unicom-gw/index.js';

/** Every supplier type simdock speaks. */
export function createSupplierCatalog(): SupplierCatalog {
  return new SupplierCatalog([
    onelinkV2Definition,
    onelinkV5Definition,
    m2m10086Definition,
    agentDefinition,
    quectelDefinition,
    unicomGwDefinition,
    telecom5gDefinition,
    telecomCmpDefinition,
  ] as SupplierDefinition<never>[]);
}
