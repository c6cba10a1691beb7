import { request } from './client.js';

/** A text of a card's SMS thread (src/services/sms-service.ts `smsView`). */
export interface SmsMessage {
  id: number;
  direction: 'in' | 'out';
  status: string;
  text: string;
  error: string | null;
  supplierAt: string | null;
  createdAt: string | null;
}

/** An alert raised by a rule or a supplier notice. */
export interface Alert {
  id: number;
  kind?: string;
  rule?: string | null;
  severity?: string;
  message?: string;
  state?: string;
  cardId?: number | null;
  createdAt?: string | number;
  acknowledgedAt?: string | number | null;
}

/** `GET /api/v1/cards/{id}/sms`: the thread both ways, oldest first. */
export async function smsThread(cardId: number): Promise<SmsMessage[]> {
  const answer = await request<{ messages: SmsMessage[] }>('GET', `/api/v1/cards/${cardId}/sms`);
  return answer.messages;
}

/** `POST /api/v1/cards/{id}/sms`: sends a text through the card's supplier. */
export async function sendSms(cardId: number, text: string): Promise<SmsMessage> {
  const answer = await request<SmsMessage | { message: SmsMessage }>(
    'POST',
    `/api/v1/cards/${cardId}/sms`,
    { text },
  );
  return 'message' in answer && typeof answer.message === 'object'
    ? answer.message
    : (answer as SmsMessage);
}

/** `GET /api/v1/alerts`: alerts, optionally of one card or one state. */
export async function listAlerts(query: { card?: number; state?: string } = {}): Promise<Alert[]> {
  const search = new URLSearchParams();
  if (query.card !== undefined) search.set('card', String(query.card));
  if (query.state) search.set('state', query.state);
  const text = search.toString();
  const answer = await request<{ alerts: Alert[] }>(
    'GET',
    `/api/v1/alerts${text ? `?${text}` : ''}`,
  );
  return answer.alerts;
}

/** `POST /api/v1/alerts/{id}/acknowledge`. */
export async function acknowledgeAlert(id: number): Promise<void> {
  await request('POST', `/api/v1/alerts/${id}/acknowledge`, {});
}
