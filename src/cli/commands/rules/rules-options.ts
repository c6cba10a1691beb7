import { SimdockError } from '../../../domain/index.js';
import type { ServiceContext } from '../../../services/context.js';
import { findCard } from '../../../services/inventory/cards.js';

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * A byte count from the command line: whole bytes (`1048576`) or a number with a unit, where
 * simdock's units are binary like the suppliers' (`500MB` = 500 × 1024 × 1024 bytes).
 */
export function parseByteSize(text: string, option: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = UNITS[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined) {
    throw new SimdockError(
      'invalid_argument',
      `${option}: "${text}" is not a size (bytes, or a number with KB, MB, GB or TB)`,
    );
  }
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new SimdockError('invalid_argument', `${option}: "${text}" is not a positive size`);
  }
  return bytes;
}

/** A number option (`--percent 80`), checked. */
export function parseNumber(text: string, option: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value)) {
    throw new SimdockError('invalid_argument', `${option}: "${text}" is not a number`);
  }
  return value;
}

/** Card ids of identifiers (ICCID, MSISDN or IMSI), each resolved to exactly one card. */
export async function resolveCardIds(
  context: ServiceContext,
  identifiers: readonly string[],
): Promise<number[]> {
  const ids: number[] = [];
  for (const identifier of identifiers) ids.push((await findCard(context, identifier)).id);
  return ids;
}
