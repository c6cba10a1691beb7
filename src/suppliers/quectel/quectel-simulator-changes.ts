import { cstDate, cstMonth } from '../../domain/index.js';
import {
  cardOf,
  type Form,
  type Handler,
  numbersOf,
  SimulatorFailure,
  type SimulatorState,
} from './quectel-simulator-cards.js';

/**
 * Lifecycle and service changes of the simulator (quectel-connectivity-api-v3.15.md §2.4) and the
 * alarm and real-name functions (§2.3.7–§2.3.9), with the document's rules: test period →
 * silent (待激活) → active (正常) ↔ paused (停机); reset pauses and resumes ten minutes later.
 */

/** Reset resumes the card this long after pausing it (§2.4.8 "间隔 10 分钟后复机"). */
export const RESET_DELAY_MS = 10 * 60_000;
/** IMEI unbind may be repeated on a card only after 30 minutes (§2.4.5). */
export const UNBIND_COOLDOWN_MS = 30 * 60_000;
/** A real-name link may be asked once a minute per card (§2.3.9). */
export const REAL_NAME_COOLDOWN_MS = 60_000;

const TEST_PERIOD = ['测试期正常', '测试期停机'];

export function cardChangeHandlers(state: SimulatorState): Record<string, Handler> {
  const { fleet } = state;
  const change =
    (rule: (index: number, form: Form) => void): Handler =>
    (form) => {
      const index = cardOf(state, form);
      if (fleet.state(index).status === '销号') throw new SimulatorFailure('卡已销号');
      rule(index, form);
      return {};
    };
  const voiceCard = (index: number) => {
    if (fleet.state(index).callstatus === -2) throw new SimulatorFailure('该卡未开通语音功能');
  };
  const whitelist = (form: Form, most: number) => {
    const numbers = (form.voiceWhiteList ?? '').split('_').filter(Boolean);
    if (
      numbers.length === 0 ||
      numbers.length > most ||
      numbers.some((number) => !/^\d{5,13}$/.test(number))
    ) {
      throw new SimulatorFailure(`voiceWhiteList 为 1~${most} 个 MSISDN 号码, 以下划线分隔`);
    }
    return numbers;
  };
  return {
    'fc.function.card.overtest': change((index) => {
      if (!TEST_PERIOD.includes(fleet.state(index).status))
        throw new SimulatorFailure('该卡不处于测试期');
      fleet.update(index, { status: '待激活', pausereason: '' });
    }),
    'fc.function.card.silenceactive': change((index) => {
      const { status } = fleet.state(index);
      if (status !== '待激活' && !TEST_PERIOD.includes(status)) {
        throw new SimulatorFailure('该卡不处于沉默期或测试期');
      }
      fleet.update(index, { status: '正常', pausereason: '', activeDate: cstDate(state.now()) });
    }),
    'fc.function.card.pause': change((index) => {
      if (fleet.state(index).status !== '正常')
        throw new SimulatorFailure('只能停机处于正常状态的卡');
      fleet.update(index, { status: '停机', pausereason: '主动停机' });
    }),
    'fc.function.card.resume': change((index) => {
      const card = fleet.state(index);
      if (card.status !== '停机') throw new SimulatorFailure('只能复机处于停机状态的卡');
      if (card.resumeAt !== null) throw new SimulatorFailure('该卡正在重置, 请稍后');
      if (card.pausereason !== '主动停机')
        throw new SimulatorFailure(`停机原因(${card.pausereason})不允许自主复机`);
      fleet.update(index, { status: '正常', pausereason: '' });
    }),
    'fc.function.card.reset': change((index) => {
      const card = fleet.state(index);
      if (card.status !== '正常' && !(card.status === '停机' && card.pausereason === '主动停机')) {
        throw new SimulatorFailure('该卡状态不允许重置');
      }
      fleet.update(index, {
        status: '停机',
        pausereason: '主动停机',
        resumeAt: state.now() + RESET_DELAY_MS,
      });
    }),
    'fc.function.card.imeiUnbind': change((index) => {
      if (fleet.carrier(index) !== '中国电信') throw new SimulatorFailure('目前仅支持电信卡解绑');
      const card = fleet.state(index);
      if (card.unboundAt !== null && state.now() - card.unboundAt < UNBIND_COOLDOWN_MS) {
        throw new SimulatorFailure('同一卡号30分钟内不能重复办理');
      }
      const resumed =
        card.pausereason === '机卡分离停机' ? { status: '正常', pausereason: '' } : {};
      fleet.update(index, { islock: '0', unboundAt: state.now(), ...resumed });
    }),
    'fc.function.card.gprs.close': change((index) => {
      fleet.update(index, { gprsstatus: '0' });
    }),
    'fc.function.card.gprs.open': change((index) => {
      fleet.update(index, { gprsstatus: '1' });
    }),
    'fc.function.card.voice.close': change((index) => {
      voiceCard(index);
      fleet.update(index, { callstatus: 0 });
    }),
    'fc.function.card.voice.open': change((index) => {
      voiceCard(index);
      fleet.update(index, { callstatus: 1 });
    }),
    'fc.function.card.voice.addwhitelist': change((index, form) => {
      voiceCard(index);
      const current = fleet.state(index).voicewhitelist;
      const next = [...new Set([...current, ...whitelist(form, 5)])];
      if (next.length > 5) throw new SimulatorFailure('语音白名单号码个数最大为 5 个');
      fleet.update(index, { voicewhitelist: next });
    }),
    'fc.function.card.voice.delwhitelist': change((index, form) => {
      voiceCard(index);
      const numbers = whitelist(form, 2);
      const card = fleet.state(index);
      const month = cstMonth(state.now());
      if (card.whitelistDeletedIn === month)
        throw new SimulatorFailure('每自然月最多允许删除 1 次');
      const missing = numbers.filter((number) => !card.voicewhitelist.includes(number));
      if (missing.length > 0) throw new SimulatorFailure(`号码不在白名单中: ${missing.join(',')}`);
      fleet.update(index, {
        voicewhitelist: card.voicewhitelist.filter((number) => !numbers.includes(number)),
        whitelistDeletedIn: month,
      });
    }),
    'fc.function.card.realName': (form) => {
      const index = cardOf(state, form);
      if (fleet.carrier(index) !== '中国移动') throw new SimulatorFailure('仅支持移动卡实名认证');
      const card = fleet.state(index);
      if (card.realNameAt !== null && state.now() - card.realNameAt < REAL_NAME_COOLDOWN_MS) {
        throw new SimulatorFailure('同一卡号一分钟内仅可调用一次');
      }
      fleet.update(index, { realNameAt: state.now() });
      const busiSeq = `${state.now()}${index}`;
      return {
        data: {
          busiSeq,
          url: `https://smz.example.invalid/edcreg/signTheCheck?transactionID=${busiSeq}`,
        },
      };
    },
    'fc.function.card.alarm.get': (form) => {
      const index = cardOf(state, form);
      const alarm = fleet.state(index).alarm;
      return {
        alarmInfo: alarm ? { ...alarm, msisdn: fleet.pattern.card(index).msisdn, isdelete: 0 } : {},
      };
    },
    'fc.function.card.alarm': (form) => {
      const kind = form.iccid ? 'iccid' : 'msisdn';
      const numbers = numbersOf(form.iccid ?? form.msisdn);
      const param = alarmParamOf(form.alarmParam);
      const text = (value: unknown) =>
        value === undefined || value === null ? null : String(value);
      const success: string[] = [];
      for (const number of numbers) {
        const index = fleet.find(kind, number);
        if (index === undefined) continue;
        const previous = fleet.state(index).alarm;
        const seconds = Math.floor(state.now() / 1000);
        // The setting replaces the card's whole record: fields left out are cleared (a guess;
        // the document does not say), so a caller changing one field sends the others back.
        fleet.update(index, {
          alarm: {
            alarmid: previous?.alarmid ?? index + 1,
            notifyemails: text(param.notifyemails),
            alarmthreshold1: text(param.alarmthreshold1),
            alarmthreshold2: text(param.alarmthreshold2),
            alarmthreshold3: text(param.alarmthreshold3),
            alarmstatus: Number(param.alarmstatus ?? 0),
            pauseflowthreshold: text(param.pauseflowthreshold),
            pausestatus: Number(param.pausestatus ?? 0),
            createdatetime: previous?.createdatetime ?? seconds,
            updatedatetime: seconds,
          },
        });
        success.push(number);
      }
      // §2.3.7: a partial failure answers a non-zero code with the numbers that succeeded.
      if (success.length < numbers.length)
        throw new SimulatorFailure('部分号码设置失败', 1, { success });
      return {};
    },
    'fc.function.card.alarm.status': (form) => {
      const index = cardOf(state, form);
      if (form.alarmStatus === undefined && form.pauseStatus === undefined) {
        throw new SimulatorFailure('alarmStatus 和 pauseStatus 至少传递一个');
      }
      for (const name of ['alarmStatus', 'pauseStatus'] as const) {
        if (form[name] !== undefined && !SWITCH.has(form[name])) {
          throw new SimulatorFailure(`${name} 只能为 0(停用) 或 1(启用)`);
        }
      }
      const alarm = fleet.state(index).alarm;
      if (!alarm) throw new SimulatorFailure('该卡没有流量管理设置');
      // A stop switched on needs a threshold to stop at (a guess; the document is silent).
      if (form.pauseStatus === '1' && alarm.pauseflowthreshold === null) {
        throw new SimulatorFailure('未设置停机阈值(pauseflowthreshold)');
      }
      fleet.update(index, {
        alarm: {
          ...alarm,
          ...(form.alarmStatus !== undefined ? { alarmstatus: Number(form.alarmStatus) } : {}),
          ...(form.pauseStatus !== undefined ? { pausestatus: Number(form.pauseStatus) } : {}),
          updatedatetime: Math.floor(state.now() / 1000),
        },
      });
      return {};
    },
  };
}

