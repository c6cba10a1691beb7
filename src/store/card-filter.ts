import { type ExpressionBuilder, sql } from 'kysely';
import type { Clock } from '../domain/clock.js';
import {
  BYTES_PER_GB,
  BYTES_PER_KB,
  BYTES_PER_MB,
  classifyCardIdentifier,
  cstMonth,
  isCardStatus,
  monthBounds,
  SimdockError,
} from '../domain/index.js';
import type { UsageCycles } from './repositories/scoped-cards-repository.js';
import type { RepositoryContext } from './store-context.js';
import type { Database } from './store-schema.js';

/** What selecting cards needs: the store, and the clock that says which month `usage` means. */
export interface CardSelectionContext {
  readonly store: RepositoryContext;
  readonly clock: Clock;
}

/**
 * Card filters as people type them: `field op value` conditions joined by `AND`, e.g.
 * `status=active AND account=cmcc-east AND usage>500MB`.
 *
 * - `status`, `account`, `supplier`: `=` or `!=`; a comma list means any of them
 *   (`status=active,test`).
 * - `iccid`, `msisdn`, `imsi`: `=` an exact value, or a prefix ending in `*` (`iccid=898604*`).
 * - `usage`: `>`, `>=`, `<`, `<=`, `=` a byte count this CST month (units B, KB, MB, GB of 1024;
 *   `usage>500MB`). The month's figure is the supplier's monthly total when synced, else the
 *   sum of the synced days. Cards with no usage synced this month match no usage condition
 *   (unknown is not 0). A percentage (`usage>90%`) is of the quota of the card's plan (`simdock plans`)
 *   this calendar month; cards on no plan with a quota match no percentage. It
 *   keep yet: it is refused with a message saying so.
 */
export type CardFilterCondition =
  | { field: 'status' | 'account' | 'supplier'; op: '=' | '!='; values: string[] }
  | { field: 'iccid' | 'msisdn' | 'imsi'; op: '=' | 'prefix'; value: string }
  | { field: 'usage'; op: '>' | '>=' | '<' | '<=' | '='; bytes: number }
  | { field: 'usage'; op: '>' | '>=' | '<' | '<=' | '='; percent: number };

export interface CardFilter {
  /** The text as given. */
  text: string;
  conditions: CardFilterCondition[];
}

const CONDITION = /^\s*([a-z]+)\s*(!=|>=|<=|=|>|<)\s*(.+?)\s*$/i;
const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: BYTES_PER_KB,
  MB: BYTES_PER_MB,
  GB: BYTES_PER_GB,
};

function invalid(text: string, problem: string): SimdockError {
  return new SimdockError('invalid_argument', `filter "${text}": ${problem}`, {
    details: { filter: text },
  });
}

/** Parses a filter; every mistake is an `invalid_argument` naming the condition. */
export function parseCardFilter(text: string): CardFilter {
  const parts = text.split(/\s+AND\s+/i).filter((part) => part.trim() !== '');
  if (parts.length === 0) throw invalid(text, 'empty filter');
  const conditions = parts.map((part): CardFilterCondition => {
    const match = CONDITION.exec(part);
    if (!match) throw invalid(text, `"${part.trim()}" is not "field op value"`);
    const field = match[1]!.toLowerCase();
    const op = match[2]!;
    const value = match[3]!;
    switch (field) {
      case 'status':
      case 'account':
      case 'supplier': {
        if (op !== '=' && op !== '!=') throw invalid(text, `${field} takes = or !=, not ${op}`);
        const values = value.split(',').map((item) => item.trim());
        if (values.some((item) => item === '')) throw invalid(text, `empty value in "${part}"`);
        if (field === 'status') {
          for (const status of values) {
            if (!isCardStatus(status)) throw invalid(text, `unknown status "${status}"`);
          }
        }
        return { field, op, values };
      }
      case 'iccid':
      case 'msisdn':
      case 'imsi': {
        if (op !== '=') throw invalid(text, `${field} takes = (end the value with * for a prefix)`);
        const prefix = value.endsWith('*');
        const body = (prefix ? value.slice(0, -1) : value).toUpperCase();
        const allowed = field === 'iccid' ? /^[0-9A-F]+$/ : /^\d+$/;
        if (!allowed.test(body))
          throw invalid(text, `"${value}" is not a ${field} or a prefix of one`);
        return { field, op: prefix ? 'prefix' : '=', value: body };
      }
      case 'usage': {
        if (op === '!=') throw invalid(text, 'usage takes >, >=, <, <= or =');
        const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim());
        if (percent) {
          return { field, op: op as '>' | '>=' | '<' | '<=' | '=', percent: Number(percent[1]) };
        }
        const amount = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(value.trim());
        if (!amount)
          throw invalid(text, `"${value}" is not an amount of bytes (500MB, 1.5GB, 1024)`);
        const bytes = Math.round(Number(amount[1]) * UNITS[(amount[2] ?? '').toUpperCase()]!);
        return { field, op: op as '>' | '>=' | '<' | '<=' | '=', bytes };
      }
      default:
        throw invalid(
          text,
          `unknown field "${field}" (status, account, supplier, iccid, msisdn, imsi, usage)`,
        );
    }
  });
  return { text, conditions };
}

