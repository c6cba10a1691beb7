import i18next, { type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { CARD_STATUSES, DEVICE_SLOTS } from '../src/domain/index.js';
import { SEVERITIES } from '../src/domain/rules-model.js';
import { IMPORT_PROBLEM_CODES } from '../src/services/inventory/card-import.js';
import { ALERT_CODES, alertCode } from '../src/services/rules/alert-codes.js';
import { createSupplierCatalog } from '../src/suppliers/catalog.js';
import { codedText } from '../web/src/components/alert-text.js';
import {
  actorLabel,
  auditActionLabel,
  filterExpressionText,
  ruleConditionText,
  supplierLabel,
  syncKindLabel,
} from '../web/src/components/labels.js';
import { en } from '../web/src/i18n/en.js';
import { zhCN } from '../web/src/i18n/zh-cn.js';

/** Latin words outside identifiers, units and brands (the zh-CN walk's rule, in brief). */
function english(text: string): string[] {
  return text
    .split(/[\s，。、；：（）()·→%,]+/u)
    .filter((token) => /[A-Za-z]/.test(token) && !/[0-9\-_@./:]/.test(token))
    .filter(
      (token) =>
        ![
          'ICCID',
          'MSISDN',
          'IMSI',
          'CSV',
          'IMEI',
          'B',
          'MB',
          'KB',
          'GB',
          'API',
          'SMS',
          'simdock',
          'eSIM',
          'OneLink',
          'M2M',
        ].includes(token),
    );
}

describe('console labels for codes and enums', () => {
  let zh: TFunction;
  let english_: TFunction;
  beforeAll(async () => {
    const instance = i18next.createInstance();
    await instance.init({
      resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
      lng: 'zh-CN',
      interpolation: { escapeValue: false },
    });
    zh = instance.getFixedT('zh-CN');
    english_ = instance.getFixedT('en');
  });

  it('renders each alert of the rules in Chinese, from the code and parameters the API gives', () => {
    const usage = alertCode('usage', {
      usedBytes: 926 * 1024 ** 2,
      limitBytes: 921 * 1024 ** 2,
      quotaBytes: 1024 ** 3,
      percentUsed: 90.43,
      cycleStart: '2026-12-01',
      cycleEnd: '2026-12-31',
    });
    expect(usage.code).toBe('usage_over');
    expect(codedText(zh, usage)).toBe(
      '本周期（2026-12-01 至 2026-12-31）已用 926 MB，达到额度 1.00 GB 的 90.43%',
    );
    expect(codedText(english_, usage)).toBe(
      'used 926 MB this cycle (2026-12-01 to 2026-12-31), 90.43 % of 1.00 GB',
    );
    expect(codedText(zh, alertCode('expiry', { expiresOn: '2026-12-04', daysLeft: 0 }))).toBe(
      '将于 2026-12-04 到期（还剩 0 天）',
    );
    expect(codedText(zh, alertCode('expiry', { expiresOn: '2026-12-01', daysLeft: -3 }))).toBe(
      '已于 2026-12-01 到期',
    );
    expect(
      codedText(zh, alertCode('status_changed', { previousStatus: 'active', status: 'suspended' })),
    ).toBe('供应商变更了状态：正常 → 停机');
    const samples: Record<string, Record<string, unknown>> = {
      usage: {
        usedBytes: 2048,
        limitBytes: 1024,
        cycleStart: '2026-12-01',
        cycleEnd: '2026-12-31',
      },
      anomaly: { date: '2026-12-01', bytes: 10, medianBytes: 2 },
      idle: { days: 3, from: '2026-12-01', to: '2026-12-03' },
      imei_changed: { previousImei: '1', imei: '2' },
      'supplier.flow_over': { overBytes: 5, usedBytes: 6, plan: '1' },
      'supplier.flow_near': { nearBytes: 5, usedBytes: 4, plan: '1' },
      'supplier.something_new': {},
    };
    const seen = new Set<string>();
    for (const [kind, data] of Object.entries(samples)) {
      const coded = alertCode(kind, data);
      seen.add(coded.code);
      expect(english(codedText(zh, coded)), kind).toEqual([]);
    }
    for (const code of ALERT_CODES) {
      expect(zh(`alertCodes.${code}`), code).not.toBe(`alertCodes.${code}`);
    }
    expect(seen.size).toBeGreaterThan(5);
  });

  it('names every enum the API returns in Chinese', () => {
    const values = [
      ...CARD_STATUSES.map((status) => zh(`status.${status}`)),
      ...SEVERITIES.map((severity) => zh(`dashboard.severity.${severity}`)),
      ...DEVICE_SLOTS.map((slot) => zh(`deviceSlots.${slot}`)),
      ...IMPORT_PROBLEM_CODES.map((code) => zh(`importProblems.${code}`, { line: 2 })),
      ...createSupplierCatalog()
        .definitions()
        .map((definition) => supplierLabel(zh, definition.type)),
      syncKindLabel(zh, 'full'),
      auditActionLabel(zh, 'sms.send'),
      auditActionLabel(zh, 'sync'),
      auditActionLabel(zh, 'rules.update'),
      auditActionLabel(zh, 'cards.pause'),
      auditActionLabel(zh, 'devices.switch-network'),
      actorLabel(zh, 'user:admin@demo.local'),
      actorLabel(zh, 'rules:pause'),
      actorLabel(zh, 'job:12'),
      actorLabel(zh, 'quectel:list'),
      actorLabel(zh, 'sync'),
      ruleConditionText(zh, 'usage', { percent: 90 }),
      ruleConditionText(zh, 'status_changed', { to: ['suspended', 'deactivated'] }),
      ruleConditionText(zh, 'anomaly', { factor: 3 }),
      filterExpressionText(zh, 'status=active AND supplier=quectel AND usage>=5242880'),
    ];
    for (const value of values) expect(english(value), value).toEqual([]);
    expect(ruleConditionText(zh, 'usage', { percent: 90 })).toBe('本周期用量达到额度的 90%');
    expect(actorLabel(zh, 'user:admin@demo.local')).toBe('用户 admin@demo.local');
    expect(actorLabel(zh, 'rules:pause')).toBe('规则（停机）');
    expect(auditActionLabel(zh, 'sms.send')).toBe('发送短信');
    expect(filterExpressionText(zh, 'status=active AND usage>=5242880')).toBe(
      '状态为正常，且本月用量不少于 5 MB',
    );
  });
});
