import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client.js';
import type { components } from '../../api/schema.js';
import '../../components/admin-forms.css';
import { ErrorMessage } from '../../components/states.js';

export type Endpoint = components['schemas']['WebhookEndpoint'];
type EventType = components['schemas']['WebhookEventType'];

/** The events an endpoint may subscribe to (src/store/repositories/event-outbox.ts). */
const EVENT_TYPES: EventType[] = [
  'card.status_changed',
  'usage.threshold_crossed',
  'usage.anomaly',
  'sms.received',
  'sms.delivery',
  'job.completed',
  'sync.failed',
  'device.offline',
  'alert.raised',
];

/**
 * Create or edit a webhook endpoint: URL, description, event types (none: every event),
 * enabled. A new endpoint's signing secret goes to `onSaved`, to be shown once.
 */
export function WebhookEditor(props: {
  endpoint: Endpoint | null;
  onSaved: (secret: string | null) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const [url, setUrl] = useState(props.endpoint?.url ?? '');
  const [description, setDescription] = useState(props.endpoint?.description ?? '');
  const [events, setEvents] = useState<EventType[]>(
    (props.endpoint?.eventTypes ?? []) as EventType[],
  );
  const [enabled, setEnabled] = useState(props.endpoint?.enabled ?? true);
  const save = useMutation({
    mutationFn: async (): Promise<string | null> => {
      const body = { url, description: description.trim() || null, eventTypes: events, enabled };
      if (props.endpoint) {
        await unwrap(
          api.PATCH('/api/v1/webhooks/{id}', { params: { path: { id: props.endpoint.id } }, body }),
        );
        return null;
      }
      return (await unwrap(api.POST('/api/v1/webhooks', { body }))).secret;
    },
    onSuccess: props.onSaved,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate();
  };
  const flip = (type: EventType, on: boolean) =>
    setEvents(on ? [...events, type] : events.filter((entry) => entry !== type));
  return (
    <form className="panel form" onSubmit={submit} data-testid="webhook-editor">
      <label>
        {t('admin.url')}
        <input
          type="url"
          required
          className="mono"
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
      </label>
      <label>
        {t('admin.description')}
        <input
          maxLength={500}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </label>
      <fieldset>
        <legend>{t('admin.eventTypes')}</legend>
        {EVENT_TYPES.map((type) => (
          <label key={type} className="check">
            <input
              type="checkbox"
              checked={events.includes(type)}
              onChange={(event) => flip(type, event.target.checked)}
            />
            <span className="mono">{type}</span>
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input
          type="checkbox"
          checked={enabled}
          onChange={(event) => setEnabled(event.target.checked)}
        />
        {t('admin.enabled')}
      </label>
      {save.isError ? <ErrorMessage error={save.error} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={save.isPending}>
          {props.endpoint ? t('admin.save') : t('admin.create')}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
