import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../store/index.js';
import { EventOutbox } from '../../store/repositories/event-outbox.js';

describe('event outbox', () => {
  let store: Store;
  afterEach(async () => store?.close());

  it('stores events once per event id and reads them in order', async () => {
    store = await openStore({ url: 'sqlite::memory:', secretKey: Buffer.alloc(32, 1) });
    const outbox = new EventOutbox(store, () => 1000);
    const first = {
      type: 'sms.received' as const,
      subject: '1064000000001',
      data: { text: 'hi' },
      eventId: 'm2m:1',
    };
    expect(await outbox.emit([first, first])).toBe(1);
    expect(await outbox.emit([{ type: 'job.completed', data: { id: 'j1' } }])).toBe(1);
    const events = await outbox.after(0);
    expect(events.map((event) => event.type)).toEqual(['sms.received', 'job.completed']);
    expect(events[0]).toMatchObject({ eventId: 'm2m:1', data: { text: 'hi' }, createdAt: 1000 });
    expect(await outbox.after(events[0]!.id, { type: 'job.completed' })).toHaveLength(1);
  });
});
