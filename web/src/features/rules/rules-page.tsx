import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import { codedText } from '../../components/alert-text.js';
import { ConfirmDialog } from '../../components/confirm-dialog.js';
import { ruleConditionText } from '../../components/labels.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { usePlans } from '../plans/plans-page.js';

/** A rule to create or preview, as the API takes it. */
type RuleBody = components['schemas']['RuleBody'];

/** The rule kinds of src/services/rules/rules-model.ts, each with its one number-valued threshold. */
const KINDS = {
  usage: 'percent',
  anomaly: 'factor',
  idle: 'days',
  expiry: 'days',
  imei_changed: null,
  status_changed: null,
} as const;
type Kind = keyof typeof KINDS;
const SCOPES = ['account', 'card', 'plan', 'pool'] as const;
const ACTIONS = ['none', 'pause', 'sms', 'webhook'] as const;

/** A rule as `/api/v1/rules` answers it. */
interface Rule {
  id: number;
  name: string | null;
  scope: string;
  targetId: string;
  kind: Kind;
  thresholds: Record<string, unknown>;
  actions: Record<string, unknown>[];
  severity: string;
  enabled: boolean;
}

/** What a rule would find now (src/api/routes/rules/rules-preview.ts `RulePreview`). */
interface RulePreview {
  covered: number;
  truncated: boolean;
  matches: {
    cardId: number;
    iccid: string | null;
    message: string;
    code?: string;
    params?: Record<string, string | number | null>;
  }[];
}

interface Draft {
  name: string;
  scope: (typeof SCOPES)[number];
  targetId: string;
  kind: Kind;
  threshold: string;
  action: (typeof ACTIONS)[number];
  text: string;
}

const EMPTY: Draft = {
  name: '',
  scope: 'account',
  targetId: '',
  kind: 'usage',
  threshold: '80',
  action: 'none',
  text: '',
};

function draftOf(rule: Rule): Draft {
  const key = KINDS[rule.kind];
  const action = rule.actions[0];
  return {
    name: rule.name ?? '',
    scope: rule.scope as Draft['scope'],
    targetId: rule.targetId,
    kind: rule.kind,
    threshold: key ? String(rule.thresholds[key] ?? '') : '',
    action: String(action?.type ?? 'none') as Draft['action'],
    text: typeof action?.text === 'string' ? action.text : '',
  };
}

/** The API body of a draft: the same for saving and for the preview (one shape per kind). */
function bodyOf(draft: Draft): RuleBody {
  const key = KINDS[draft.kind];
  const thresholds = key && draft.threshold !== '' ? { [key]: Number(draft.threshold) } : {};
  const actions =
    draft.action === 'none'
      ? []
      : draft.action === 'sms'
        ? [{ type: 'sms', text: draft.text }]
        : [{ type: draft.action }];
  return {
    name: draft.name || null,
    scope: draft.scope,
    targetId: draft.targetId,
    kind: draft.kind,
    thresholds: thresholds as Record<string, unknown>,
    actions,
  } as RuleBody;
}

