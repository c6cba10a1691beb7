import { addDays, cstDate, isCstDate } from '../../domain/index.js';
import { simulatedDailyKb } from '../spec/simulator-kit.js';

/**
 * The OneLink v2 simulator's cards and answer pieces, written apart from the client (the
 * simulator shares no parsing or signing code with it).
 */

export type CardNumberKind = 'iccid' | 'msisdn' | 'imsi';

/** A card the simulator holds. */
export interface SimulatedCard {
  iccid: string;
  msisdn: string;
  imsi: string;
}

/**
 * How batch items spell their keys. `document`: as each example does, lower case in the 2111
 * example (`iccid`) and upper case in the 2010 example (`ICCID`, `GPRS`).
 */
export type ItemKeyCase = 'document' | 'lower' | 'upper';

/** The simulator's answer shapes, changeable between calls. */
export interface SimulatorSettings {
  itemKeyCase: ItemKeyCase;
  usageShape: 'table' | 'example';
}

/**
 * The cards of the 2010 response example (onelink-v2-api2010-batchgprsusedbydate.txt, API响应示例).
 * The 2111 example pairs some of these numbers differently (1064826090212 with
 * 898602B2221340000878, 1064826090209 with 898602B2221430000006); one card cannot have both, so
 * the simulator follows the 2010 example and holds neither 898602B2221430000006 nor
 * 89860010011631234571 (which the 2111 example itself answers with item status 25).
 */
export function onelinkV2DocumentCards(): SimulatedCard[] {
  return [
    { iccid: '898602B2221340000878', imsi: '460040260900788', msisdn: '1064826090232' },
    { iccid: '898602B2221340001456', imsi: '460040260990087', msisdn: '1064826029898' },
    { iccid: '898602B2221340058954', imsi: '460040260944556', msisdn: '1064826029896' },
    { iccid: '898602B2221340044444', imsi: '460040260911223', msisdn: '1064826090209' },
    { iccid: '898602B2221340055373', imsi: '460040260954321', msisdn: '1064826090283' },
    { iccid: '898602B2221340336580', imsi: '460040260912345', msisdn: '1064826090212' },
    { iccid: '898602B2221340011223', imsi: '460040260966833', msisdn: '1064826090284' },
  ];
}

/** The messages of the codes the simulator answers (PROTOCOL-NOTES.md, OneLink v2). */
const MESSAGES: Record<string, string> = {
  '0': '正确',
  '1': '数据库错误',
  '3': '订购关系鉴权不通过',
  '7': 'Token鉴权不通过',
  '10': '请求参数个数不正确',
  '12': 'MSISDN号不是所查询的集团下的用户',
  '13': '请求参数命名不规范',
  '14': '日期参数格式不正确',
  '18': '卡号数量超出限制范围',
  '19': '查询时间超出限制范围',
  '21': '查询号码全部非法',
  '25': 'ICCID号不是所查询的集团下的用户',
  '71': '已超出API最大流控限制',
};

/** A whole-call answer with a status string and an empty result. */
export function simulatorStatus(status: string): {
  status: string;
  message: string;
  result: never[];
} {
  return { status, message: MESSAGES[status] ?? '', result: [] };
}

function spell(key: string, upper: boolean): string {
  return upper ? key.toUpperCase() : key;
}

/** A successful 2111 item, as the example: status, message, imsi, msisdn, iccid. */
export function cardInfoItem(card: SimulatedCard, keyCase: ItemKeyCase): Record<string, string> {
  const upper = keyCase === 'upper';
  return {
    [spell('status', upper)]: '0',
    [spell('message', upper)]: MESSAGES['0']!,
    [spell('imsi', upper)]: card.imsi,
    [spell('msisdn', upper)]: card.msisdn,
    [spell('iccid', upper)]: card.iccid,
  };
}

/**
 * The item of a number the account does not hold: status 25 for an ICCID (as the 2111
 * example), 12 for an MSISDN (PROTOCOL-NOTES.md). No source gives the IMSI code; 12 with an IMSI
 * message is a guess. `status` overrides the code (e.g. `1` for an injected item failure).
 */
export function unknownCardItem(
  endpoint: 'batchquerycardinfo' | 'batchgprsusedbydate',
  kind: CardNumberKind,
  number: string,
  keyCase: ItemKeyCase,
  status?: string,
): Record<string, string> {
  const upper =
    keyCase === 'upper' || (keyCase === 'document' && endpoint === 'batchgprsusedbydate');
  const code = status ?? (kind === 'iccid' ? '25' : '12');
  const message =
    status !== undefined
      ? MESSAGES[status]!
      : kind === 'imsi'
        ? 'IMSI号不是所查询的集团下的用户'
        : MESSAGES[code]!;
  return {
    [spell('status', upper)]: code,
    [spell('message', upper)]: message,
    [spell(kind, upper)]: number,
  };
}

/** A day's GPRS in KB for a card (deterministic; no per-card memory). */
export function answerGprs(cardKey: string, date: string): number {
  return simulatedDailyKb(cardKey, date);
}

/**
 * Checks `query_date` against the last 7 complete CST days at `now` (2010 业务参数 query_date:
 * 系统当前日期20150421,7日内,即20150414-20150420有效). Returns the date `YYYY-MM-DD` when valid.
 */
export function withinSimulatorWindow(
  queryDate: string,
  now: number,
): 'malformed' | 'outside' | string {
  if (!/^\d{8}$/.test(queryDate)) return 'malformed';
  const date = `${queryDate.slice(0, 4)}-${queryDate.slice(4, 6)}-${queryDate.slice(6, 8)}`;
  if (!isCstDate(date)) return 'malformed';
  const today = cstDate(now);
  if (date < addDays(today, -7) || date > addDays(today, -1)) return 'outside';
  return date;
}
