import { createSupplierCatalog } from './catalog.js';
import { describeSupplierConformance } from './spec/supplier-conformance.test-support.js';

// Every supplier of the catalog, without opting in: a new supplier is covered once listed.
for (const definition of createSupplierCatalog().definitions()) {
  describeSupplierConformance(definition);
}
