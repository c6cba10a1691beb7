/**
 * A process spending API key `keyId`'s requests on the store at `url` for `durationMs`, one
 * attempt every `intervalMs`, printing the instants of the accepted ones: two of them at once
 * prove the key's limit is shared.
 * `node --import tsx api-key-limiter.child.test-support.ts <url> <keyId> <perMinute> <burst> <durationMs> <intervalMs>`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { systemClock } from '../../domain/index.js';
import { openStore } from '../../store/index.js';
import { ApiKeyLimiter } from './api-key-limiter.js';

const [url, keyId, perMinute, burst, durationMs, intervalMs] = process.argv.slice(2);
const store = await openStore({ url: url!, secretKey: Buffer.alloc(32, 1) });
const limiter = new ApiKeyLimiter({
  store,
  clock: systemClock,
  limit: { requestsPerMinute: Number(perMinute), burst: Number(burst) },
});
const accepted: number[] = [];
let refused = 0;
const end = Date.now() + Number(durationMs);
while (Date.now() < end) {
  // A few requests at once, as concurrent connections of one process would send them.
  const decisions = await Promise.all([1, 2, 3].map(() => limiter.take(Number(keyId))));
  for (const decision of decisions) {
    if (decision.allowed) accepted.push(Date.now());
    else refused += 1;
  }
  await sleep(Number(intervalMs));
}
await store.close();
process.stdout.write(JSON.stringify({ accepted, refused }));
