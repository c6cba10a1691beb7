import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/domain/index.js';
import { en } from '../../web/src/i18n/en.js';
import { zhCN } from '../../web/src/i18n/zh-cn.js';

/** Every leaf key of a catalogue, dotted (`cards.columns.iccid`). */
function keys(catalogue: object, prefix = ''): string[] {
  return Object.entries(catalogue).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : keys(value as object, `${prefix}${key}.`),
  );
}

function leaves(catalogue: object): string[] {
  return Object.values(catalogue).flatMap((value) =>
    typeof value === 'string' ? [value] : leaves(value as object),
  );
}

describe('console catalogues', () => {
  it('zh-CN and en have exactly the same keys', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
    expect(keys(en).length).toBeGreaterThan(150);
  });

  it('no text is empty, and the Chinese catalogue is Chinese', () => {
    for (const text of [...leaves(en), ...leaves(zhCN)]) expect(text.trim()).not.toBe('');
    const chinese = leaves(zhCN).filter((text) => /[\u4e00-\u9fff]/.test(text));
    expect(chinese.length / leaves(zhCN).length).toBeGreaterThan(0.8);
  });

  it('translates every error code the API sends', () => {
    for (const code of ERROR_CODES) {
      expect(en.errors).toHaveProperty(code);
      expect(zhCN.errors).toHaveProperty(code);
    }
  });

  it('keeps the same {{placeholders}} in both languages', () => {
    const placeholders = (text: string) => (text.match(/\{\{\w+\}\}/g) ?? []).sort();
    const english = Object.fromEntries(keys(en).map((key, index) => [key, leaves(en)[index]!]));
    const chinese = Object.fromEntries(keys(zhCN).map((key, index) => [key, leaves(zhCN)[index]!]));
    for (const key of Object.keys(english)) {
      expect(placeholders(chinese[key]!), key).toEqual(placeholders(english[key]!));
    }
  });
});
