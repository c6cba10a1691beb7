import { describe, expect, it } from 'vitest';
import { ManualClock, SimdockError } from '../../domain/index.js';
import { CallCounter, secretFieldNames } from '../spec/index.js';
import { onelinkV2Definition } from './onelink-v2-definition.js';
import { createOnelinkV2Simulator } from './onelink-v2-simulator.js';

const valid = {
  appid: '100001',
  password: 'Passw0rd',
  ebids: { batchquerycardinfo: '0001000000928', batchgprsusedbydate: '0001000000027' },
};

function configError(raw: Record<string, unknown>): SimdockError {
  try {
    onelinkV2Definition.parseSettings(raw);
  } catch (error) {
    if (SimdockError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a config error');
}

describe('onelinkV2Definition', () => {
  it('describes the account settings as data, the password secret', () => {
    expect(onelinkV2Definition.type).toBe('onelink-v2');
    expect(onelinkV2Definition.name).toBe('China Mobile OneLink (API v2)');
    expect(onelinkV2Definition.credentialFields.map((field) => [field.name, field.kind])).toEqual([
      ['baseUrl', 'url'],
      ['appid', 'text'],
      ['password', 'secret'],
      ['ebids', 'map'],
    ]);
    expect(secretFieldNames(onelinkV2Definition.credentialFields)).toEqual(['password']);
    const ebids = onelinkV2Definition.credentialFields.find((field) => field.name === 'ebids');
    expect(ebids?.keys).toEqual(['batchquerycardinfo', 'batchgprsusedbydate']);
  });

  it('parses settings, defaulting the API root and dropping keys it does not know', () => {
    expect(onelinkV2Definition.parseSettings({ ...valid, type: 'onelink-v2' })).toEqual({
      ...valid,
      baseUrl: 'https://api.iot.10086.cn/v2',
    });
    expect(
      onelinkV2Definition.parseSettings({
        ...valid,
        baseUrl: 'http://127.0.0.1:9000/v2',
        ebids: { batchquerycardinfo: 'x' },
        method: 'POST',
      }),
    ).toMatchObject({ ebids: { batchquerycardinfo: 'x' }, method: 'POST' });
  });

  it.each([
    [{ ...valid, appid: '' }, 'appid'],
    [{ ...valid, appid: 'x'.repeat(27) }, 'appid'],
    [{ ...valid, password: undefined }, 'password'],
    [{ ...valid, ebids: undefined }, 'ebids'],
    [{ ...valid, ebids: {} }, 'ebids'],
    [{ ...valid, ebids: { batchquerycardinfo: '' } }, 'ebids.batchquerycardinfo'],
    [{ ...valid, baseUrl: 'ftp://example' }, 'baseUrl'],
    [{ ...valid, method: 'PUT' }, 'method'],
  ])('refuses bad settings with a config_error naming the key (%#)', (raw, key) => {
    const error = configError(raw as Record<string, unknown>);
    expect(error.code).toBe('config_error');
    expect(error.message).toContain(`"${key}"`);
    expect(error.details.key).toBe(key);
    expect(error.message).not.toContain('Passw0rd');
  });

  it('creates an adapter on the standard transport: call counting and HTTP errors included', async () => {
    const clock = new ManualClock();
    const simulator = createOnelinkV2Simulator({ ...valid, size: 10, clock });
    const callCounter = new CallCounter();
    const adapter = onelinkV2Definition.create(
      'acct-1',
      onelinkV2Definition.parseSettings({ ...valid, baseUrl: 'http://onelink.test' }),
      { fetch: simulator.fetch, clock, callCounter, rateLimit: 0 },
    );
    expect(adapter.accountId).toBe('acct-1');
    await adapter.doGetIdentities!({ cards: [{ key: 'a', msisdn: '1064826090232' }] });
    expect(callCounter.byPath.get('/v2/batchquerycardinfo')).toBe(1);
    simulator.faults.set({ serverErrorRate: 1 });
    await expect(
      adapter.doGetIdentities!({ cards: [{ key: 'a', msisdn: '1064826090232' }] }),
    ).rejects.toMatchObject({ code: 'supplier_unavailable', httpStatus: 500 });
  });

  it('rate-limits to 5 calls per second unless told otherwise', async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26, 2, 0, 0), { autoAdvance: true });
    const simulator = createOnelinkV2Simulator({ ...valid, size: 1000, clock });
    const adapter = onelinkV2Definition.create('acct-2', onelinkV2Definition.parseSettings(valid), {
      fetch: simulator.fetch,
      clock,
    });
    const start = clock.now();
    const cards = Array.from({ length: 1000 }, (_, index) => ({
      key: `k${index}`,
      iccid: simulator.fleet.card(index).iccid,
    }));
    const result = await adapter.doGetIdentities!({ cards });
    expect(result.items.every((item) => item.ok)).toBe(true);
    expect(simulator.callLog.total).toBe(10);
    // 10 calls at 5/s with a burst of 5: the last five wait 200 ms each.
    expect(clock.now() - start).toBeGreaterThanOrEqual(1000);
  });
});
