import { api, unwrap } from './client.js';
import type { components } from './schema.js';

/** A card export run as a job, as `GET /api/v1/cards/exports/{id}` answers. */
export type CardExport = components['schemas']['CardExport'];

/** What an export is asked with: the card list's filters, sort and order, and a format. */
export type CardExportRequest = components['schemas']['CardExportRequest'];

/** States an export leaves no more. */
export const FINISHED_EXPORT_STATES = new Set(['succeeded', 'failed', 'cancelled', 'expired']);

/** `POST /api/v1/cards/exports`: records and starts an export job. */
export function startCardExport(body: CardExportRequest): Promise<CardExport> {
  return unwrap(api.POST('/api/v1/cards/exports', { body }));
}

/** `GET /api/v1/cards/exports/{id}`. */
export function getCardExport(id: number): Promise<CardExport> {
  return unwrap(api.GET('/api/v1/cards/exports/{id}', { params: { path: { id } } }));
}

/** `POST /api/v1/cards/exports/{id}/cancel`. */
export function cancelCardExport(id: number): Promise<CardExport> {
  return unwrap(api.POST('/api/v1/cards/exports/{id}/cancel', { params: { path: { id } } }));
}

/** `GET /api/v1/cards/exports`: the caller's tenant's exports, newest first. */
export async function listCardExports(limit = 20): Promise<CardExport[]> {
  return (await unwrap(api.GET('/api/v1/cards/exports', { params: { query: { limit } } }))).exports;
}
