import { cstParts } from '../../domain/index.js';
import type { NotificationItem } from '../../store/repositories/notifications-repository.js';
import type { ChannelLocale } from './notifications-channels.js';
import type { RobotMessage } from './notifications-robots.js';

/** What an alert item says (copied from the alert when it is routed). */
export interface AlertItemData {
  alertId: number;
  ruleId: number | null;
  ruleName: string | null;
  kind: string;
  severity: string;
  message: string;
  cardId: number | null;
  iccid: string | null;
  account: string | null;
  raisedAt: number;
}

/** What a daily digest item says. */
export interface DailyItemData {
  date: string;
  expiryDays: number;
  expiring: { cardId: number; iccid: string | null; expiresOn: string }[];
  expiringTotal: number;
  overQuota: { cardId: number; iccid: string | null; plan: string; percent: number }[];
  overQuotaTotal: number;
}

const WORDS = {
  'zh-CN': {
    severity: { info: '提示', warning: '警告', critical: '严重' } as Record<string, string>,
    card: '卡片',
    account: '账户',
    rule: '规则',
    time: '时间',
    viewAlert: '在控制台查看告警',
    viewAlerts: '在控制台查看全部告警',
    digestTitle: (count: number) => `simdock:${count} 条告警`,
    digestIntro: (count: number) => `短时间内产生 ${count} 条告警,已合并为一条摘要:`,
    more: (count: number) => `……另有 ${count} 条,见控制台`,
    dailyTitle: (date: string) => `simdock 每日摘要 ${date}`,
    expiring: (total: number, days: number) => `**${days} 天内到期的卡片:${total} 张**`,
    overQuota: (total: number) => `**本周期超出套餐流量的卡片:${total} 张**`,
    expiresOn: '到期',
    used: '已用',
    nothing: '无',
    andMore: (count: number) => `……另有 ${count} 张`,
    testTitle: 'simdock 测试消息',
    testText: '这是一条来自 simdock 的测试消息,通知渠道配置正确。',
  },
  en: {
    severity: { info: 'info', warning: 'warning', critical: 'critical' } as Record<string, string>,
    card: 'Card',
    account: 'Account',
    rule: 'Rule',
    time: 'Time',
    viewAlert: 'View the alert in the console',
    viewAlerts: 'View every alert in the console',
    digestTitle: (count: number) => `simdock: ${count} alerts`,
    digestIntro: (count: number) => `${count} alerts came in a short time, folded into one digest:`,
    more: (count: number) => `…and ${count} more, in the console`,
    dailyTitle: (date: string) => `simdock daily digest ${date}`,
    expiring: (total: number, days: number) => `**Cards expiring within ${days} days: ${total}**`,
    overQuota: (total: number) => `**Cards over their plan's quota this cycle: ${total}**`,
    expiresOn: 'expires',
    used: 'used',
    nothing: 'none',
    andMore: (count: number) => `…and ${count} more`,
    testTitle: 'simdock test message',
    testText: 'This is a test message from simdock: the notification channel works.',
  },
} as const;

/** Links into the console. */
export class ConsoleLinks {
  readonly #base: string;

  constructor(publicUrl = 'http://localhost:8080') {
    this.#base = publicUrl.replace(/\/+$/, '');
  }

  card(cardId: number): string {
    return `${this.#base}/cards/${cardId}`;
  }

  alerts(): string {
    return `${this.#base}/alerts`;
  }

  alert(alertId: number): string {
    return `${this.#base}/alerts?alert=${alertId}`;
  }
}

