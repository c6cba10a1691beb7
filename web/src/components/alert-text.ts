import type { TFunction } from 'i18next';
import { formatBytes } from '../format.js';

/** What an alert or a rule-preview match says, as the API gives it (`code` and `params`). */
export interface CodedText {
  code?: string;
  params?: Record<string, string | number | null>;
  message?: string;
}

/** Parameters holding bytes (formatted as KB/MB/GB) and card statuses (named in the language). */
const BYTE_PARAMS = new Set(['usedBytes', 'limitBytes', 'quotaBytes', 'bytes', 'medianBytes']);
const STATUS_PARAMS = new Set(['status', 'previousStatus']);
const BYTE_SUFFIX = /Bytes$/;

/** The sentence of a coded text in the current language; unknown parameters read as a dash. */
export function codedText(t: TFunction, text: CodedText): string {
  const code = text.code ?? 'other';
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(text.params ?? {})) {
    if (value === null) params[key] = '—';
    else if (BYTE_PARAMS.has(key) || BYTE_SUFFIX.test(key))
      params[key] = formatBytes(Number(value));
    else if (STATUS_PARAMS.has(key))
      params[key] = t(`status.${value}`, { defaultValue: String(value) });
    else params[key] = String(value);
  }
  if (code === 'usage_over' && (text.params?.percent ?? null) === null) {
    return t('alertCodes.usage_over_bytes', params);
  }
  if (code === 'other') {
    const kind = params.kind ?? '—';
    return t('alertCodes.other', {
      kind: t(`alertKinds.${kind.replace(/[.:]/g, '_')}`, { defaultValue: kind }),
    });
  }
  return t(`alertCodes.${code}`, params);
}
