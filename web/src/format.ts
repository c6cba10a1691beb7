/** Bytes as a short figure in binary units (KB = 1024 bytes, as the suppliers count). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** An ISO instant or epoch milliseconds in the viewer's locale; null is a dash. */
export function formatInstant(value: string | number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(locale, { hour12: false });
}

/** A count with the locale's grouping. */
export function formatCount(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString(locale);
}

/** Bytes to mebibytes for charts (two decimals). */
export function toMegabytes(bytes: number): number {
  return Math.round((bytes / 1024 / 1024) * 100) / 100;
}
