import { ERROR_CODES, type ErrorCode, SimdockError } from '../../domain/index.js';
import type { StoredCard } from '../../store/index.js';
import {
  type BulkItem,
  type BulkJob,
  BulkJobsRepository,
} from '../../store/repositories/bulk-repository.js';
import type { SupplierDataCap } from '../../suppliers/spec/index.js';
import { createBulkJob } from '../bulk/bulk-jobs.js';
import { runBulkJob } from '../bulk/bulk-runner.js';
import type { ServiceContext } from '../context.js';
import { readCarrierCap, requireCardExtra } from './carrier-extras.js';

/**
 * A carrier-side data cap (达量断网) change of one card: the bulk job that carried it (audited per
 * card like every bulk action), the card's item, and the cap as the supplier reports it after
 * the change (null when the supplier cannot read caps back, or the read failed: `readError`).
 */
export interface CarrierCapChange {
  job: BulkJob;
  item: BulkItem;
  cap: SupplierDataCap | null;
  readError: { code: string; message: string } | null;
}

function errorCode(code: string | null): ErrorCode {
  return code !== null && (ERROR_CODES as readonly string[]).includes(code)
    ? (code as ErrorCode)
    : 'supplier_rejected';
}

/**
 * Sets, changes (`capBytes`) or cancels (`null`) one card's carrier-side data cap now, as a
 * one-card bulk job, then reads the cap back where the supplier can. A supplier without caps is
 * `unsupported` before any job is made; a card the supplier refused throws its error (the job and
 * its audit record stay).
 */
export async function changeCarrierCap(
  context: ServiceContext,
  card: StoredCard,
  capBytes: number | null,
  actor: string,
): Promise<CarrierCapChange> {
  await requireCardExtra(context, card, 'doSetDataCap');
  const created = await createBulkJob(context, {
    action: capBytes === null ? 'data-cap-cancel' : 'data-cap-set',
    params: capBytes === null ? {} : { capBytes },
    cards: { cardIds: [card.id] },
    actor,
  });
  const summary = await runBulkJob(context, created.job.id);
  const [item] = await new BulkJobsRepository(context.store).items(created.job.id, { limit: 1 });
  if (!item) throw new SimdockError('internal', `job ${created.job.id} holds no card`);
  if (item.state !== 'done') {
    throw new SimdockError(
      errorCode(item.code),
      item.message ?? `the supplier did not change the cap (${item.state})`,
      {
        details: {
          card: card.id,
          job: created.job.id,
          state: item.state,
          ...(item.supplierCode ? { supplierCode: item.supplierCode } : {}),
        },
      },
    );
  }
  let cap: SupplierDataCap | null = null;
  let readError: CarrierCapChange['readError'] = null;
  try {
    cap = await readCarrierCap(context, card);
  } catch (error) {
    if (!SimdockError.isInstance(error)) throw error;
    // A supplier that sets caps but cannot read them back is not a failed change.
    if (error.code !== 'unsupported') readError = { code: error.code, message: error.message };
  }
  return { job: summary.job, item, cap, readError };
}