/** `YYYY-MM-DD HH:mm` in CST. */
function cstClock(instant: number): string {
  const parts = cstParts(instant);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${parts.year}-${pad(parts.month)}-${pad(parts.day)} ${pad(parts.hour)}:${pad(parts.minute)}`;
}

function severityLabel(locale: ChannelLocale, severity: string): string {
  const label = WORDS[locale].severity[severity] ?? severity;
  return locale === 'zh-CN' ? `【${label}】` : `[${label}] `;
}

/** One alert alone. */
export function alertMessage(
  locale: ChannelLocale,
  data: AlertItemData,
  links: ConsoleLinks,
): RobotMessage {
  const words = WORDS[locale];
  const title = `${severityLabel(locale, data.severity)}${data.ruleName ?? data.kind}`;
  const lines = [`### ${title}`, '', data.message, ''];
  if (data.cardId !== null) {
    lines.push(`- ${words.card}: [${data.iccid ?? `#${data.cardId}`}](${links.card(data.cardId)})`);
  }
  if (data.account) lines.push(`- ${words.account}: ${data.account}`);
  lines.push(`- ${words.time}: ${cstClock(data.raisedAt)} CST`, '');
  lines.push(`[${words.viewAlert}](${links.alert(data.alertId)})`);
  return { title, text: lines.join('\n') };
}

/** One line of a digest for an alert. */
function digestLine(locale: ChannelLocale, data: AlertItemData, links: ConsoleLinks): string {
  const card =
    data.cardId !== null ? ` [${data.iccid ?? `#${data.cardId}`}](${links.card(data.cardId)})` : '';
  return `- ${severityLabel(locale, data.severity)}${data.message}${card}`;
}

/**
 * Folds alert items into one digest of at most `maxBytes` of text: as many items as fit, oldest
 * first. Returns the message and how many items it carries (the rest wait for the next one).
 */
export function digestMessage(
  locale: ChannelLocale,
  items: readonly AlertItemData[],
  links: ConsoleLinks,
  maxBytes: number,
): { message: RobotMessage; carried: number } {
  const words = WORDS[locale];
  const footer = `\n[${words.viewAlerts}](${links.alerts()})`;
  const lines: string[] = [];
  let size = Buffer.byteLength(footer) + 200;
  for (const item of items) {
    const line = digestLine(locale, item, links);
    const bytes = Buffer.byteLength(line) + 1;
    if (lines.length > 0 && size + bytes > maxBytes) break;
    lines.push(line);
    size += bytes;
  }
  const title = words.digestTitle(lines.length);
  const text = [`### ${title}`, '', words.digestIntro(lines.length), '', ...lines, footer].join(
    '\n',
  );
  return { message: { title, text }, carried: lines.length };
}

/** The daily digest of cards expiring soon and cards over quota. */
export function dailyMessage(
  locale: ChannelLocale,
  data: DailyItemData,
  links: ConsoleLinks,
): RobotMessage {
  const words = WORDS[locale];
  const title = words.dailyTitle(data.date);
  const lines = [`### ${title}`, '', words.expiring(data.expiringTotal, data.expiryDays)];
  if (data.expiring.length === 0) lines.push(`- ${words.nothing}`);
  for (const card of data.expiring) {
    lines.push(
      `- [${card.iccid ?? `#${card.cardId}`}](${links.card(card.cardId)}) ${words.expiresOn} ${card.expiresOn}`,
    );
  }
  if (data.expiringTotal > data.expiring.length) {
    lines.push(words.andMore(data.expiringTotal - data.expiring.length));
  }
  lines.push('', words.overQuota(data.overQuotaTotal));
  if (data.overQuota.length === 0) lines.push(`- ${words.nothing}`);
  for (const card of data.overQuota) {
    lines.push(
      `- [${card.iccid ?? `#${card.cardId}`}](${links.card(card.cardId)}) ${card.plan} ${words.used} ${card.percent}%`,
    );
  }
  if (data.overQuotaTotal > data.overQuota.length) {
    lines.push(words.andMore(data.overQuotaTotal - data.overQuota.length));
  }
  return { title, text: lines.join('\n') };
}

export function testMessage(locale: ChannelLocale, links: ConsoleLinks): RobotMessage {
  const words = WORDS[locale];
  return {
    title: words.testTitle,
    text: `### ${words.testTitle}\n\n${words.testText}\n\n[${words.viewAlerts}](${links.alerts()})`,
  };
}

/** The message for a single item of any kind. */
export function itemMessage(
  locale: ChannelLocale,
  item: NotificationItem,
  links: ConsoleLinks,
): RobotMessage {
  if (item.kind === 'daily')
    return dailyMessage(locale, item.data as unknown as DailyItemData, links);
  if (item.kind === 'test') return testMessage(locale, links);
  return alertMessage(locale, item.data as unknown as AlertItemData, links);
}
