import type { CardStatusValue, Clock } from '../../domain/index.js';
import {
  type CardRef,
  chunk,
  type ItemResult,
  type LifecycleAction,
  SupplierError,
  unsupportedError,
  withRetry,
} from '../spec/index.js';
import type { OnelinkV5Client } from './onelink-v5-client.js';
import {
  mapOnelinkV5Status,
  ONELINK_V5_BATCH_LIMITS,
  ONELINK_V5_JOB_SETTLED,
  ONELINK_V5_SELF_SERVICE_REASON,
  type OnelinkV5BatchOperTypes,
  type OnelinkV5IdKind,
  onelinkV5Error,
} from './onelink-v5-protocol.js';
import { itemFailed, itemId } from './onelink-v5-records.js';

/** The lifecycle actions v5 offers through the batch change, and the status each lands in. */
export const ONELINK_V5_LIFECYCLE: Partial<
  Record<LifecycleAction, { operType: keyof OnelinkV5BatchOperTypes; landsIn: string }>
> = {
  pause: { operType: 'pause', landsIn: '02' },
  resume: { operType: 'resume', landsIn: '00' },
  activate: { operType: 'activate', landsIn: '00' },
};

export interface LifecycleTarget {
  card: CardRef;
  kind: OnelinkV5IdKind;
  id: string;
}

export interface FollowOptions {
  clock: Clock;
  /** Wait between two `query/sim-batch-result` rounds (default 5 s). */
  pollIntervalMs: number;
  /** Give up following a job after this long (default 15 min): its cards fail, not retried. */
  settleTimeoutMs: number;
  abortSignal?: AbortSignal;
}

interface SubmittedJob {
  jobId: string;
  targets: LifecycleTarget[];
  submittedAt: number;
}

/**
 * Pauses, resumes or activates cards through `change/sim-status/batch` (100 per call), then
 * follows every job with `query/sim-batch-result` until it settles. Cards still in their
 * cooldown go last and wait their turn on the clock (the client waits before submitting), so a
 * job is never refused for one locked card. Each card ends with the status it landed in, read
 * back in its own code set, or the supplier's reason for refusing it.
 */
export async function changeStatusInBatches(
  client: OnelinkV5Client,
  action: LifecycleAction,
  targets: LifecycleTarget[],
  options: FollowOptions,
): Promise<{ items: ItemResult<CardStatusValue>[]; bodies: unknown[] }> {
  const plan = ONELINK_V5_LIFECYCLE[action];
  if (!plan) throw unsupportedError('onelink-v5', `lifecycle action "${action}"`);
  const operType = client.batchOperTypes[plan.operType];
  const reason = action === 'activate' ? undefined : ONELINK_V5_SELF_SERVICE_REASON;
  const items: ItemResult<CardStatusValue>[] = [];
  const bodies: unknown[] = [];
  const jobs: SubmittedJob[] = [];

  for (const kind of ['msisdn', 'iccid', 'imsi'] as const) {
    const ofKind = targets
      .filter((target) => target.kind === kind)
      .sort((a, b) => client.cooldown.readyAt(a.id) - client.cooldown.readyAt(b.id));
    for (const part of chunk(ofKind, ONELINK_V5_BATCH_LIMITS.changeSimStatusBatch)) {
      try {
        const answer = await client.changeSimStatusBatch({
          cards: { kind, values: part.map((target) => target.id) },
          operType,
          reason,
          abortSignal: options.abortSignal,
        });
        bodies.push(...answer.bodies);
        jobs.push({ jobId: answer.value.jobId, targets: part, submittedAt: options.clock.now() });
      } catch (error) {
        if (options.abortSignal?.aborted || !SupplierError.isInstance(error)) throw error;
        for (const target of part) items.push({ key: target.card.key, ok: false, error });
      }
    }
  }

  const landed = mapOnelinkV5Status(plan.landsIn);
  const changed: { target: LifecycleTarget; index: number }[] = [];
  for (const job of await followJobs(client, jobs, options, bodies)) {
    const outcomes = new Map(
      job.result.resultList.map((entry) => [itemId(entry, job.targets[0]!.kind), entry]),
    );
    for (const target of job.targets) {
      const outcome = outcomes.get(target.kind === 'iccid' ? target.id.toUpperCase() : target.id);
      if (outcome && itemFailed(outcome)) {
        const error = onelinkV5Error(outcome.itemStatus!, outcome.itemMessage);
        items.push({ key: target.card.key, ok: false, error });
      } else if (outcome || job.result.jobStatus === '2') {
        changed.push({ target, index: items.length });
        items.push({ key: target.card.key, ok: true, value: landed });
      } else {
        items.push({ key: target.card.key, ok: false, error: job.missingError(target) });
      }
    }
  }
  // Read each changed card's status back once its job settled: v5 answers `cardStatus` in two
  // code sets (PROTOCOL-NOTES.md, OneLink v5: `00`–`07` and `1`–`9`), and a card reporting
  // the numeric set lands in `4` (停机), not `02`. The raw code stored is the card's own; when
  // the read fails the normalized status stands without a raw code from the wrong set.
  for (const { target, index } of changed) {
    try {
      const answer = await client.querySimStatus({
        card: { kind: target.kind, value: target.id },
        abortSignal: options.abortSignal,
      });
      bodies.push(...answer.bodies);
      const read = mapOnelinkV5Status(answer.value.cardStatus);
      items[index] = {
        key: target.card.key,
        ok: true,
        value: read.status === landed.status ? read : { status: landed.status, raw: null },
      };
    } catch (error) {
      if (options.abortSignal?.aborted || !SupplierError.isInstance(error)) throw error;
      items[index] = {
        key: target.card.key,
        ok: true,
        value: { status: landed.status, raw: null },
      };
    }
  }
  return { items, bodies };
}

type FollowedJob = SubmittedJob & {
  result: Awaited<ReturnType<OnelinkV5Client['querySimBatchResult']>>['value'];
  missingError: (target: LifecycleTarget) => SupplierError;
};

/** Polls every job until settled or out of time; returns each with its last result. */
async function followJobs(
  client: OnelinkV5Client,
  jobs: SubmittedJob[],
  options: FollowOptions,
  bodies: unknown[],
): Promise<FollowedJob[]> {
  const done: FollowedJob[] = [];
  let pending = jobs;
  while (pending.length > 0) {
    await options.clock.sleep(options.pollIntervalMs, options.abortSignal);
    const still: SubmittedJob[] = [];
    for (const job of pending) {
      const answer = await withRetry(
        () => client.querySimBatchResult({ jobId: job.jobId, abortSignal: options.abortSignal }),
        { clock: options.clock, abortSignal: options.abortSignal },
      );
      bodies.push(...answer.bodies);
      const result = answer.value;
      const settled = ONELINK_V5_JOB_SETTLED.has(result.jobStatus ?? '');
      const expired = options.clock.now() - job.submittedAt >= options.settleTimeoutMs;
      if (!settled && !expired) {
        still.push(job);
        continue;
      }
      done.push({
        ...job,
        result,
        missingError: () =>
          settled
            ? new SupplierError(
                'supplier_rejected',
                `onelink-v5 job ${job.jobId} ended with jobStatus ${result.jobStatus} and no outcome for this card`,
                {
                  supplierCode: result.jobStatus,
                  retryable: false,
                },
              )
            : // Not retryable: resubmitting could change the card twice once the job settles.
              new SupplierError(
                'supplier_timeout',
                `onelink-v5 job ${job.jobId} did not settle in time`,
                {
                  retryable: false,
                  details: { jobId: job.jobId },
                },
              ),
      });
    }
    pending = still;
  }
  return done;
}
