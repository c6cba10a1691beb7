import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import { Empty, ErrorMessage, Loading } from '../../components/states.js';
import { formatInstant } from '../../format.js';

type Channel = components['schemas']['NotificationChannel'];
type ChannelType = components['schemas']['NotificationChannelType'];
type Locale = components['schemas']['NotificationLocale'];

const TYPES: readonly ChannelType[] = ['dingtalk', 'wecom', 'feishu', 'email'];
const SEVERITIES = ['info', 'warning', 'critical'] as const;

/** What the form edits; secrets left blank keep their stored value. */
interface Draft {
  name: string;
  type: ChannelType;
  locale: Locale;
  webhookUrl: string;
  secret: string;
  host: string;
  port: string;
  secure: boolean;
  from: string;
  to: string;
  user: string;
  password: string;
  rules: string;
  minSeverity: (typeof SEVERITIES)[number];
  dailyDigest: boolean;
  perMinute: string;
  enabled: boolean;
}

const EMPTY: Draft = {
  name: '',
  type: 'dingtalk',
  locale: 'zh-CN',
  webhookUrl: '',
  secret: '',
  host: '',
  port: '587',
  secure: false,
  from: '',
  to: '',
  user: '',
  password: '',
  rules: '',
  minSeverity: 'info',
  dailyDigest: false,
  perMinute: '20',
  enabled: true,
};

function draftOf(channel: Channel): Draft {
  const settings = channel.settings as Record<string, unknown>;
  return {
    ...EMPTY,
    name: channel.name,
    type: channel.type,
    locale: channel.locale,
    host: typeof settings.host === 'string' ? settings.host : '',
    port: settings.port === undefined ? '587' : String(settings.port),
    secure: settings.secure === true,
    from: typeof settings.from === 'string' ? settings.from : '',
    to: Array.isArray(settings.to) ? settings.to.join(', ') : '',
    rules: channel.ruleIds.join(', '),
    minSeverity: channel.minSeverity,
    dailyDigest: channel.dailyDigest,
    perMinute: String(channel.perMinute),
    enabled: channel.enabled,
  };
}

/** The API body of a draft; only the secrets typed in are sent. */
function bodyOf(draft: Draft) {
  const secrets: Record<string, string> = {};
  const robot = draft.type !== 'email';
  if (robot && draft.webhookUrl) secrets.webhookUrl = draft.webhookUrl;
  if (robot && draft.secret) secrets.secret = draft.secret;
  if (!robot && draft.user) secrets.user = draft.user;
  if (!robot && draft.password) secrets.password = draft.password;
  return {
    name: draft.name,
    locale: draft.locale,
    ...(robot
      ? {}
      : {
          settings: {
            host: draft.host,
            port: Number(draft.port),
            secure: draft.secure,
            from: draft.from,
            to: draft.to
              .split(',')
              .map((address) => address.trim())
              .filter(Boolean),
          },
        }),
    secrets,
    ruleIds: draft.rules
      .split(',')
      .map((id) => id.trim())
      .filter(Boolean)
      .map(Number),
    minSeverity: draft.minSeverity,
    dailyDigest: draft.dailyDigest,
    perMinute: Number(draft.perMinute),
    enabled: draft.enabled,
  };
}

