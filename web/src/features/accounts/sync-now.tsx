import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import { ErrorMessage } from '../../components/states.js';

type SyncRun = components['schemas']['SyncRun'];

/**
 * "Sync now" for one account (POST /api/v1/sync-runs): a sync run inline answers with its run,
 * a queued one is followed through the account's newest run until it ends.
 */
export function SyncNow(props: { account: string; disabled?: boolean }) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [since, setSince] = useState<number | null>(null);
  const [runId, setRunId] = useState<number | null>(null);
  const start = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/sync-runs', { body: { account: props.account } })),
    onMutate: () => {
      setRunId(null);
      setSince(Date.now() - 1000);
    },
    onSuccess: (answer) => {
      if (!answer.queued) setRunId(answer.runId);
      void client.invalidateQueries({ queryKey: ['accounts'] });
    },
  });
  const queued = start.data?.queued === true;
  // The run: the one an inline sync answered with, or the newest one begun since the click.
  const run = useQuery({
    queryKey: ['sync-now', props.account, runId, since],
    enabled: runId !== null || queued,
    queryFn: async (): Promise<SyncRun | null> => {
      if (runId !== null) {
        return (
          await unwrap(api.GET('/api/v1/sync-runs/{id}', { params: { path: { id: runId } } }))
        ).run;
      }
      const { runs } = await unwrap(
        api.GET('/api/v1/sync-runs', { params: { query: { account: props.account, limit: 1 } } }),
      );
      const newest = runs[0];
      return newest && since !== null && newest.startedAt >= since ? newest : null;
    },
    refetchInterval: (query) =>
      query.state.data && query.state.data.status !== 'running' ? false : 2000,
  });
  const shown = run.data ?? null;
  let status: string | null = null;
  if (start.isPending) status = t('admin.syncing');
  else if (shown && shown.status !== 'running') {
    status = t('admin.syncResult', {
      status: t(`syncRuns.states.${shown.status}`),
      synced: shown.synced ?? 0,
      cards: shown.cards ?? 0,
    });
  } else if (shown) status = t('admin.syncing');
  else if (queued) status = t('admin.syncQueued');
  return (
    <>
      <button
        type="button"
        disabled={props.disabled || start.isPending || shown?.status === 'running'}
        onClick={() => start.mutate()}
        data-testid={`sync-now-${props.account}`}
      >
        {t('admin.syncNow')}
      </button>
      {status ? (
        <span className="muted" role="status" data-testid={`sync-now-status-${props.account}`}>
          {' '}
          {shown && shown.status !== 'running' ? <Link to="/sync-runs">{status}</Link> : status}
        </span>
      ) : null}
      {start.isError ? <ErrorMessage error={start.error} /> : null}
      {run.isError ? <ErrorMessage error={run.error} /> : null}
    </>
  );
}
