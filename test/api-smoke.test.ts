import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiHarness } from './api-harness.js';

describe('api smoke', () => {
  let api: ApiHarness;
  beforeEach(async () => {
    api = await ApiHarness.open();
  });
  afterEach(() => api.close());

  it('lists cards', async () => {
    const result = await api.json('GET', '/api/v1/cards');
    expect(result.status, JSON.stringify(result.body)).toBe(200);
    expect(result.body.cards).toHaveLength(12);
    const acme = await api.json('GET', '/api/v1/cards', { key: 'acmeViewer' });
    expect(acme.body.cards.map((card: { id: number }) => card.id)).toEqual(api.cards.acme);
  });
});
