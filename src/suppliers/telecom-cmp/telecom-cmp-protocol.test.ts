import { describe, expect, it } from 'vitest';
import { SupplierError } from '../spec/index.js';
import vectors from './__fixtures__/telecom-cmp-vectors.json' with { type: 'json' };
import {
  splitTelecomCmpKey,
  TelecomCmpCipher,
  telecomCmpDecrypt,
  telecomCmpEncrypt,
} from './telecom-cmp-des.js';
import {
  assertTelecomCmpOk,
  firstValue,
  parseTelecomCmpAnswer,
  telecomCmpSignature,
  telecomCmpSignText,
  telecomCmpTrafficBytes,
} from './telecom-cmp-protocol.js';

describe('telecom-cmp strEnc (the notes’ vectors)', () => {
  it('cuts the key into three 3-character keys', () => {
    expect(splitTelecomCmpKey(vectors.key)).toEqual(['abc', '123', 'XYZ']);
  });

  it('encrypts the password to the notes’ passWord', () => {
    expect(telecomCmpEncrypt(vectors.password, vectors.key)).toBe(vectors.passWord);
  });

  it('sorts the values in code-unit order and encrypts them to the notes’ sign', () => {
    const text = telecomCmpSignText([
      vectors.access_number,
      vectors.user_id,
      vectors.password,
      vectors.method,
    ]);
    expect(text).toBe(vectors.sortedPlainText);
    const cipher = TelecomCmpCipher.fromKey(vectors.key);
    expect(
      telecomCmpSignature(cipher, vectors.password, [
        vectors.user_id,
        vectors.method,
        vectors.access_number,
        vectors.password,
      ]),
    ).toEqual({ passWord: vectors.passWord, sign: vectors.sign });
  });

  it('is ECB: equal 4-character blocks give equal 16-character output', () => {
    // The sign's text starts "1410", "0000", "0000": its second and third blocks are equal.
    expect(vectors.sign.slice(16, 32)).toBe(vectors.sign.slice(32, 48));
    expect(telecomCmpEncrypt('abcdabcd', vectors.key).slice(0, 16)).toBe(
      telecomCmpEncrypt('abcd', vectors.key),
    );
  });

  it('decrypts its own output, CJK text included, dropping the zero padding', () => {
    const text = '{"resultMsg":"成功","simList":[]}';
    expect(telecomCmpDecrypt(telecomCmpEncrypt(text, vectors.key), vectors.key)).toBe(text);
    expect(telecomCmpDecrypt(vectors.sign, vectors.key)).toBe(vectors.sortedPlainText);
  });

  it('differs from standard DES key scheduling (a key change changes every block)', () => {
    expect(telecomCmpEncrypt('pass1234', 'abc123XYY')).not.toBe(vectors.passWord);
  });

  it('refuses hex that is not whole blocks', () => {
    expect(() => telecomCmpDecrypt('ABC', vectors.key)).toThrow(RangeError);
  });

  it('sorts like Java Arrays.sort: upper case before lower case, empty first', () => {
    expect(telecomCmpSignText(['b', 'B', '', 'a1', 'A'])).toBe(',A,B,a1,b');
  });
});

describe('telecom-cmp answers', () => {
  it('reads XML traffic answers and their MB figures', () => {
    const answer = parseTelecomCmpAnswer(
      '<?xml version="1.0"?><root><web_NEW_DATA_TICKET_QRsp><IRESULT>0</IRESULT><TOTAL_BYTES_CNT>1.50MB</TOTAL_BYTES_CNT></web_NEW_DATA_TICKET_QRsp></root>',
    );
    expect(answer.format).toBe('xml');
    expect(answer.code).toBe('0');
    expect(telecomCmpTrafficBytes('1.50MB')).toBe(1_572_864);
    expect(telecomCmpTrafficBytes('512KB')).toBe(524_288);
    expect(telecomCmpTrafficBytes('-1MB')).toBeNull();
    expect(telecomCmpTrafficBytes('n/a')).toBeNull();
  });

  it('reads the short change answer: a 2-character code and the message', () => {
    const answer = parseTelecomCmpAnswer('00受理成功，流水号：123');
    expect(answer).toMatchObject({ code: '00', message: '受理成功，流水号：123', format: 'text' });
    expect(() => assertTelecomCmpOk(answer)).not.toThrow();
  });

  it('decrypts encrypted answers with the account key', () => {
    const cipher = TelecomCmpCipher.fromKey(vectors.key);
    const answer = parseTelecomCmpAnswer(cipher.encrypt('{"resultCode":"0","description":{}}'), {
      cipher,
    });
    expect(answer.format).toBe('json');
    expect(answer.code).toBe('0');
  });

  it('maps refusals to typed errors and broken bodies to retryable bad responses', () => {
    const refused = parseTelecomCmpAnswer(
      '<root><RspCode>-2</RspCode><RspDesc>用户名或密码错误</RspDesc></root>',
    );
    const error = (() => {
      try {
        assertTelecomCmpOk(refused);
      } catch (caught) {
        return caught as SupplierError;
      }
      return null;
    })();
    expect(error?.code).toBe('supplier_auth_failed');
    expect(error?.supplierCode).toBe('-2');
    for (const broken of ['<root><IRESULT>0</IRE', '{"resultCode":', '']) {
      const failure = (() => {
        try {
          parseTelecomCmpAnswer(broken);
        } catch (caught) {
          return caught as SupplierError;
        }
        return null;
      })();
      expect(SupplierError.isInstance(failure)).toBe(true);
      expect(failure?.code).toBe('supplier_bad_response');
      expect(failure?.retryable).toBe(true);
    }
  });
});

describe('telecom-cmp client against a server written from the notes alone', () => {
  it('sends the notes’ passWord and sign for the notes’ queryTraffic inputs', async () => {
    const { TelecomCmpClient } = await import('./telecom-cmp-client.js');
    const requests: URL[] = [];
    const client = new TelecomCmpClient({
      accountId: 'notes',
      baseUrl: 'http://api.ct10649.com:9001',
      userId: vectors.user_id,
      password: vectors.password,
      key: vectors.key,
      fetch: async (input) => {
        requests.push(new URL(String(input)));
        return new Response(
          '<root><IRESULT>0</IRESULT><TOTAL_BYTES_CNT>2.00MB</TOTAL_BYTES_CNT></root>',
        );
      },
    });
    const answer = await client.queryTraffic({ access_number: vectors.access_number });
    const url = requests[0]!;
    expect(`${url.origin}${url.pathname}`).toBe('http://api.ct10649.com:9001/m2m_ec/query.do');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      method: vectors.method,
      user_id: vectors.user_id,
      access_number: vectors.access_number,
      password: vectors.passWord,
      sign: vectors.sign,
    });
    expect(telecomCmpTrafficBytes(firstValue(answer.body, ['TOTAL_BYTES_CNT']))).toBe(
      2 * 1024 * 1024,
    );
  });
});
