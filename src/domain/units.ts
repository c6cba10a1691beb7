/** Usage is stored and exchanged as integer bytes. Suppliers' KB and MB are binary (1024). */
export const BYTES_PER_KB = 1024;
export const BYTES_PER_MB = 1024 * 1024;
export const BYTES_PER_GB = 1024 * 1024 * 1024;

/** Whole bytes from a supplier's KB figure (a number or a numeric string); null when unknown. */
export function kbToBytes(kb: number | string | null | undefined): number | null {
  return scaled(kb, BYTES_PER_KB);
}

/** Whole bytes from a supplier's MB figure, decimals allowed (Quectel); null when unknown. */
export function mbToBytes(mb: number | string | null | undefined): number | null {
  return scaled(mb, BYTES_PER_MB);
}

/** Whole bytes from a supplier's byte figure (the agent API); null when unknown or negative. */
export function toBytes(bytes: number | string | null | undefined): number | null {
  return scaled(bytes, 1);
}

function scaled(value: number | string | null | undefined, factor: number): number | null {
  if (value === null || value === undefined) return null;
  const text = typeof value === 'string' ? value.trim() : value;
  if (text === '') return null;
  const number = Number(text);
  if (!Number.isFinite(number) || number < 0) return null;
  // A figure too large to be a whole number of bytes (1e308 KB) is nonsense, not Infinity.
  const bytes = Math.round(number * factor);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

export function bytesToKb(bytes: number): number {
  return bytes / BYTES_PER_KB;
}

export function bytesToMb(bytes: number): number {
  return bytes / BYTES_PER_MB;
}

/** A short human figure: `0 B`, `812 KB`, `1.5 MB`, `3.02 GB`. */
export function formatBytes(bytes: number | null): string {
  if (bytes === null) return '—';
  if (bytes < BYTES_PER_KB) return `${bytes} B`;
  if (bytes < BYTES_PER_MB) return `${round(bytes / BYTES_PER_KB)} KB`;
  if (bytes < BYTES_PER_GB) return `${round(bytes / BYTES_PER_MB)} MB`;
  return `${round(bytes / BYTES_PER_GB)} GB`;
}

function round(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}
