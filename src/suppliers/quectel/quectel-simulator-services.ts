import { strToU8, zipSync } from 'fflate';
import { cstDate } from '../../domain/index.js';
import type { FaultInjector } from '../spec/simulator-kit.js';
import {
  cardOf,
  type Handler,
  numbersOf,
  paging,
  SimulatorFailure,
  type SimulatorState,
} from './quectel-simulator-cards.js';
import {
  cstDateTime,
  FLOW_PRODUCTS,
  RENEWAL_PRODUCTS,
  type SimulatedCommerce,
  yuan,
} from './quectel-simulator-commerce.js';

/**
 * Card-list files (quectel-connectivity-api-v3.15.md §2.2), SMS (§2.3.3–§2.3.6) and value-added
 * services (§2.5) of the simulator.
 */

/** A card-list task runs this long before its file can be downloaded. */
export const FILE_TASK_MS = 20_000;
/** At most this many file tasks a CST day (§2.2.1). */
export const FILE_TASKS_PER_DAY = 3;

export interface FileTask {
  taskId: number;
  addedAt: number;
}

export interface SmsRecord {
  msisdn: string;
  iccid: string;
  content: string;
  sendTime: string;
  month: string;
  sms_id: string;
  status: number;
}

/** A push waiting to be delivered to the callback URL. */
export interface PendingNotice {
  kind: 'sms' | 'order';
  body: Record<string, unknown>;
  attempts: number;
}

export interface ServiceState extends SimulatorState {
  commerce: SimulatedCommerce;
  faults: FaultInjector;
  tasks: FileTask[];
  sms: SmsRecord[];
  inboundCount: Map<string, number>;
  notices: PendingNotice[];
  nextSmsId: () => string;
}