/** Create or edit a channel: secrets are never shown, only their masked form as a hint. */
function ChannelEditor(props: {
  channel: Channel | null;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(props.channel ? draftOf(props.channel) : EMPTY);
  const set = (changes: Partial<Draft>) => setDraft({ ...draft, ...changes });
  const masked = props.channel?.secrets ?? {};
  const save = useMutation({
    mutationFn: () =>
      props.channel
        ? unwrap(
            api.PATCH('/api/v1/notifications/channels/{id}', {
              params: { path: { id: props.channel.id } },
              body: bodyOf(draft),
            }),
          )
        : unwrap(
            api.POST('/api/v1/notifications/channels', {
              body: { ...bodyOf(draft), type: draft.type },
            }),
          ),
    onSuccess: props.onSaved,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const robot = draft.type !== 'email';
  const keep = t('notifications.keepSecret');
  return (
    <form className="panel form" onSubmit={submit} data-testid="notification-editor">
      <label>
        {t('users.name')}
        <input
          required
          value={draft.name}
          onChange={(event) => set({ name: event.target.value })}
        />
      </label>
      <label>
        {t('notifications.type')}
        <select
          value={draft.type}
          disabled={props.channel !== null}
          onChange={(event) => {
            const type = event.target.value as ChannelType;
            set({ type, perMinute: type === 'email' ? '60' : '20' });
          }}
        >
          {TYPES.map((type) => (
            <option key={type} value={type}>
              {t(`notifications.types.${type}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('notifications.locale')}
        <select
          value={draft.locale}
          onChange={(event) => set({ locale: event.target.value as Locale })}
        >
          <option value="zh-CN">简体中文</option>
          <option value="en">English</option>
        </select>
      </label>
      {robot ? (
        <>
          <label>
            {t('notifications.webhookUrl')}
            <input
              type="password"
              autoComplete="off"
              required={props.channel === null}
              placeholder={masked.webhookUrl ? `${masked.webhookUrl} (${keep})` : ''}
              value={draft.webhookUrl}
              onChange={(event) => set({ webhookUrl: event.target.value })}
            />
          </label>
          {draft.type !== 'wecom' ? (
            <label>
              {t('notifications.signingSecret')}
              <input
                type="password"
                autoComplete="off"
                placeholder={masked.secret ? `${masked.secret} (${keep})` : ''}
                value={draft.secret}
                onChange={(event) => set({ secret: event.target.value })}
              />
            </label>
          ) : null}
        </>
      ) : (
        <>
          <label>
            {t('notifications.smtpHost')}
            <input
              required
              value={draft.host}
              onChange={(event) => set({ host: event.target.value })}
            />
          </label>
          <label>
            {t('notifications.smtpPort')}
            <input
              type="number"
              min={1}
              max={65535}
              required
              value={draft.port}
              onChange={(event) => set({ port: event.target.value })}
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={draft.secure}
              onChange={(event) => set({ secure: event.target.checked })}
            />
            {t('notifications.smtpSecure')}
          </label>
          <label>
            {t('notifications.from')}
            <input
              required
              value={draft.from}
              onChange={(event) => set({ from: event.target.value })}
            />
          </label>
          <label>
            {t('notifications.to')}
            <input
              required
              value={draft.to}
              onChange={(event) => set({ to: event.target.value })}
            />
          </label>
          <label>
            {t('notifications.smtpUser')}
            <input
              autoComplete="off"
              placeholder={masked.user ? `${masked.user} (${keep})` : ''}
              value={draft.user}
              onChange={(event) => set({ user: event.target.value })}
            />
          </label>
          <label>
            {t('notifications.smtpPassword')}
            <input
              type="password"
              autoComplete="off"
              placeholder={masked.password ? `${masked.password} (${keep})` : ''}
              value={draft.password}
              onChange={(event) => set({ password: event.target.value })}
            />
          </label>
        </>
      )}
      <label>
        {t('notifications.rules')}
        <input
          placeholder={t('notifications.allRules')}
          value={draft.rules}
          onChange={(event) => set({ rules: event.target.value })}
        />
      </label>
      <label>
        {t('notifications.minSeverity')}
        <select
          value={draft.minSeverity}
          onChange={(event) => set({ minSeverity: event.target.value as Draft['minSeverity'] })}
        >
          {SEVERITIES.map((severity) => (
            <option key={severity} value={severity}>
              {t(`notifications.severities.${severity}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('notifications.perMinute')}
        <input
          type="number"
          min={1}
          required
          value={draft.perMinute}
          onChange={(event) => set({ perMinute: event.target.value })}
        />
      </label>
      <label>
        <input
          type="checkbox"
          checked={draft.dailyDigest}
          onChange={(event) => set({ dailyDigest: event.target.checked })}
        />
        {t('notifications.dailyDigest')}
      </label>
      <label>
        <input
          type="checkbox"
          checked={draft.enabled}
          onChange={(event) => set({ enabled: event.target.checked })}
        />
        {t('users.enabled')}
      </label>
      {save.isError ? <ErrorMessage error={save.error} /> : null}
      <div className="dialog-actions">
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" disabled={save.isPending}>
          {t('notifications.save')}
        </button>
      </div>
    </form>
  );
}

/**
 * Notification channels (DingTalk, WeCom, Feishu, email) of the caller's tenant: create and edit
 * them (secrets masked), send a test, and read the delivery log with the robots' answer codes.
 */
export function NotificationsPage() {
  const { t, i18n } = useTranslation();
  const client = useQueryClient();
  const [editing, setEditing] = useState<Channel | 'new' | null>(null);
  const [channel, setChannel] = useState<number | null>(null);
  const channels = useQuery({
    queryKey: ['notification-channels'],
    queryFn: () => unwrap(api.GET('/api/v1/notifications/channels')),
  });
  const messages = useQuery({
    queryKey: ['notification-messages', channel],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/notifications/messages', {
          params: { query: { limit: 50, ...(channel === null ? {} : { channel }) } },
        }),
      ),
  });
  const refresh = () => {
    client.invalidateQueries({ queryKey: ['notification-channels'] });
    client.invalidateQueries({ queryKey: ['notification-messages'] });
  };
  const sendTest = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/notifications/channels/{id}/test', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const resend = useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/v1/notifications/messages/{id}/resend', { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const names = new Map((channels.data?.channels ?? []).map((row) => [row.id, row.name]));
  return (
    <section>
      <h1>{t('nav.notifications')}</h1>
      <p>
        <button type="button" onClick={() => setEditing('new')} data-testid="notification-new">
          {t('notifications.add')}
        </button>
      </p>
      {editing !== null ? (
        <ChannelEditor
          key={editing === 'new' ? 'new' : editing.id}
          channel={editing === 'new' ? null : editing}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            refresh();
          }}
        />
      ) : null}
      {sendTest.isError ? <ErrorMessage error={sendTest.error} /> : null}
      {sendTest.isSuccess ? (
        <p className="muted" role="status">
          {t('notifications.tested', {
            state: t(`notifications.states.${sendTest.data.message.state}`),
            code: sendTest.data.message.lastCode ?? sendTest.data.message.lastError ?? '—',
          })}
        </p>
      ) : null}
      {channels.isPending ? (
        <Loading />
      ) : channels.isError ? (
        <ErrorMessage error={channels.error} />
      ) : channels.data.channels.length === 0 ? (
        <Empty>{t('notifications.none')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="notification-channels">
            <thead>
              <tr>
                <th>{t('users.name')}</th>
                <th>{t('notifications.type')}</th>
                <th>{t('notifications.target')}</th>
                <th>{t('notifications.locale')}</th>
                <th>{t('notifications.routing')}</th>
                <th>{t('users.state')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {channels.data.channels.map((row) => {
                const settings = row.settings as Record<string, unknown>;
                const target =
                  typeof settings.target === 'string'
                    ? settings.target
                    : Array.isArray(settings.to)
                      ? settings.to.join(', ')
                      : '';
                return (
                  <tr key={row.id} className={channel === row.id ? 'selected' : ''}>
                    <td>{row.name}</td>
                    <td>{t(`notifications.types.${row.type}`)}</td>
                    <td className="mono">{target}</td>
                    <td>{row.locale}</td>
                    <td>
                      {row.ruleIds.length > 0
                        ? row.ruleIds.join(', ')
                        : t('notifications.allRules')}
                      {' · '}
                      {t(`notifications.severities.${row.minSeverity}`)}
                      {row.dailyDigest ? ` · ${t('notifications.dailyDigest')}` : ''}
                    </td>
                    <td>{row.enabled ? t('users.enabled') : t('users.disabled')}</td>
                    <td>
                      <button type="button" className="link" onClick={() => setEditing(row)}>
                        {t('notifications.edit')}
                      </button>{' '}
                      <button
                        type="button"
                        disabled={sendTest.isPending}
                        onClick={() => sendTest.mutate(row.id)}
                      >
                        {t('notifications.sendTest')}
                      </button>{' '}
                      <button
                        type="button"
                        className="link"
                        onClick={() => setChannel(channel === row.id ? null : row.id)}
                      >
                        {t('notifications.showLog')}
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <h2>{t('notifications.log')}</h2>
      {resend.isError ? <ErrorMessage error={resend.error} /> : null}
      {messages.isPending ? (
        <Loading />
      ) : messages.isError ? (
        <ErrorMessage error={messages.error} />
      ) : messages.data.messages.length === 0 ? (
        <Empty>{t('notifications.noMessages')}</Empty>
      ) : (
        <div className="table-wrap">
          <table className="data-table" data-testid="notification-messages">
            <thead>
              <tr>
                <th>{t('audit.at')}</th>
                <th>{t('notifications.channel')}</th>
                <th>{t('notifications.kind')}</th>
                <th>{t('notifications.title')}</th>
                <th>{t('users.state')}</th>
                <th>{t('notifications.attempts')}</th>
                <th>{t('notifications.answerCode')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {messages.data.messages.map((row) => (
                <tr key={row.id}>
                  <td>{formatInstant(row.createdAt, i18n.language)}</td>
                  <td>{names.get(row.channelId) ?? row.channelId}</td>
                  <td>
                    {t(`notifications.kinds.${row.kind as 'single' | 'digest' | 'daily' | 'test'}`)}
                    {row.items > 1 ? ` (${row.items})` : ''}
                  </td>
                  <td>{row.title}</td>
                  <td>
                    <span className={`badge badge-delivery-${row.state}`}>
                      {t(`notifications.states.${row.state}`)}
                    </span>
                  </td>
                  <td>{row.attempts}</td>
                  <td className="muted" title={row.lastError ?? ''}>
                    {row.lastCode ?? row.lastError ?? '—'}
                  </td>
                  <td>
                    <button
                      type="button"
                      disabled={resend.isPending}
                      onClick={() => resend.mutate(row.id)}
                    >
                      {t('notifications.resend')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