/** A card a selection resolved to, with what the confirmation and the planner need. */
export interface SelectedCard {
  cardId: number;
  account: string;
  supplier: string;
  status: string;
}

/** The cards matching a filter, by id (at most `limit`, to tell "too many" apart). */
export async function selectCardsByFilter(
  context: CardSelectionContext,
  filter: CardFilter,
  options: {
    limit: number;
    now?: number;
    /** Accounts billing on another cycle: their `usage` conditions count that cycle. */
    cycles?: UsageCycles;
  },
): Promise<SelectedCard[]> {
  const month = cstMonth(options.now ?? context.clock.now());
  const { first, last } = monthBounds(month);
  let select = context.store.db
    .selectFrom('cards')
    .select(['id', 'account_id', 'supplier', 'status']);
  for (const condition of filter.conditions) {
    select = select.where((where) =>
      conditionExpression(where, condition, { month, first, last }, options.cycles),
    );
  }
  const rows = await select.orderBy('id').limit(options.limit).execute();
  return rows.map((row) => ({
    cardId: Number(row.id),
    account: row.account_id,
    supplier: row.supplier,
    status: row.status,
  }));
}

function conditionExpression(
  where: ExpressionBuilder<Database, 'cards'>,
  condition: CardFilterCondition,
  period: UsagePeriod,
  cycles?: UsageCycles,
) {
  switch (condition.field) {
    case 'status':
    case 'account':
    case 'supplier': {
      const column = condition.field === 'account' ? 'account_id' : condition.field;
      return where(column, condition.op === '=' ? 'in' : 'not in', condition.values);
    }
    case 'iccid':
    case 'msisdn':
    case 'imsi': {
      if (condition.op === '=') return where(condition.field, '=', condition.value);
      // Values are digits and upper-case A–F, so LIKE behaves alike on both dialects.
      return where(sql<string>`${sql.ref(condition.field)}`, 'like', `${condition.value}%`);
    }
    case 'usage': {
      const within = (of: UsagePeriod) =>
        'percent' in condition
          ? percentOfQuota(where, condition, of)
          : bytesCondition(where, condition, of);
      if (!cycles || cycles.size === 0) return within(period);
      // Each account billing on another cycle counts its own; '' matches no month, so an
      // account overriding its supplier's cycle counts daily rows only.
      return where.or([
        where.and([where('account_id', 'not in', [...cycles.keys()]), within(period)]),
        ...[...cycles].map(([account, cycle]) =>
          where.and([
            where('account_id', '=', account),
            within({ month: cycle.month ?? '', first: cycle.from, last: cycle.to }),
          ]),
        ),
      ]);
    }
  }
}

/** The CST month whose supplier figure counts, and the dates whose daily rows count otherwise. */
type UsagePeriod = { month: string; first: string; last: string };

