import { api, unwrap } from './client.js';
import type { components } from './schema.js';

/** A text of a card's SMS thread (src/services/sms/sms-service.ts `smsView`). */
export type SmsMessage = components['schemas']['Sms'];

/** An alert raised by a rule or a supplier notice. */
export type Alert = components['schemas']['Alert'];

/** `GET /api/v1/cards/{id}/sms`: the thread both ways, oldest first. */
export async function smsThread(cardId: number): Promise<SmsMessage[]> {
  const answer = await unwrap(
    api.GET('/api/v1/cards/{id}/sms', { params: { path: { id: cardId }, query: { limit: 100 } } }),
  );
  return answer.messages;
}

/** `POST /api/v1/cards/{id}/sms`: sends a text through the card's supplier. */
export async function sendSms(cardId: number, text: string): Promise<SmsMessage> {
  const answer = await unwrap(
    api.POST('/api/v1/cards/{id}/sms', { params: { path: { id: cardId } }, body: { text } }),
  );
  return answer.message;
}

/** `GET /api/v1/alerts`: alerts, optionally of one card or one state. */
export async function listAlerts(
  query: { card?: number; state?: 'open' | 'acknowledged' } = {},
): Promise<Alert[]> {
  const answer = await unwrap(
    api.GET('/api/v1/alerts', { params: { query: { limit: 100, ...query } } }),
  );
  return answer.alerts;
}

/** `POST /api/v1/alerts/{id}/acknowledge`. */
export async function acknowledgeAlert(id: number): Promise<void> {
  await unwrap(api.POST('/api/v1/alerts/{id}/acknowledge', { params: { path: { id } } }));
}
