import { api, unwrap } from './client.js';
import type { components } from './schema.js';

/** The actions a bulk job carries out on each card (src/services/bulk/bulk-repository.ts). */
export type BulkAction = 'pause' | 'resume' | 'activate' | 'sms';

/** Which cards a job acts on: card ids, or a card filter (src/services/inventory/card-filter.ts). */
export type BulkSelection = components['schemas']['BulkSelection'];

/** A bulk job with its counters, as the jobs API answers. */
export type BulkJob = components['schemas']['BulkJob'];

/** What a selection resolves to before anything is sent: cards per account and supplier. */
export interface BulkPlan {
  total: number;
  accounts: { account: string; supplier: string; cards: number }[];
  problems: { identifier: string; reason: string }[];
}

/** Finished states: the job will not change any more. */
export const FINISHED_STATES = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

/** `POST /api/v1/jobs/plan`: how many cards of which suppliers a selection means. */
export function planBulk(selection: BulkSelection): Promise<BulkPlan> {
  return unwrap(api.POST('/api/v1/jobs/plan', { body: { selection } }));
}

/** `POST /api/v1/jobs`: creates and starts a bulk job. */
export async function createBulkJob(
  action: BulkAction,
  selection: BulkSelection,
  params: Record<string, unknown> = {},
): Promise<BulkJob> {
  // One body shape per action (BulkJobBody); the server refuses params the action does not take.
  const body = { action, selection, params } as components['schemas']['BulkJobBody'];
  const answer = await unwrap(api.POST('/api/v1/jobs', { body }));
  return answer.job;
}

/** `GET /api/v1/jobs/{id}`. */
export function getBulkJob(id: number): Promise<BulkJob> {
  return unwrap(api.GET('/api/v1/jobs/{id}', { params: { path: { id } } }));
}

/** `GET /api/v1/jobs`: the latest jobs first. */
export async function listBulkJobs(): Promise<BulkJob[]> {
  return (await unwrap(api.GET('/api/v1/jobs', { params: { query: { limit: 50 } } }))).jobs;
}
