import { addMonths, cstMonth } from '../../domain/index.js';
import { hashString } from '../spec/simulator-kit.js';
import { BILLING_GROUPS, type QuectelSimulatedFleet, toMb } from './quectel-simulator-fleet.js';

/**
 * Card queries and changes of the simulator (quectel-connectivity-api-v3.15.md §2.1, §2.3.1,
 * §2.3.2, §2.3.7–§2.3.9, §2.4). Handlers get the form and return the payload of a success
 * answer, or throw `SimulatorFailure` for a `resultCode` other than 0.
 */

/** A refusal: `{resultCode: code, errorMessage: message, ...extra}`. */
export class SimulatorFailure extends Error {
  constructor(
    message: string,
    readonly resultCode = 1,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type Form = Record<string, string>;
export type Handler = (form: Form) => unknown | Promise<unknown>;

/** What the handlers share. */
export interface SimulatorState {
  fleet: QuectelSimulatedFleet;
  now: () => number;
  /** 'examples' answers like the document's examples, 'tables' like its field tables. */
  wireStyle: 'examples' | 'tables';
}

/** The card named by `iccid` or `msisdn` (one is required). */
export function cardOf(state: SimulatorState, form: Form): number {
  const index = form.iccid
    ? state.fleet.find('iccid', form.iccid)
    : form.msisdn
      ? state.fleet.find('msisdn', form.msisdn)
      : (() => {
          throw new SimulatorFailure('msisdn、iccid 任选一项作为参数');
        })();
  if (index === undefined) throw new SimulatorFailure('卡号不存在或不属于该企业');
  return index;
}

/** Checks `yyyyMM` within the last 12 months (§1.8 (1)) and returns it as `YYYY-MM`. */
export function flowMonth(state: SimulatorState, value: string | undefined): string {
  if (!value || !/^\d{6}$/.test(value)) throw new SimulatorFailure('month 格式错误, 应为 yyyyMM');
  const month = `${value.slice(0, 4)}-${value.slice(4, 6)}`;
  const current = cstMonth(state.now());
  if (month > current || month < addMonths(current, -11)) {
    throw new SimulatorFailure('仅支持查询最近 12 个月内的流量数据');
  }
  return month;
}

/** `pageNo`/`pageSize` with the documented default 100 and maximum 1000 (§2.1.4). */
export function paging(form: Form): { pageNo: number; pageSize: number } {
  const pageNo = form.pageNo ? Number(form.pageNo) : 1;
  const pageSize = form.pageSize ? Number(form.pageSize) : 100;
  if (!Number.isInteger(pageNo) || pageNo < 1) throw new SimulatorFailure('pageNo 错误');
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000) {
    throw new SimulatorFailure('pageSize 最大 1000');
  }
  return { pageNo, pageSize };
}

function page(pageNo: number, pageSize: number, totalCount: number) {
  return { page: pageNo, pageSize, totalCount, totalPage: Math.ceil(totalCount / pageSize) };
}

/** Numbers of a batch parameter, at most 1000 (§2.1.6, §2.1.10, §2.3.7). */
export function numbersOf(value: string | undefined): string[] {
  const numbers = (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (numbers.length === 0) throw new SimulatorFailure('msisdns、iccids 任选一项作为参数');
  if (numbers.length > 1000) throw new SimulatorFailure('最多支持 1000 张卡号');
  return numbers;
}

/** A card record in the style asked: the §2.1.6 example sends strings and odd spellings. */
function infoRecord(state: SimulatorState, index: number): Record<string, unknown> {
  const { carrier, activeDate, spcode, voicewhitelist, ...record } = state.fleet.record(index);
  const info = {
    ...record,
    supplier: carrier,
    activateTime: activeDate,
    setmealmonths: record.servicecycle,
  };
  if (state.wireStyle === 'tables')
    return { ...info, scode: spcode, voicewhitelist, flowratenum: record.flowratenumber };
  const stringified = Object.fromEntries(
    Object.entries(info).map(([key, value]) => [
      key,
      typeof value === 'number' ? String(value) : value,
    ]),
  );
  return { ...stringified, socode: spcode, voicewitelist: voicewhitelist };
}

export function cardQueryHandlers(state: SimulatorState): Record<string, Handler> {
  const { fleet } = state;
  const groupIndices = (groupId: number) => {
    const offset = BILLING_GROUPS.findIndex((group) => group.id === groupId);
    if (offset < 0) throw new SimulatorFailure('计费组不存在');
    return { offset, count: Math.floor((fleet.size - offset + 1) / 2) };
  };
  const statistics = (groupId: number) => {
    const { offset, count } = groupIndices(groupId);
    const group = BILLING_GROUPS[offset]!;
    let usedKb = 0;
    const month = fleet.currentMonth();
    for (let index = offset; index < fleet.size; index += 2) usedKb += fleet.cycleKb(index, month);
    const sumFlow = group.totalMb * count;
    return {
      billingCode: group.code,
      billingName: group.name,
      useFlow: toMb(usedKb),
      sumFlow,
      residualFlow: Math.max(0, Math.round((sumFlow - toMb(usedKb)) * 1000) / 1000),
      cardSum: count,
      isflowshare: group.months === 1 ? 1 : 0,
    };
  };
  return {
    'fc.function.billing_group.list': () => ({
      billingGroups: BILLING_GROUPS.map((group) => ({
        id: group.id,
        name: group.name,
        code: group.code,
        carrier: '中国移动',
        setMeal: group.setMeal,
        cardType: null,
        productCode: group.productCode,
        isflowshare: group.months === 1 ? 1 : 0,
      })),
    }),
    'fc.function.billing_group.statistics': (form) => ({ data: statistics(Number(form.id)) }),
    'fc.function.billing_groups.statistics': (form) => ({
      data: { ...statistics(Number(form.id)), rows: [] },
    }),
    'fc.function.card.list': (form) => {
      const { pageNo, pageSize } = paging(form);
      for (const name of ['allotDateStart', 'activeDateStart', 'expireDateStart']) {
        if (form[name]) throw new SimulatorFailure(`${name} 查询条件未在模拟器实现`);
      }
      const { offset, count } = form.billingid
        ? groupIndices(Number(form.billingid))
        : { offset: 0, count: fleet.size };
      const step = form.billingid ? 2 : 1;
      const cards = [];
      for (
        let position = (pageNo - 1) * pageSize;
        position < Math.min(count, pageNo * pageSize);
        position += 1
      ) {
        cards.push(fleet.record(offset + position * step));
      }
      return { page: page(pageNo, pageSize, count), cards };
    },
    'fc.function.card.info': (form) => infoRecord(state, cardOf(state, form)),
    'fc.function.cards.info': (form) => {
      const kind = form.iccids ? 'iccid' : 'msisdn';
      const list = numbersOf(form.iccids ?? form.msisdns)
        .map((number) => fleet.find(kind, number))
        .filter((index) => index !== undefined)
        .map((index) => infoRecord(state, index));
      return state.wireStyle === 'tables' ? { list } : { List: list };
    },
    'fc.function.monthflow.list': (form) => {
      const month = flowMonth(state, form.month);
      const { pageNo, pageSize } = paging(form);
      const flows = [];
      for (
        let index = (pageNo - 1) * pageSize;
        index < Math.min(fleet.size, pageNo * pageSize);
        index += 1
      ) {
        const card = fleet.pattern.card(index);
        flows.push({
          iccid: card.iccid,
          msisdn: card.msisdn,
          monthflow: toMb(fleet.monthKb(index, month)),
          flow: toMb(fleet.cycleKb(index, month)),
        });
      }
      return { page: page(pageNo, pageSize, fleet.size), flows };
    },
    'fc.function.dayflow.list': (form) => {
      const month = flowMonth(state, form.month);
      const index = cardOf(state, form);
      return {
        flows: fleet
          .daysSoFar(month)
          .map((date) => ({ date: fleet.compact(date), flow: toMb(fleet.dayKb(index, date)) })),
      };
    },
    'fc.function.card.monthflow': (form) => {
      const month = flowMonth(state, form.month);
      const index = cardOf(state, form);
      return {
        monthflow: toMb(fleet.monthKb(index, month)),
        cycleflow: toMb(fleet.cycleKb(index, month)),
      };
    },
    'fc.function.cards.monthflow': (form) => {
      const month = flowMonth(state, form.month);
      const kind = form.iccids ? 'iccid' : 'msisdn';
      const data = [];
      for (const number of numbersOf(form.iccids ?? form.msisdns)) {
        const index = fleet.find(kind, number);
        if (index === undefined) continue;
        data.push({
          number,
          monthflow: toMb(fleet.monthKb(index, month)),
          cycleflow: toMb(fleet.cycleKb(index, month)),
        });
      }
      return { data };
    },
    'fc.function.voice.monthflow.list': (form) => {
      const month = flowMonth(state, form.month);
      const { pageNo, pageSize } = paging(form);
      const flows = [];
      for (
        let index = (pageNo - 1) * pageSize;
        index < Math.min(fleet.size, pageNo * pageSize);
        index += 1
      ) {
        const card = fleet.pattern.card(index);
        flows.push({
          iccid: card.iccid,
          msisdn: card.msisdn,
          monthflow: fleet.voiceMinutes(index, month),
        });
      }
      return { page: page(pageNo, pageSize, fleet.size), flows };
    },
    'fc.function.voice.dayflow.list': (form) => {
      const month = flowMonth(state, form.month);
      const index = cardOf(state, form);
      const voice = fleet.state(index).callstatus !== -2;
      return {
        flows: fleet.daysSoFar(month).map((date) => ({
          date: fleet.compact(date),
          flow: voice && fleet.dayKb(index, date) % 7 === 0 ? 3 : 0,
        })),
      };
    },
    'fc.function.card.flowpackages': (form) => ({
      flowpackages: fleet.state(cardOf(state, form)).flowpackages,
    }),
    'fc.function.yearmonth.detail': (form) => {
      const index = cardOf(state, form);
      if (fleet.group(index).months !== 12) throw new SimulatorFailure('仅支持年卡');
      const month = fleet.currentMonth();
      const used = toMb(fleet.cycleKb(index, month));
      const data = {
        flow: toMb(fleet.monthKb(index, month)),
        useFlow: used,
        totalFlow: 20000,
        residueFlow: Math.max(0, Math.round((20000 - used) * 1000) / 1000),
        createTime: '2024-01-15',
        packageGroups: [
          {
            orderId: `Y${index}`,
            name: 'NB-1 年期',
            useFlow: used,
            totalFlow: 20000,
            beginTime: `${month.slice(0, 4)}0101`,
            endTime: `${month.slice(0, 4)}1231`,
            createTime: '20240115',
          },
        ],
      };
      // The §2.1.15 table puts these under `data`, its example at the top level.
      return state.wireStyle === 'tables' ? { data } : data;
    },
    'fc.function.card.realNameStatusQuery': (form) => {
      const index = cardOf(state, form);
      return { data: { rpscode: '0000', rspdesc: index % 2 === 1 ? 'true' : 'false' } };
    },
    'fc.function.account.info': () => ({
      data: {
        companyid: 123,
        companyname: 'simdock 模拟企业',
        children: [{ companyid: 321, companyname: 'simdock 模拟子账户' }],
      },
    }),
    'fc.function.card.realtimestatus': (form) => {
      const index = cardOf(state, form);
      const card = fleet.state(index);
      const group = fleet.group(index);
      const used = toMb(fleet.cycleKb(index, fleet.currentMonth()));
      const online = card.status.endsWith('正常') && card.gprsstatus === '1';
      const left = Math.max(0, Math.round((group.totalMb - used) * 1000) / 1000);
      return {
        realTimeStatus: {
          issuccess: true,
          onlinestatus: online ? '开机工作中' : '关机',
          ip: online ? `10.52.${(index >> 8) % 256}.${index % 256}` : '',
          apn: ['CMIOT', 'CTNET', 'UNIM2M'][index % 3],
          gprsstatus: online ? '在线' : '离线',
          totalFlow: `${group.totalMb.toFixed(3)}MB`,
          usedFlow: `${used.toFixed(3)}MB`,
          surpFlow: `${left.toFixed(3)}MB`,
          totalFlowb: group.totalMb,
          usedFlowb: used,
          surpFlowb: left,
        },
      };
    },
    'fc.function.card.location': (form) => {
      const index = cardOf(state, form);
      const card = fleet.pattern.card(index);
      const hash = hashString(card.iccid);
      const base = {
        MSISDN: card.msisdn,
        ICCID: card.iccid,
        LATITUDE: (30 + (hash % 10_000) / 1000).toFixed(6),
        LONGITUDE: (110 + ((hash >>> 14) % 10_000) / 1000).toFixed(6),
      };
      if (fleet.carrier(index) !== '中国电信')
        return { ...base, POSITIONRESULT: '上海市闵行区田林路1016号' };
      return {
        ...base,
        POSITIONRESULT: '2',
        MSID_TYPE: '0',
        MSID: card.msisdn,
        LOCALTIME: '20241126100000',
      };
    },
  };
}
