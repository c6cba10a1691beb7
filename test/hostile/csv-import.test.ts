import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, SimdockError } from '../../src/domain/index.js';
import { createServiceContext, type ServiceContext } from '../../src/services/context.js';
import { importCards } from '../../src/services/inventory/card-import.js';
import { openStore, type Store } from '../../src/store/index.js';
import { createSupplierCatalog } from '../../src/suppliers/catalog.js';
import { nastyString, propertyParameters } from './hostile-support.js';

/** One line of a generated import file and what simdock must make of it. */
type Line =
  | { kind: 'good'; text: string; iccid: string }
  | { kind: 'bad'; text: string }
  | { kind: 'blank'; text: string };

const goodLine: fc.Arbitrary<Line> = fc
  .tuple(fc.bigInt({ min: 0n, max: 10n ** 16n - 1n }), fc.constantFrom('', ' ', '\t'))
  .map(([serial, pad]) => {
    const iccid = `8986${serial.toString().padStart(16, '0')}`;
    return { kind: 'good', text: `${pad}${iccid}${pad}`, iccid };
  });

/** Lines no identifier parser may accept: letters beyond hex, two cells, broken quotes, junk. */
const badLine: fc.Arbitrary<Line> = fc
  .oneof(
    fc.stringMatching(/^[G-Zg-z][0-9]{5,25}$/),
    fc.stringMatching(/^[0-9]{1,4}$/),
    fc.stringMatching(/^[0-9]{21,40}$/),
    fc
      .tuple(fc.stringMatching(/^[0-9]{19}$/), fc.stringMatching(/^[0-9]{5,12}$/))
      .map(([a, b]) => `${a},${b}`),
    fc.stringMatching(/^[0-9]{19}$/).map((digits) => `"${digits}`),
    fc.stringMatching(/^[0-9]{19}$/).map((digits) => `${digits.slice(0, 5)}"${digits.slice(5)}`),
    nastyString
      .map((text) => `x${text.replace(/[\r\n,]/g, '')}`)
      .filter((text) => /[g-z]/i.test(text)),
  )
  .map((text) => ({ kind: 'bad', text }));

const blankLine: fc.Arbitrary<Line> = fc
  .constantFrom('', ' ', '\t', ',', ' , ')
  .map((text) => ({ kind: 'blank', text }));

/**
 * The card import over random files: every bad line is reported with its number, every good
 * line is imported once (duplicates reported), a file refused as a whole writes nothing, and
 * importing the same file again changes nothing.
 */
describe('card import over hostile files', () => {
  let store: Store;
  let context: ServiceContext;
  let account = 0;
  beforeAll(async () => {
    const clock = new ManualClock(Date.UTC(2024, 10, 26));
    store = await openStore({ url: 'sqlite::memory:', clock, secretKey: Buffer.alloc(32, 3) });
    context = createServiceContext({ store, catalog: createSupplierCatalog(), clock });
  });
  afterAll(() => store.close());

  async function freshAccount(): Promise<string> {
    account += 1;
    const id = `csv-${account}`;
    await store.accounts.upsert({
      id,
      type: 'onelink-v2',
      settings: { baseUrl: 'http://onelink.test/v2', appid: 'a', ebids: {} },
      secrets: { password: 'p' },
    });
    return id;
  }

  it('reports each bad line by number and imports each good one', async () => {
    const file = fc.record({
      lines: fc.array(fc.oneof({ weight: 3, arbitrary: goodLine }, badLine, blankLine), {
        minLength: 1,
        maxLength: 30,
      }),
      ending: fc.constantFrom('\n', '\r\n', '\r'),
      bom: fc.boolean(),
      trailing: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(file, async ({ lines, ending, bom, trailing }) => {
        const accountId = await freshAccount();
        const text = `${bom ? '\uFEFF' : ''}${lines.map((line) => line.text).join(ending)}${trailing ? ending : ''}`;
        const before = await store.cards.list({ account: accountId, limit: 1000 });
        let summary: Awaited<ReturnType<typeof importCards>>;
        try {
          summary = await importCards(context, accountId, text, 'hostile');
        } catch (error) {
          // The only whole-file refusal: a first line that reads like a header naming no
          // identifier column. It is a typed error naming line 1, and nothing was written.
          expect(SimdockError.isInstance(error), String(error)).toBe(true);
          expect((error as Error).message).toMatch(/^line 1:/);
          expect(lines[0]!.text).toContain(',');
          const after = await store.cards.list({ account: accountId, limit: 1000 });
          expect(after.cards).toHaveLength(before.cards.length);
          return;
        }
        const expectedProblems = new Set<number>();
        const firstLineOf = new Map<string, number>();
        lines.forEach((line, index) => {
          if (line.kind === 'bad') expectedProblems.add(index + 1);
          if (line.kind !== 'good') return;
          if (firstLineOf.has(line.iccid)) expectedProblems.add(index + 1);
          else firstLineOf.set(line.iccid, index + 1);
        });
        expect(summary.problems.map((problem) => problem.line).sort((a, b) => a - b)).toEqual(
          [...expectedProblems].sort((a, b) => a - b),
        );
        for (const problem of summary.problems) expect(problem.reason).not.toBe('');
        expect(summary.inserted).toBe(firstLineOf.size);
        const { cards } = await store.cards.list({ account: accountId, limit: 1000 });
        expect(cards.map((card) => card.iccid).sort()).toEqual([...firstLineOf.keys()].sort());
        // Idempotent: the same file again inserts nothing and reports the same lines.
        const again = await importCards(context, accountId, text, 'hostile');
        expect(again.inserted).toBe(0);
        expect(again.existing).toBe(firstLineOf.size);
        expect(again.problems.map((problem) => problem.line)).toEqual(
          summary.problems.map((problem) => problem.line),
        );
      }),
      propertyParameters(40),
    );
  });

  it('never throws anything but a typed error on arbitrary text', async () => {
    const accountId = await freshAccount();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })),
        async (text) => {
          try {
            const summary = await importCards(context, accountId, text, 'hostile');
            for (const problem of summary.problems) {
              expect(problem.line).toBeGreaterThanOrEqual(1);
              expect(problem.line).toBeLessThanOrEqual(text.split(/\r\n|\n|\r/).length);
            }
          } catch (error) {
            expect(SimdockError.isInstance(error), String(error)).toBe(true);
          }
        },
      ),
      propertyParameters(60),
    );
  });
});
