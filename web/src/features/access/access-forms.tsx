import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import '../../components/admin-forms.css';
import { ErrorMessage } from '../../components/states.js';

/** The lines of a pasted list: one identifier a line (or the first column of CSV lines). */
function identifiersOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.split(/[,;\t]/)[0]!.trim())
    .filter((value) => value !== '' && !/^(iccid|msisdn|imsi)$/i.test(value));
}

/** Identifiers sent per request (the API takes up to 10,000). */
const CHUNK = 5000;

interface AssignResult {
  assigned: number;
  problems?: { identifier: string; reason: string }[];
}

/**
 * 划卡: cards chosen by a pasted identifier list or by a card filter, assigned to a tenant of
 * the caller's subtree or taken back to the caller's own.
 */
export function CardAssignment(props: {
  tenants: { id: string; name: string; parent: string | null }[];
}) {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [tenant, setTenant] = useState('');
  const [mode, setMode] = useState<'list' | 'filter'>('list');
  const [list, setList] = useState('');
  const [filter, setFilter] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  // Tenants below the caller's own (the first listed is the caller's).
  const targets = props.tenants.filter((entry) => entry.parent !== null);
  const chosen = tenant || targets[0]?.id || '';
  const run = useMutation({
    mutationFn: async (back: boolean) => {
      const selections =
        mode === 'filter'
          ? [{ filter: filter.trim() }]
          : chunks(identifiersOf(list)).map((identifiers) => ({ identifiers }));
      const total: AssignResult = { assigned: 0, problems: [] };
      for (const selection of selections) {
        const answer: AssignResult = back
          ? await unwrap(api.POST('/api/v1/cards/unassign', { body: selection }))
          : await unwrap(
              api.POST('/api/v1/cards/assign', { body: { ...selection, tenant: chosen } }),
            );
        total.assigned += answer.assigned;
        total.problems!.push(...(answer.problems ?? []));
      }
      return { back, total };
    },
    onSuccess: ({ back, total }) => {
      const problems = total.problems ?? [];
      const done = back
        ? t('admin.unassigned', { count: total.assigned })
        : t('admin.assigned', { count: total.assigned, tenant: chosen });
      setMessage(
        problems.length > 0
          ? `${done} ${t('admin.notFound', {
              list: problems.map((problem) => problem.identifier).join(t('common.listSeparator')),
            })}`
          : done,
      );
      void client.invalidateQueries({ queryKey: ['cards'] });
    },
    onMutate: () => setMessage(null),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    run.mutate(false);
  };
  const lines = identifiersOf(list).length;
  const empty = mode === 'list' ? lines === 0 : filter.trim() === '';
  return (
    <form className="panel form" onSubmit={submit} data-testid="card-assignment">
      <h2>{t('admin.assignTitle')}</h2>
      <label>
        {t('admin.tenant')}
        <select value={chosen} onChange={(event) => setTenant(event.target.value)}>
          {targets.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {entry.name} ({entry.id})
            </option>
          ))}
        </select>
      </label>
      <fieldset className="actions">
        <legend>{t('admin.assignBy')}</legend>
        <label>
          <input
            type="radio"
            name="assign-mode"
            checked={mode === 'list'}
            onChange={() => setMode('list')}
          />
          {t('admin.byList')}
        </label>
        <label>
          <input
            type="radio"
            name="assign-mode"
            checked={mode === 'filter'}
            onChange={() => setMode('filter')}
          />
          {t('admin.byFilter')}
        </label>
      </fieldset>
      {mode === 'list' ? (
        <label>
          {t('admin.listLabel')}
          <textarea
            rows={6}
            className="mono"
            value={list}
            onChange={(event) => setList(event.target.value)}
          />
          <span className="muted">{t('admin.lines', { count: lines })}</span>
        </label>
      ) : (
        <label>
          {t('admin.filterLabel')}
          <input
            className="mono"
            placeholder={t('admin.filterExample')}
            value={filter}
            onChange={(event) => setFilter(event.target.value)}
          />
        </label>
      )}
      {run.isError ? <ErrorMessage error={run.error} /> : null}
      {message ? (
        <p className="muted" role="status" data-testid="assign-result">
          {message}
        </p>
      ) : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={run.isPending || empty || !chosen}>
          {t('admin.assign')}
        </button>
        <button type="button" disabled={run.isPending || empty} onClick={() => run.mutate(true)}>
          {t('admin.unassign')}
        </button>
      </div>
    </form>
  );
}

function chunks<T>(values: T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < values.length; start += CHUNK) {
    result.push(values.slice(start, start + CHUNK));
  }
  return result;
}
