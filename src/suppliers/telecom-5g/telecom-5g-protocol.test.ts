import { describe, expect, it } from 'vitest';
import { SupplierError } from '../spec/index.js';
import fixtures from './__fixtures__/telecom-5g-sign-vectors.json' with { type: 'json' };
import { withTelecom5gSigning } from './telecom-5g-client.js';
import {
  assertTelecom5gOk,
  parseTelecom5gAnswer,
  telecom5gSign,
  telecom5gSortedQuery,
  telecom5gTimestamp,
} from './telecom-5g-protocol.js';

describe('telecom-5g Sign (the notes’ vectors)', () => {
  it.each(fixtures.vectors.map((vector) => [vector.name, vector] as const))('%s', (_, vector) => {
    const sign = telecom5gSign({
      ...vector,
      query: vector.query as unknown as Record<string, string>,
    });
    expect(sign).toBe(vector.sign.toUpperCase());
    expect(sign).toHaveLength(64);
    if (vector.md5) expect(Buffer.from(sign, 'hex').toString('ascii')).toBe(vector.md5);
  });

  it('sorts the query by key and leaves it empty when there is none', () => {
    expect(telecom5gSortedQuery({ c: '3', a: '1', b: '2' })).toBe('a=1&b=2&c=3');
    expect(telecom5gSortedQuery({})).toBe('');
  });

  it('writes the Timestamp in GMT, not China Standard Time', () => {
    expect(telecom5gTimestamp(Date.UTC(2020, 10, 1, 2, 14, 35))).toBe('20201101021435');
  });

  it('signs each request with the three headers over the exact body sent', async () => {
    const seen: Headers[] = [];
    const signed = withTelecom5gSigning(
      async (_input, init) => {
        seen.push(new Headers(init?.headers));
        return new Response('{}');
      },
      {
        appKey: 'k',
        secretKey: fixtures.vectors[0]!.secretKey,
        clock: { now: () => Date.UTC(2020, 10, 1, 2, 14, 35), sleep: async () => {} },
      },
    );
    await signed('https://cmp.test/x?c=3&a=1&b=2', {
      method: 'POST',
      body: fixtures.vectors[0]!.body,
    });
    expect(seen[0]!.get('AppKey')).toBe('k');
    expect(seen[0]!.get('Timestamp')).toBe('20201101021435');
    expect(seen[0]!.get('Sign')).toBe(fixtures.vectors[0]!.sign.toUpperCase());
  });
});

describe('telecom-5g client against a server written from the notes alone', () => {
  it('signs a GET over its sorted query with an empty body (the notes’ GET vector)', async () => {
    const vector = fixtures.vectors[1]!;
    const seen: Headers[] = [];
    const signed = withTelecom5gSigning(
      async (_input, init) => {
        seen.push(new Headers(init?.headers));
        return new Response('{}');
      },
      {
        appKey: 'k',
        secretKey: vector.secretKey,
        clock: { now: () => Date.UTC(2024, 0, 2, 3, 4, 5), sleep: async () => {} },
      },
    );
    await signed('https://cmp.test/api/v1/x?needDtl=0&access_number=14900000000', {
      method: 'GET',
    });
    expect(seen[0]!.get('Timestamp')).toBe(vector.timestamp);
    expect(seen[0]!.get('Sign')).toBe(vector.sign.toUpperCase());
  });
});

describe('telecom-5g answers', () => {
  it('reads JSON envelopes ({code,msg}, {result,resultMsg}) and XML SvcCont', () => {
    expect(parseTelecom5gAnswer('{"code":0,"msg":"查询成功","data":[]}').code).toBe('0');
    expect(parseTelecom5gAnswer('{"result":"0","resultMsg":"成功"}').code).toBe('0');
    const xml = parseTelecom5gAnswer(
      '<SvcCont><Response><RspType>1</RspType><RspCode>100008</RspCode><RspDesc>待激活</RspDesc></Response></SvcCont>',
    );
    expect(xml).toMatchObject({ code: '100008', message: '待激活' });
    const error = (() => {
      try {
        assertTelecom5gOk(xml);
      } catch (caught) {
        return caught as SupplierError;
      }
      return null;
    })();
    expect(error?.code).toBe('conflict');
    expect(error?.supplierCode).toBe('100008');
  });

  it('turns broken bodies into a retryable supplier_bad_response', () => {
    for (const broken of ['{"code":0,"da', '<SvcCont><Response>', '[]', 'Bad Gateway']) {
      const error = (() => {
        try {
          parseTelecom5gAnswer(broken);
        } catch (caught) {
          return caught as SupplierError;
        }
        return null;
      })();
      expect(SupplierError.isInstance(error), broken).toBe(true);
      expect(error?.code).toBe('supplier_bad_response');
      expect(error?.retryable).toBe(true);
    }
  });
});
