/** Billing cycles live in the domain (`src/domain/billing-cycle.ts`); re-exported for plans. */
export { type BillingCycle, billingCycleOf } from '../../domain/index.js';
