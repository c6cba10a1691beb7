/**
 * A process taking `count` tokens of account `acct` on the SQLite file `url` at `rate` calls a
 * second, printing the instant of each take: two of them at once prove the bucket is shared.
 * `node --import tsx shared-limiter.child.test-support.ts <url> <rate> <count>`.
 */
import { systemClock } from '../../domain/index.js';
import { openStore } from '../../store/index.js';
import { SharedCallLimiter } from './shared-limiter.js';

const [url, rate, count] = process.argv.slice(2);
const store = await openStore({ url: url!, secretKey: Buffer.alloc(32, 1) });
const limiter = new SharedCallLimiter({
  store,
  account: 'acct',
  ratePerSecond: Number(rate),
  share: 1,
  clock: systemClock,
});
const times: number[] = [];
for (let call = 0; call < Number(count); call += 1) {
  await limiter.take();
  times.push(Date.now());
}
await store.close();
process.stdout.write(JSON.stringify(times));