/** The two values of the switches `alarmstatus`/`pausestatus` (§2.3.7) and §2.3.8's. */
const SWITCH = new Set(['0', '1']);

/**
 * `alarmParam` (quectel-connectivity-api-v3.15.md §2.3.7, required): a JSON object whose
 * thresholds are numbers of MB (the example sends them both as strings and as numbers) and whose
 * switches `alarmstatus`/`pausestatus` are 0 or 1. A stop switched on needs a threshold (a guess:
 * the document does not say what a stop switched on with no threshold would do).
 */
function alarmParamOf(value: string | undefined): Record<string, unknown> {
  if (value === undefined || value === '') throw new SimulatorFailure('alarmParam 为必传参数');
  let param: unknown;
  try {
    param = JSON.parse(value);
  } catch {
    throw new SimulatorFailure('alarmParam 不是合法的 json');
  }
  if (typeof param !== 'object' || param === null || Array.isArray(param)) {
    throw new SimulatorFailure('alarmParam 不是合法的 json 对象');
  }
  const fields = param as Record<string, unknown>;
  const given = (name: string) => fields[name] !== undefined && fields[name] !== null;
  for (const name of [
    'alarmthreshold1',
    'alarmthreshold2',
    'alarmthreshold3',
    'pauseflowthreshold',
  ]) {
    if (!given(name)) continue;
    const raw = fields[name];
    const number = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof number !== 'number' || !Number.isFinite(number) || number < 0) {
      throw new SimulatorFailure(`${name} 须为不小于 0 的流量数值(MB)`);
    }
  }
  for (const name of ['alarmstatus', 'pausestatus']) {
    if (given(name) && !SWITCH.has(String(fields[name]))) {
      throw new SimulatorFailure(`${name} 只能为 0(停用) 或 1(启用)`);
    }
  }
  if (String(fields.pausestatus) === '1' && !(Number(fields.pauseflowthreshold) > 0)) {
    throw new SimulatorFailure('启用停机阈值时 pauseflowthreshold 须大于 0');
  }
  if (typeof fields.notifyemails !== 'string' && given('notifyemails')) {
    throw new SimulatorFailure('notifyemails 须为字符串');
  }
  return fields;
}
