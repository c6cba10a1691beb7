import { SimdockError } from '../../domain/index.js';
import { type BatchResult, type ChangeSpeedOptions, SupplierError } from '../spec/index.js';
import type { AgentClient } from './agent-client.js';

/**
 * Speed limits through the agent open API, one card per call. A card still inside its speed
 * cooldown is refused by the client before any call (`cooldown`, retryable later): its item
 * fails with that reason and no request leaves.
 */
export async function changeAgentCardSpeed(
  client: AgentClient,
  options: ChangeSpeedOptions,
): Promise<BatchResult<Record<string, never>>> {
  const { abortSignal, speedCode } = options;
  const items: BatchResult<Record<string, never>>['items'] = [];
  const bodies: unknown[] = [];
  for (const ref of options.cards) {
    const key = ref.key;
    const card = ref.iccid ? { iccid: ref.iccid } : ref.msisdn ? { simNo: ref.msisdn } : null;
    if (!card) {
      const error = new SupplierError('invalid_argument', 'the card has no ICCID or MSISDN', {
        retryable: false,
      });
      items.push({ key, ok: false, error });
      continue;
    }
    try {
      const answer =
        speedCode !== null
          ? await client.limitCardSpeed(card, speedCode, { abortSignal })
          : await client.unlimitCardSpeed(card, { abortSignal });
      bodies.push(answer);
      items.push({ key, ok: true, value: {} });
    } catch (error) {
      if (abortSignal?.aborted || !SimdockError.isInstance(error)) throw error;
      const failure = SupplierError.isInstance(error)
        ? error
        : new SupplierError(error.code, error.message, { retryable: false, cause: error });
      items.push({ key, ok: false, error: failure });
    }
  }
  return { items, warnings: [], response: { bodies } };
}