/** The text of `card_list.txt`: a tab-separated header of wire names, then one card a line. */
export function cardListText(state: SimulatorState): string {
  const columns = [
    'iccid',
    'msisdn',
    'imsi',
    'imei',
    'status',
    'carrier',
    'setMeal',
    'billingid',
    'activeDate',
    'expiryDate',
  ];
  const lines = [columns.join('\t')];
  for (let index = 0; index < state.fleet.size; index += 1) {
    const record = state.fleet.record(index);
    lines.push(columns.map((column) => String(record[column] ?? '')).join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

function zipResponse(state: SimulatorState): Response {
  const zip = zipSync({ 'card_list.txt': strToU8(cardListText(state)) });
  return new Response(zip, { headers: { 'content-type': 'application/x-zip-compressed' } });
}

export function serviceHandlers(state: ServiceState): Record<string, Handler> {
  const { fleet, commerce } = state;
  const taskDone = (task: FileTask) => state.now() >= task.addedAt + FILE_TASK_MS;
  const taskOf = (value: string | undefined) => {
    const task = state.tasks.find((candidate) => String(candidate.taskId) === value);
    if (!task) throw new SimulatorFailure('任务不存在');
    return task;
  };
  const checkBalance = (fen: number) => {
    if (commerce.balanceFen < fen) throw new SimulatorFailure('企业余额不足');
  };
  const repeated = (form: Record<string, string>) => {
    if ((form.externalId ?? '').length > 100) throw new SimulatorFailure('externalId 最大长度 100');
    if ((form.remark ?? '').length > 200) throw new SimulatorFailure('remark 最大长度 200');
    return form.externalId ? commerce.byExternalId(form.externalId) : undefined;
  };
  return {
    'fc.function.file.card.get': () => {
      const today = cstDate(state.now());
      const todays = state.tasks.filter((task) => cstDate(task.addedAt) === today);
      if (todays.length >= FILE_TASKS_PER_DAY)
        throw new SimulatorFailure('卡数据文件生成任务每天可以请求生成 3 次');
      if (todays.some((task) => !taskDone(task)))
        throw new SimulatorFailure('上一次请求生成任务尚未执行完成');
      const task = { taskId: (state.tasks.at(-1)?.taskId ?? 1311) + 1, addedAt: state.now() };
      state.tasks.push(task);
      return { taskId: task.taskId };
    },
    'fc.function.file.status': (form) => ({
      taskStatus: taskDone(taskOf(form.taskId)) ? '2' : '1',
    }),
    'fc.function.file.down': (form) => {
      if (!taskDone(taskOf(form.taskId))) throw new SimulatorFailure('文件尚未生成');
      return zipResponse(state);
    },
    'fc.function.file.last.down': () => {
      if (!state.tasks.some(taskDone)) throw new SimulatorFailure('没有可下载的文件');
      return zipResponse(state);
    },
    // §2.2.5: the success example is a bare array, without the envelope.
    'fc.function.file.list': () =>
      new Response(
        JSON.stringify(
          state.tasks.slice(-10).map((task) => ({
            TaskId: task.taskId,
            AddTime: Math.floor(task.addedAt / 1000),
            EndTime: taskDone(task) ? Math.floor((task.addedAt + FILE_TASK_MS) / 1000) : 0,
            TaskStatus: taskDone(task) ? '文件生成成功' : '执行中',
          })),
        ),
        { headers: { 'content-type': 'application/json' } },
      ),
    'fc.function.sms.send': (form) => {
      if (!form.content) throw new SimulatorFailure('content 不能为空');
      if ((form.smsId ?? '').length > 50) throw new SimulatorFailure('smsId 最大长度 50');
      const kind = form.iccids ? 'iccid' : 'msisdn';
      const successList = [];
      const errorList = [];
      for (const number of numbersOf(form.iccids ?? form.msisdns)) {
        const index = fleet.find(kind, number);
        if (index === undefined || state.faults.failItem()) {
          errorList.push(number);
          continue;
        }
        const card = fleet.pattern.card(index);
        const delivered = fleet.state(index).status.endsWith('正常');
        const smsId = form.smsId ?? state.nextSmsId();
        state.sms.push({
          msisdn: card.msisdn,
          iccid: card.iccid,
          content: form.content,
          sendTime: cstDateTime(state.now()),
          month: cstDate(state.now()).slice(0, 7).replace('-', ''),
          sms_id: smsId,
          status: delivered ? 200 : 400,
        });
        state.notices.push({
          kind: 'sms',
          attempts: 0,
          body: {
            type: 'report',
            msisdn: card.msisdn,
            iccid: card.iccid,
            sms_id: smsId,
            status: delivered ? '200' : '400',
            msg: delivered ? '送达' : '用户停机',
          },
        });
        successList.push({ iccid: card.iccid, msisdns: card.msisdn, sms_id: smsId });
      }
      return { successList, errorList };
    },
    'fc.function.sms.sendlog': (form) => {
      if (!/^\d{6}$/.test(form.dateStr ?? '')) throw new SimulatorFailure('dateStr 格式错误');
      const { pageNo, pageSize } = paging(form);
      const all = state.sms.filter((record) => record.month === form.dateStr);
      const infoList = all
        .slice((pageNo - 1) * pageSize, pageNo * pageSize)
        .map(({ msisdn, content, sendTime, sms_id, status }) => ({
          msisdn,
          content,
          sendTime,
          sms_id,
          status,
        }));
      // §2.3.4: paging fields at the top level.
      return {
        page: pageNo,
        pageSize,
        totalCount: all.length,
        totalPage: Math.ceil(all.length / pageSize),
        infoList,
      };
    },
    'fc.function.sms.monthcount': (form) => {
      if (!/^\d{6}$/.test(form.dateStr ?? '')) throw new SimulatorFailure('dateStr 格式错误');
      return {
        mt: state.sms.filter((record) => record.month === form.dateStr).length,
        mo: state.inboundCount.get(form.dateStr!) ?? 0,
      };
    },
    'fc.function.company.flowpackage': () => ({
      products: FLOW_PRODUCTS.map((product) => ({
        telecomOperatorName: product.carrier,
        productId: product.productId,
        price: yuan(product.fen),
        productName: product.productName,
        flow: product.flow,
        flowType: product.flowType,
      })),
    }),
    'fc.function.card.setmeal.product': (form) => {
      const index = cardOf(state, form);
      const product = RENEWAL_PRODUCTS[fleet.group(index).id]!;
      return {
        product: {
          telecomOperatorName: fleet.carrier(index),
          productId: product.productId,
          price: yuan(product.monthFen * product.months),
          productName: product.productName,
          flow: product.flow,
          setmealMonths: product.months,
          monthPrice: yuan(product.monthFen),
        },
      };
    },
    'fc.function.card.recharge': (form) => {
      if (!form.iccid || !form.productId || !form.productName) {
        throw new SimulatorFailure('iccid、productId、productName 为必传参数');
      }
      const index = cardOf(state, { iccid: form.iccid });
      const product = FLOW_PRODUCTS.find(
        (candidate) => String(candidate.productId) === form.productId,
      );
      if (!product || product.productName !== form.productName)
        throw new SimulatorFailure('流量包产品不存在');
      if (product.carrier !== fleet.carrier(index))
        throw new SimulatorFailure('流量包产品与卡的运营商不符');
      const first = repeated(form);
      if (first) return { orderNo: first.orderNo };
      if (fleet.state(index).status === '销号') throw new SimulatorFailure('卡已销号');
      checkBalance(product.fen);
      if (form.preverify === '1') return { errorMessage: '预校验通过' };
      const order = commerce.place({
        orderType: '充值订单',
        index,
        iccid: form.iccid,
        productName: product.productName,
        fen: product.fen,
        flow: product.flow,
        cycle: null,
        months: null,
        monthFen: null,
        remark: form.remark ?? '',
        externalId: form.externalId ?? '',
      });
      return { orderNo: order.orderNo };
    },
    'fc.function.card.renewal': (form) => {
      if (!form.iccid || !form.cycle) throw new SimulatorFailure('iccid、cycle 为必传参数');
      const index = cardOf(state, { iccid: form.iccid });
      const product = RENEWAL_PRODUCTS[fleet.group(index).id]!;
      if (form.productId && form.productId !== String(product.productId))
        throw new SimulatorFailure('套餐产品不存在');
      const cycle = Number(form.cycle);
      const months = form.months ? Number(form.months) : null;
      if (!Number.isInteger(cycle) || cycle < 1) throw new SimulatorFailure('cycle 错误');
      if (
        months !== null &&
        (cycle !== 1 || !Number.isInteger(months) || months < 1 || months > 12)
      ) {
        throw new SimulatorFailure('months 仅当 cycle=1 时有效, 值范围 1~12');
      }
      const first = repeated(form);
      if (first) return { orderNo: first.orderNo };
      const fen =
        months !== null ? product.monthFen * months : product.monthFen * product.months * cycle;
      checkBalance(fen);
      if (form.preverify === '1') return { errorMessage: '预校验通过' };
      const order = commerce.place({
        orderType: '续费订单',
        index,
        iccid: form.iccid,
        productName: product.productName,
        fen,
        flow: product.flow,
        cycle,
        months,
        monthFen: months !== null ? product.monthFen : null,
        remark: form.remark ?? '',
        externalId: form.externalId ?? '',
      });
      return { orderNo: order.orderNo };
    },
    'fc.function.order.details': (form) => {
      const order = commerce.orders.get(form.orderNo ?? '');
      if (!order) throw new SimulatorFailure('订单不存在');
      return { details: commerce.details(order) };
    },
    'fc.function.wallet.details': () => ({
      money: yuan(commerce.balanceFen),
      billingDetails: commerce.wallet.map((entry) => ({
        changeMoney: yuan(entry.changeFen),
        iccid: entry.iccid,
        handleTime: entry.handleTime,
        orderNo: entry.orderNo,
        handleType: entry.handleType,
        remark: entry.remark,
        productName: entry.productName,
        cycle: entry.cycle,
        productPrice: yuan(entry.productFen),
      })),
    }),
  };
}