/** The pools, for pickers and names (`GET /api/v1/pools`). */
function usePools(enabled = true) {
  return useQuery({
    queryKey: ['pool-names'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/pools'))).pools,
    enabled,
    staleTime: 30_000,
  });
}

function useAccounts(enabled = true) {
  return useQuery({
    queryKey: ['accounts'],
    queryFn: () => unwrap(api.GET('/api/v1/accounts')),
    enabled,
    staleTime: 60_000,
  });
}

/**
 * What a rule applies to, picked by name: a plan, a pool or an account from the API's lists; a
 * card by its id. The value is the id the API stores.
 */
function TargetPicker(props: {
  scope: Draft['scope'];
  value: string;
  onChange: (targetId: string) => void;
}) {
  const { t } = useTranslation();
  const plans = usePlans(props.scope === 'plan');
  const pools = usePools(props.scope === 'pool');
  const accounts = useAccounts(props.scope === 'account');
  if (props.scope === 'card') {
    return (
      <label>
        {t('rulesAdmin.cardId')}
        <input
          name="targetId"
          value={props.value}
          required
          inputMode="numeric"
          onChange={(event) => props.onChange(event.target.value)}
        />
      </label>
    );
  }
  const options =
    props.scope === 'plan'
      ? (plans.data ?? []).map((plan) => ({ id: String(plan.id), name: plan.name }))
      : props.scope === 'pool'
        ? (pools.data ?? []).map((pool) => ({ id: String(pool.id), name: pool.name }))
        : (accounts.data?.accounts ?? []).map((account) => ({
            id: account.id,
            name: account.name ? `${account.name} (${account.id})` : account.id,
          }));
  const placeholder =
    props.scope === 'plan'
      ? 'rulesAdmin.choosePlan'
      : props.scope === 'pool'
        ? 'rulesAdmin.choosePool'
        : 'rulesAdmin.chooseAccount';
  const known = props.value === '' || options.some((option) => option.id === props.value);
  return (
    <label>
      {t('rulesAdmin.target')}
      <select
        name="targetId"
        value={props.value}
        required
        data-testid="rule-target"
        onChange={(event) => props.onChange(event.target.value)}
      >
        <option value="">{t(placeholder)}</option>
        {known ? null : (
          <option value={props.value}>{t('rulesAdmin.deleted', { id: props.value })}</option>
        )}
        {options.map((option) => (
          <option key={option.id} value={option.id}>
            {option.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Create or edit a rule, with the cards its condition matches now before saving. */
function RuleEditor(props: { rule: Rule | null; onSaved: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(props.rule ? draftOf(props.rule) : EMPTY);
  const set = (changes: Partial<Draft>) => setDraft({ ...draft, ...changes });
  const preview = useMutation({
    mutationFn: (): Promise<RulePreview> =>
      unwrap(api.POST('/api/v1/rules/preview', { body: bodyOf(draft) })),
  });
  const save = useMutation({
    mutationFn: () =>
      props.rule
        ? unwrap(
            api.PATCH('/api/v1/rules/{id}', {
              params: { path: { id: props.rule.id } },
              body: bodyOf(draft),
            }),
          )
        : unwrap(api.POST('/api/v1/rules', { body: bodyOf(draft) })),
    onSuccess: props.onSaved,
  });
  // A rule that pauses: how many cards it would pause now, asked before saving.
  const [pauseCheck, setPauseCheck] = useState<RulePreview | null>(null);
  const check = useMutation({
    mutationFn: (): Promise<RulePreview> =>
      unwrap(api.POST('/api/v1/rules/preview', { body: bodyOf(draft) })),
    onSuccess: setPauseCheck,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.action === 'pause') check.mutate();
    else save.mutate();
  };
  const pausing = pauseCheck ? new Set(pauseCheck.matches.map((match) => match.cardId)).size : 0;
  const thresholdKey = KINDS[draft.kind];
  return (
    <form className="panel form" onSubmit={submit} data-testid="rule-editor">
      <label>
        {t('users.name')}
        <input value={draft.name} onChange={(event) => set({ name: event.target.value })} />
      </label>
      <label>
        {t('rules.scope')}
        <select
          value={draft.scope}
          onChange={(event) => set({ scope: event.target.value as Draft['scope'], targetId: '' })}
        >
          {SCOPES.map((scope) => (
            <option key={scope} value={scope}>
              {t(`rules.scopes.${scope}`)}
            </option>
          ))}
        </select>
      </label>
      <TargetPicker
        scope={draft.scope}
        value={draft.targetId}
        onChange={(targetId) => set({ targetId })}
      />
      <label>
        {t('rules.kind')}
        <select
          value={draft.kind}
          onChange={(event) => set({ kind: event.target.value as Kind, threshold: '' })}
        >
          {Object.keys(KINDS).map((kind) => (
            <option key={kind} value={kind}>
              {t(`rules.kinds.${kind}`)}
            </option>
          ))}
        </select>
      </label>
      {thresholdKey ? (
        <label>
          {t(`rules.thresholds.${thresholdKey}`)}
          <input
            type="number"
            min={0}
            step="any"
            required
            value={draft.threshold}
            onChange={(event) => set({ threshold: event.target.value })}
          />
        </label>
      ) : null}
      <label>
        {t('rules.action')}
        <select
          value={draft.action}
          onChange={(event) => set({ action: event.target.value as Draft['action'] })}
        >
          {ACTIONS.map((action) => (
            <option key={action} value={action}>
              {t(`rules.actions.${action}`)}
            </option>
          ))}
        </select>
      </label>
      {draft.action === 'sms' ? (
        <label>
          {t('sms.text')}
          <input
            value={draft.text}
            required
            onChange={(event) => set({ text: event.target.value })}
          />
        </label>
      ) : null}
      <div className="dialog-actions">
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button type="button" onClick={() => preview.mutate()} disabled={preview.isPending}>
          {t('rules.preview')}
        </button>
        <button type="submit" className="primary" disabled={save.isPending || check.isPending}>
          {t('rules.save')}
        </button>
      </div>
      {check.isPending ? <p className="muted">{t('rulesAdmin.checking')}</p> : null}
      {check.isError ? <ErrorMessage error={check.error} /> : null}
      {save.isError ? <ErrorMessage error={save.error} /> : null}
      {pauseCheck ? (
        <ConfirmDialog
          title={t('rulesAdmin.pauseTitle')}
          confirmLabel={t('rulesAdmin.pauseConfirm', { count: pausing })}
          busy={save.isPending}
          onConfirm={() => {
            setPauseCheck(null);
            save.mutate();
          }}
          onCancel={() => setPauseCheck(null)}
        >
          <p data-testid="pause-count">
            {t('rulesAdmin.pauseBody', { count: pausing, covered: pauseCheck.covered })}
          </p>
          {pauseCheck.truncated ? (
            <p className="warning">{t('rulesAdmin.pauseTruncated')}</p>
          ) : null}
        </ConfirmDialog>
      ) : null}
      {preview.isError ? <ErrorMessage error={preview.error} /> : null}
      {preview.data ? (
        <div data-testid="rule-preview">
          <p>
            {t('rules.previewSummary', {
              matches: new Set(preview.data.matches.map((match) => match.cardId)).size,
              covered: preview.data.covered,
            })}
            {preview.data.truncated ? ` ${t('rules.truncated')}` : ''}
          </p>
          <ul>
            {preview.data.matches.slice(0, 50).map((match) => (
              <li key={`${match.cardId}-${match.message}`}>
                <Link to="/cards/$cardId" params={{ cardId: match.cardId }} className="mono">
                  {match.iccid ?? `#${match.cardId}`}
                </Link>{' '}
                <span className="muted">{codedText(t, match)}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </form>
  );
}

/** Usage, anomaly, idle, expiry and status rules; each edit previews the cards it matches now. */
export function RulesPage() {
  const { t } = useTranslation();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const rules = useQuery({
    queryKey: ['rules'],
    queryFn: async () => (await unwrap(api.GET('/api/v1/rules'))).rules,
  });
  const saved = () => {
    setEditing(null);
    void client.invalidateQueries({ queryKey: ['rules'] });
  };
  const [deleting, setDeleting] = useState<Rule | null>(null);
  const toggle = useMutation({
    mutationFn: (rule: Rule) =>
      unwrap(
        api.PATCH('/api/v1/rules/{id}', {
          params: { path: { id: rule.id } },
          body: { enabled: !rule.enabled },
        }),
      ),
    onSuccess: () => void client.invalidateQueries({ queryKey: ['rules'] }),
  });
  const remove = useMutation({
    mutationFn: (rule: Rule) =>
      unwrap(api.DELETE('/api/v1/rules/{id}', { params: { path: { id: rule.id } } })),
    onSuccess: () => {
      setDeleting(null);
      void client.invalidateQueries({ queryKey: ['rules'] });
    },
  });
  // Targets by name: the plans, pools and accounts the rules name.
  const scopes = new Set((rules.data ?? []).map((rule) => rule.scope));
  const plans = usePlans(scopes.has('plan'));
  const pools = usePools(scopes.has('pool'));
  const accounts = useAccounts(scopes.has('account'));
  const targetName = (rule: Rule): string => {
    const found =
      rule.scope === 'plan'
        ? plans.data?.find((plan) => String(plan.id) === rule.targetId)?.name
        : rule.scope === 'pool'
          ? pools.data?.find((pool) => String(pool.id) === rule.targetId)?.name
          : rule.scope === 'account'
            ? accounts.data?.accounts.find((account) => account.id === rule.targetId)?.id
            : `#${rule.targetId}`;
    return found ?? rule.targetId;
  };
  return (
    <section>
      <div className="page-head">
        <h1>{t('nav.rules')}</h1>
        <button type="button" onClick={() => setEditing('new')}>
          {t('rules.create')}
        </button>
      </div>
      {editing ? (
        <RuleEditor
          key={editing === 'new' ? 'new' : editing.id}
          rule={editing === 'new' ? null : editing}
          onSaved={saved}
          onCancel={() => setEditing(null)}
        />
      ) : null}
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <ErrorMessage error={rules.error} />
      ) : rules.data.length === 0 ? (
        <Empty>{t('rules.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('users.name')}</th>
                <th>{t('rules.scope')}</th>
                <th>{t('rules.condition')}</th>
                <th>{t('rules.action')}</th>
                <th>{t('users.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rules.data.map((rule) => (
                <tr key={rule.id}>
                  <td>{rule.name ?? `#${rule.id}`}</td>
                  <td>
                    {t(`rules.scopes.${rule.scope}`)} {targetName(rule)}
                  </td>
                  <td>{ruleConditionText(t, rule.kind, rule.thresholds)}</td>
                  <td>
                    {rule.actions
                      .map((action) => t(`rules.actions.${String(action.type)}`))
                      .join(', ') || t('rules.actions.none')}
                  </td>
                  <td>{rule.enabled ? t('users.enabled') : t('users.disabled')}</td>
                  <td>
                    <span className="row-actions">
                      <button type="button" onClick={() => setEditing(rule)}>
                        {t('rules.edit')}
                      </button>
                      <button
                        type="button"
                        disabled={toggle.isPending}
                        onClick={() => toggle.mutate(rule)}
                        data-action={rule.enabled ? 'disable' : 'enable'}
                      >
                        {rule.enabled ? t('rulesAdmin.disable') : t('rulesAdmin.enable')}
                      </button>
                      <button type="button" onClick={() => setDeleting(rule)} data-action="delete">
                        {t('rulesAdmin.delete')}
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {toggle.isError ? <ErrorMessage error={toggle.error} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={t('rulesAdmin.deleteTitle', { name: deleting.name ?? `#${deleting.id}` })}
          confirmLabel={t('rulesAdmin.deleteConfirm')}
          busy={remove.isPending}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => {
            remove.reset();
            setDeleting(null);
          }}
        >
          <p>{t('rulesAdmin.deleteBody')}</p>
          {remove.isError ? <ErrorMessage error={remove.error} /> : null}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
