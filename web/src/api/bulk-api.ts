import { request } from './client.js';

/** The actions a bulk job carries out on each card (src/services/bulk-repository.ts). */
export type BulkAction = 'pause' | 'resume' | 'activate' | 'sms';

/** Which cards a job acts on: card ids, or a card filter (src/services/card-filter.ts). */
export type BulkSelection = { cardIds: number[] } | { filter: string };

/** A bulk job with its counters, as the jobs API answers. */
export interface BulkJob {
  id: number;
  action: string;
  state: 'pending' | 'running' | 'succeeded' | 'partial' | 'failed' | 'cancelled';
  total: number;
  done: number;
  skipped: number;
  failed: number;
  createdBy: string;
  createdAt: number | string;
  finishedAt: number | string | null;
}

/** What a selection resolves to before anything is sent: cards per account and supplier. */
export interface BulkPlan {
  total: number;
  accounts: { account: string; supplier: string; cards: number }[];
  problems: { identifier?: string; reason?: string }[];
}

/** Finished states: the job will not change any more. */
export const FINISHED_STATES = new Set(['succeeded', 'partial', 'failed', 'cancelled']);

/** `POST /api/v1/jobs/plan`: how many cards of which suppliers a selection means. */
export async function planBulk(selection: BulkSelection): Promise<BulkPlan> {
  const plan = await request<{
    total?: number;
    cards?: unknown[] | number;
    accounts: BulkPlan['accounts'];
    problems?: BulkPlan['problems'];
  }>('POST', '/api/v1/jobs/plan', { selection });
  const total =
    plan.total ??
    (typeof plan.cards === 'number' ? plan.cards : undefined) ??
    plan.accounts.reduce((sum, account) => sum + account.cards, 0);
  return { total, accounts: plan.accounts, problems: plan.problems ?? [] };
}

/** `POST /api/v1/jobs`: creates and starts a bulk job. */
export async function createBulkJob(
  action: BulkAction,
  selection: BulkSelection,
  params: Record<string, unknown> = {},
): Promise<BulkJob> {
  const answer = await request<BulkJob | { job: BulkJob }>('POST', '/api/v1/jobs', {
    action,
    selection,
    params,
  });
  return 'job' in answer ? answer.job : answer;
}

/** `GET /api/v1/jobs/{id}`. */
export async function getBulkJob(id: number): Promise<BulkJob> {
  const answer = await request<BulkJob | { job: BulkJob }>('GET', `/api/v1/jobs/${id}`);
  return 'job' in answer ? answer.job : answer;
}

/** `GET /api/v1/jobs`: the latest jobs first. */
export async function listBulkJobs(): Promise<BulkJob[]> {
  const answer = await request<{ jobs: BulkJob[] }>('GET', '/api/v1/jobs');
  return answer.jobs;
}
