import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type BulkAction,
  type BulkPlan,
  type BulkSelection,
  createBulkJob,
  planBulk,
} from '../../api/bulk-api.js';
import { api, unwrap } from '../../api/client.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { JobProgress } from '../../components/job-progress.js';
import { filterExpressionText } from '../../components/labels.js';
import { ErrorMessage } from '../../components/states.js';
import { AssignPlanButton } from '../plans/assign-plan.js';
import { PoolCardsButton } from '../pools/pool-cards.js';

type Pending =
  | { kind: 'job'; action: BulkAction; plan: BulkPlan; selection: BulkSelection }
  | { kind: 'tag' }
  | { kind: 'assign' };

const JOB_ACTIONS: BulkAction[] = ['pause', 'resume', 'activate', 'sms'];

/**
 * What can be done with the selected cards (or all matching the filter): lifecycle jobs and SMS
 * after a confirmation naming the count and suppliers, tags, tenant assignment, CSV export.
 */
export function CardsBulkBar(props: {
  selectedIds: number[];
  allMatching: boolean;
  filter: string | null;
  onDone: () => void;
}) {
  const { t } = useTranslation();
  const [pending, setPending] = useState<Pending | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [jobId, setJobId] = useState<number | null>(null);
  const [text, setText] = useState('');
  const [value, setValue] = useState('');
  const count = props.selectedIds.length;
  if (count === 0 && jobId === null && !error) return null;

  const selection: BulkSelection =
    props.allMatching && props.filter ? { filter: props.filter } : { cardIds: props.selectedIds };

  const prepare = async (action: BulkAction) => {
    setError(null);
    setBusy(true);
    try {
      setPending({ kind: 'job', action, plan: await planBulk(selection), selection });
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  const confirm = async () => {
    if (!pending) return;
    setBusy(true);
    setError(null);
    try {
      if (pending.kind === 'job') {
        const params = pending.action === 'sms' ? { text } : {};
        const job = await createBulkJob(pending.action, pending.selection, params);
        setJobId(job.id);
      } else if (pending.kind === 'tag') {
        for (const id of props.selectedIds) {
          await unwrap(
            api.POST('/api/v1/cards/{id}/tags', {
              params: { path: { id } },
              body: { add: [value.trim()] },
            }),
          );
        }
        props.onDone();
      } else {
        await unwrap(
          api.POST('/api/v1/cards/assign', {
            body: { cards: props.selectedIds, tenant: value.trim() },
          }),
        );
        props.onDone();
      }
      setPending(null);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="bulk-bar" data-testid="bulk-bar">
      {count > 0 ? (
        <>
          <span className="bulk-count" data-testid="selected-count">
            {props.allMatching && props.filter
              ? t('cards.bulk.allMatching', { filter: filterExpressionText(t, props.filter) })
              : t('cards.bulk.selected', { count })}
          </span>
          {JOB_ACTIONS.map((action) => (
            <button
              key={action}
              type="button"
              disabled={busy}
              onClick={() => void prepare(action)}
              data-action={action}
            >
              {t(`actions.${action}`)}
            </button>
          ))}
          <button
            type="button"
            disabled={busy || props.allMatching}
            onClick={() => setPending({ kind: 'tag' })}
          >
            {t('cards.bulk.tag')}
          </button>
          <button
            type="button"
            disabled={busy || props.allMatching}
            onClick={() => setPending({ kind: 'assign' })}
          >
            {t('cards.bulk.assign')}
          </button>
          <AssignPlanButton
            selectedIds={props.selectedIds}
            allMatching={props.allMatching}
            filter={props.filter}
            disabled={busy}
          />
          {(['add', 'remove'] as const).map((mode) => (
            <PoolCardsButton
              key={mode}
              mode={mode}
              selectedIds={props.selectedIds}
              allMatching={props.allMatching}
              filter={props.filter}
              disabled={busy}
            />
          ))}
          <button
            type="button"
            disabled={props.allMatching}
            onClick={() => exportCsv(props.selectedIds)}
          >
            {t('cards.bulk.export')}
          </button>
        </>
      ) : null}
      {error ? <ErrorMessage error={error} /> : null}
      {jobId !== null ? <JobProgress jobId={jobId} onFinished={props.onDone} /> : null}
      {pending?.kind === 'job' ? (
        <ConfirmDialog
          title={t(`actions.${pending.action}`)}
          confirmLabel={t('cards.bulk.confirm', { count: pending.plan.total })}
          busy={busy || (pending.action === 'sms' && text.trim() === '')}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(null)}
        >
          <p data-testid="confirm-summary">
            {t('cards.bulk.summary', {
              count: pending.plan.total,
              action: t(`actions.${pending.action}`),
              suppliers: [...new Set(pending.plan.accounts.map((row) => row.supplier))].join(
                t('common.listSeparator'),
              ),
            })}
          </p>
          <ul>
            {pending.plan.accounts.map((row) => (
              <li key={row.account}>
                {row.account} ({row.supplier}): {row.cards}
              </li>
            ))}
          </ul>
          {pending.plan.problems.length > 0 ? (
            <p className="warning">
              {t('cards.bulk.problems', { count: pending.plan.problems.length })}
            </p>
          ) : null}
          {pending.action === 'sms' ? (
            <label>
              {t('sms.text')}
              <textarea value={text} onChange={(event) => setText(event.target.value)} />
            </label>
          ) : null}
        </ConfirmDialog>
      ) : pending ? (
        <ConfirmDialog
          title={t(pending.kind === 'tag' ? 'cards.bulk.tag' : 'cards.bulk.assign')}
          confirmLabel={t('cards.bulk.confirm', { count })}
          busy={busy || value.trim() === ''}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(null)}
        >
          <label>
            {t(pending.kind === 'tag' ? 'cards.tag' : 'cards.columns.tenant')}
            <input value={value} onChange={(event) => setValue(event.target.value)} />
          </label>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** Downloads the chosen cards as CSV, fetched one by one from the API (a page at most). */
async function exportCsv(ids: number[]): Promise<void> {
  const header = ['id', 'iccid', 'msisdn', 'imsi', 'account', 'supplier', 'status', 'usage_bytes'];
  const lines = [header.join(',')];
  for (const id of ids) {
    const card = await unwrap(api.GET('/api/v1/cards/{id}', { params: { path: { id } } }));
    const cells = [
      card.id,
      card.iccid,
      card.msisdn,
      card.imsi,
      card.account,
      card.supplier,
      card.status,
      card.usageThisMonth,
    ];
    lines.push(
      cells.map((cell) => (cell === null ? '' : `"${String(cell).replace(/"/g, '""')}"`)).join(','),
    );
  }
  const url = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'simdock-cards.csv';
  link.click();
  URL.revokeObjectURL(url);
}
