import { z } from 'zod';
import { CARD_STATUSES, SimdockError } from './index.js';

/** What a rule watches. */
export const RULE_KINDS = [
  /** Usage this cycle at `percent` % of the plan's (or pool's) quota, or at `bytes`. */
  'usage',
  /** One day's usage above `factor` × the card's median of the 7 days before it. */
  'anomaly',
  /** An active card with no usage on each of the last `days` complete CST days. */
  'idle',
  /** The card's service ends within `days` days (or has ended). */
  'expiry',
  /** The card is seen in another device (its IMEI changed). */
  'imei_changed',
  /** The supplier changed the card's status (optionally only to the statuses in `to`). */
  'status_changed',
] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/** Which cards a rule covers. */
export const RULE_SCOPES = ['card', 'account', 'plan', 'pool'] as const;
export type RuleScope = (typeof RULE_SCOPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

const positive = z.number().positive();
const wholeDays = z.number().int().min(0).max(3650);

/** The thresholds of each kind, checked strictly (an unknown key is a mistake). */
export const THRESHOLD_SCHEMAS = {
  usage: z
    .strictObject({
      percent: positive.max(10_000).optional(),
      bytes: z.number().int().positive().optional(),
      /** With a pause action: resume the cards the rule paused when the next cycle starts. */
      resumeNextCycle: z.boolean().optional(),
    })
    .refine((value) => (value.percent === undefined) !== (value.bytes === undefined), {
      message: 'give exactly one of percent or bytes',
    }),
  anomaly: z.strictObject({
    factor: z.number().gt(1),
    /** Days below this many bytes are never anomalies (default 0). */
    minBytes: z.number().int().min(0).optional(),
  }),
  idle: z.strictObject({ days: wholeDays.min(1) }),
  expiry: z.strictObject({ days: wholeDays }),
  imei_changed: z.strictObject({}),
  status_changed: z.strictObject({ to: z.array(z.enum(CARD_STATUSES)).min(1).optional() }),
} as const;

export type RuleThresholds = {
  [Kind in RuleKind]: z.output<(typeof THRESHOLD_SCHEMAS)[Kind]>;
};

/** What a rule does when it fires, besides recording the alert (always done, once per cycle). */
export const ruleActionSchema = z.discriminatedUnion('type', [
  /** Pause the card(s) at the supplier (pool rules: every active member). */
  z.strictObject({ type: z.literal('pause') }),
  /** Send this text to the card. */
  z.strictObject({ type: z.literal('sms'), text: z.string().min(1).max(500) }),
  /** Emit an event to the outbox for webhooks. */
  z.strictObject({ type: z.literal('webhook') }),
]);
export type RuleAction = z.output<typeof ruleActionSchema>;

/** A rule as stored. */
export interface StoredRule<Kind extends RuleKind = RuleKind> {
  id: number;
  name: string | null;
  scope: RuleScope;
  /** The card id, account id, plan id or pool id the scope names. */
  targetId: string;
  kind: Kind;
  thresholds: RuleThresholds[Kind];
  actions: RuleAction[];
  severity: Severity;
  enabled: boolean;
  createdBy: string;
  createdAt: number;
}

/** The severity a kind has unless the rule says otherwise. */
export function defaultSeverity(kind: RuleKind, actions: readonly RuleAction[]): Severity {
  if (actions.some((action) => action.type === 'pause')) return 'critical';
  return kind === 'status_changed' || kind === 'idle' ? 'info' : 'warning';
}

/** Checks a kind's thresholds; a mistake is `invalid_argument` naming the field. */
export function parseThresholds<Kind extends RuleKind>(
  kind: Kind,
  value: unknown,
): RuleThresholds[Kind] {
  const schema = THRESHOLD_SCHEMAS[kind] as unknown as z.ZodType<RuleThresholds[Kind]>;
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new SimdockError(
      'invalid_argument',
      `${kind} rule thresholds: ${where}${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** Checks a rule's actions. */
export function parseActions(value: unknown): RuleAction[] {
  const parsed = z.array(ruleActionSchema).safeParse(value ?? []);
  if (!parsed.success) {
    throw new SimdockError(
      'invalid_argument',
      `rule actions: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

export function isRuleKind(value: string): value is RuleKind {
  return (RULE_KINDS as readonly string[]).includes(value);
}

export function isRuleScope(value: string): value is RuleScope {
  return (RULE_SCOPES as readonly string[]).includes(value);
}
