import type { AuditInput } from '../../store/index.js';
import {
  type BulkItemOutcome,
  type BulkJob,
  BulkJobsRepository,
} from '../../store/repositories/bulk-repository.js';
import { type EventInput, EventOutbox } from '../../store/repositories/event-outbox.js';
import type { ServiceContext } from '../context.js';
import type { BulkTarget } from './bulk-actions.js';

const AUDIT_OUTCOME = { done: 'succeeded', skipped: 'skipped', failed: 'failed' } as const;

/**
 * Writes what became of each card of a bulk job: the item's outcome, the card's new status
 * (with its history row), one audit record per card (who, when, what, outcome) and a
 * `card.status_changed` event when the status changed.
 */
export class BulkRecorder {
  readonly #context: ServiceContext;
  readonly #job: BulkJob;
  readonly #repository: BulkJobsRepository;
  readonly #outbox: EventOutbox;
  /** This run's number, part of event ids so a retry's events are new but never doubled. */
  readonly #run: number;

  constructor(context: ServiceContext, job: BulkJob) {
    this.#context = context;
    this.#job = job;
    this.#repository = new BulkJobsRepository(context.store, () => context.clock.now());
    this.#outbox = new EventOutbox(context.store, () => context.clock.now());
    this.#run = job.runs + 1;
  }

  /** Records outcomes (`pending` ones only reset the item). */
  async record(outcomes: readonly BulkItemOutcome[], targets: Map<number, BulkTarget>) {
    if (outcomes.length === 0) return;
    await this.#repository.settle(outcomes);
    const source = `job:${this.#job.action}`;
    const changed: BulkTarget[] = [];
    for (const outcome of outcomes) {
      const target = targets.get(outcome.id);
      const status = target?.newStatus;
      if (outcome.state !== 'done' || !target || !status) continue;
      if (target.card.status !== status.status || target.card.statusRaw !== status.raw) {
        changed.push(target);
      }
    }
    if (changed.length > 0) {
      await this.#context.store.cards.updateStatuses(
        changed.map((target) => ({
          id: target.card.id,
          status: target.newStatus!.status,
          statusRaw: target.newStatus!.raw,
        })),
        source,
      );
      await this.#emitStatusChanges(
        changed.map((target) => ({
          type: 'card.status_changed' as const,
          eventId: `bulk:${this.#job.id}:${target.card.id}:${this.#run}`,
          subject: target.card.iccid ?? target.card.msisdn ?? String(target.card.id),
          account: target.card.account,
          cardId: target.card.id,
          data: {
            previous: target.card.status,
            status: target.newStatus!.status,
            statusRaw: target.newStatus!.raw,
            source,
            job: this.#job.id,
          },
        })),
      );
      for (const target of changed) {
        target.card.status = target.newStatus!.status;
        target.card.statusRaw = target.newStatus!.raw;
      }
    }
    const now = this.#context.clock.now();
    const rows = outcomes
      .filter((outcome) => outcome.state !== 'pending')
      .map((outcome) => {
        const target = targets.get(outcome.id);
        const entry: AuditInput = {
          actor: this.#job.createdBy,
          action: `cards.${this.#job.action}`,
          targetType: 'card',
          targetId: String(target?.card.id ?? outcome.id),
          account: target?.card.account ?? null,
          outcome: AUDIT_OUTCOME[outcome.state as keyof typeof AUDIT_OUTCOME],
          details: {
            job: this.#job.id,
            run: this.#run,
            ...(outcome.code ? { code: outcome.code } : {}),
            ...(outcome.supplierCode ? { supplierCode: outcome.supplierCode } : {}),
            ...(outcome.message ? { message: outcome.message } : {}),
            ...(outcome.supplierRef ? { supplierRef: outcome.supplierRef } : {}),
          },
        };
        return entry;
      });
    await this.#context.store.audit.recordMany(rows, now);
  }

  /** Writes events a chunk per statement (`EventOutbox.emitMany`): a job may change 10,000 cards. */
  async #emitStatusChanges(events: EventInput[]): Promise<void> {
    await this.#outbox.emitMany(events, this.#context.clock.now());
  }

  /** The job's own audit record and a `job.completed` event. */
  async finished(job: BulkJob): Promise<void> {
    const counts = { total: job.total, done: job.done, skipped: job.skipped, failed: job.failed };
    await this.#context.store.audit.record({
      actor: job.createdBy,
      action: `bulk.${job.action}`,
      targetType: 'job',
      targetId: String(job.id),
      outcome:
        job.state === 'succeeded' ? 'succeeded' : job.state === 'cancelled' ? 'skipped' : 'failed',
      details: { state: job.state, run: this.#run, ...counts },
    });
    await this.#outbox.emit([
      {
        type: 'job.completed',
        eventId: `bulk:${job.id}:finished:${this.#run}`,
        subject: `bulk:${job.id}`,
        data: { job: job.id, kind: 'bulk', action: job.action, state: job.state, ...counts },
      },
    ]);
  }
}