/** Cards whose usage in the period stands in `op` to a byte count. */
function bytesCondition(
  where: ExpressionBuilder<Database, 'cards'>,
  condition: { op: '>' | '>=' | '<' | '<=' | '='; bytes: number },
  period: UsagePeriod,
) {
  const monthly = where
    .selectFrom('usage_monthly')
    .select('card_id')
    .where('month', '=', period.month);
  return where.or([
    where('id', 'in', monthly.where('bytes', condition.op, condition.bytes)),
    where.and([
      where('id', 'not in', monthly),
      where(
        'id',
        'in',
        where
          .selectFrom('usage_daily')
          .select('card_id')
          .where('date', '>=', period.first)
          .where('date', '<=', period.last)
          .groupBy('card_id')
          .having((having) => having.fn.sum<number>('bytes'), condition.op, condition.bytes),
      ),
    ]),
  ]);
}

/** Cards whose usage this month stands in `op` to `percent` % of their plan's quota. */
function percentOfQuota(
  where: ExpressionBuilder<Database, 'cards'>,
  condition: { op: '>' | '>=' | '<' | '<=' | '='; percent: number },
  period: { month: string; first: string; last: string },
) {
  // The month's supplier figure, else the sum of its synced days (as for byte conditions).
  const used = sql<number>`coalesce(
    (select um.bytes from usage_monthly um where um.card_id = cp.card_id and um.month = ${period.month}),
    (select sum(ud.bytes) from usage_daily ud
      where ud.card_id = cp.card_id and ud.date >= ${period.first} and ud.date <= ${period.last}))`;
  return where(
    'id',
    'in',
    where
      .selectFrom('card_plans as cp')
      .innerJoin('plans as p', 'p.id', 'cp.plan_id')
      .select('cp.card_id')
      .where('p.quota_bytes', 'is not', null)
      .where(sql`${used} * 100`, condition.op, sql`p.quota_bytes * ${condition.percent}`),
  );
}

/** One identifier of a list that matched no card, or more than one. */
export interface SelectionProblem {
  value: string;
  reason: string;
}

/**
 * Resolves ICCIDs, MSISDNs and IMSIs (a file's lines, command arguments) to cards, a few hundred
 * per query. A value matching cards of several accounts is a problem, not a guess.
 */
export async function selectCardsByIdentifiers(
  context: CardSelectionContext,
  values: readonly string[],
): Promise<{ cards: SelectedCard[]; problems: SelectionProblem[] }> {
  const problems: SelectionProblem[] = [];
  const byKind = new Map<'iccid' | 'msisdn' | 'imsi', Map<string, string>>();
  for (const raw of values) {
    if (raw.trim() === '') continue;
    const classified = classifyCardIdentifier(raw);
    if (!classified.ok) {
      problems.push({ value: raw.trim(), reason: classified.error.message });
      continue;
    }
    const normalized =
      classified.kind === 'iccid' ? classified.value.toUpperCase() : classified.value;
    const kind = byKind.get(classified.kind) ?? new Map<string, string>();
    kind.set(normalized, raw.trim());
    byKind.set(classified.kind, kind);
  }
  const cards = new Map<number, SelectedCard>();
  for (const [kind, wanted] of byKind) {
    const list = [...wanted.keys()];
    const found = new Map<string, SelectedCard[]>();
    for (let start = 0; start < list.length; start += 500) {
      const rows = await context.store.db
        .selectFrom('cards')
        .select(['id', 'account_id', 'supplier', 'status', kind])
        .where(kind, 'in', list.slice(start, start + 500))
        .execute();
      for (const row of rows) {
        const value = row[kind] as string;
        const matches = found.get(value) ?? [];
        matches.push({
          cardId: Number(row.id),
          account: row.account_id,
          supplier: row.supplier,
          status: row.status,
        });
        found.set(value, matches);
      }
    }
    for (const [value, raw] of wanted) {
      const matches = found.get(value) ?? [];
      if (matches.length === 0)
        problems.push({ value: raw, reason: `no card with ${kind} ${raw}` });
      else if (matches.length > 1) {
        problems.push({
          value: raw,
          reason: `${raw} matches ${matches.length} cards (${matches.map((card) => card.account).join(', ')})`,
        });
      } else cards.set(matches[0]!.cardId, matches[0]!);
    }
  }
  return { cards: [...cards.values()].sort((a, b) => a.cardId - b.cardId), problems };
}
