import { SupplierError } from '../spec/index.js';
import {
  type AgentCallOptions,
  type AgentCard,
  type AgentCards,
  type AgentClientOptions,
  AgentTransport,
  cardKey,
  cardsForm,
} from './agent-transport.js';

/**
 * A faithful SDK of the reseller "V2.0 open API for agents": one method per operation of the
 * document's menu, named after the operation, taking the document's field names. Card batches
 * name their cards by ICCID or by number (`simNo`). Usage figures from this API are bytes.
 */
export class AgentClient {
  readonly transport: AgentTransport;

  constructor(options: AgentClientOptions) {
    this.transport = new AgentTransport(options);
  }

  /** 批量查询卡板信息 (100 cards): the cards in full, as in the device response's `sims`. */
  async batchQueryCardInfo(cards: AgentCards, options?: AgentCallOptions) {
    this.transport.checkBatch('batchQueryCardInfo', cards);
    return this.transport.call('batchQueryCardInfo', cardsForm(cards), options);
  }

  /** 批量订阅卡板信息 (100 cards): have the platform push the cards' changes to `notifyUrl`. */
  async batchSubscribeCardInfo(cards: AgentCards, notifyUrl?: string, options?: AgentCallOptions) {
    this.transport.checkBatch('batchSubscribeCardInfo', cards);
    return this.transport.call(
      'batchSubscribeCardInfo',
      { ...cardsForm(cards), notifyUrl },
      options,
    );
  }

  /**
   * 批量查询卡板最新状态 (10 cards), each card at most 3 times a minute: a card over its budget
   * fails the call before it is sent (`rate_limited`, with `retryAfterMs`).
   */
  async batchQueryCardStatus(cards: AgentCards, options?: AgentCallOptions) {
    const values = this.transport.checkBatch('batchQueryCardStatus', cards);
    const waits = values.map((value) => this.transport.statusWindow.waitMs(value));
    const longest = Math.max(...waits);
    if (longest > 0) {
      const busy = values.filter((_, index) => waits[index]! > 0);
      throw new SupplierError(
        'rate_limited',
        `agent latest status: ${busy.join(', ')} already read ${this.transport.statusWindow.limit} times this minute`,
        { retryAfterMs: longest, accountId: this.transport.accountId, details: { cards: busy } },
      );
    }
    this.transport.statusWindow.record(values);
    return this.transport.call('batchQueryCardStatus', cardsForm(cards), options);
  }

  /** 批量查询卡板实时流量 (10 cards): bytes used in the current cycle. */
  async batchQueryCardRealtimeFlow(cards: AgentCards, options?: AgentCallOptions) {
    this.transport.checkBatch('batchQueryCardRealtimeFlow', cards);
    return this.transport.call('batchQueryCardRealtimeFlow', cardsForm(cards), options);
  }

  /** 批量查询卡板指定月流量 (10 cards): bytes used in a month, `yyyyMM`. */
  async batchQueryCardMonthFlow(cards: AgentCards, month: string, options?: AgentCallOptions) {
    this.transport.checkBatch('batchQueryCardMonthFlow', cards);
    return this.transport.call('batchQueryCardMonthFlow', { ...cardsForm(cards), month }, options);
  }

  /** 批量停机 (100 cards), asynchronous: follow `batchNo` with queryCardOperationRecords. */
  async batchStopCard(cards: AgentCards, options?: AgentCallOptions) {
    this.transport.checkBatch('batchStopCard', cards);
    return this.transport.call('batchStopCard', cardsForm(cards), options);
  }

  /** 批量复机 (100 cards), asynchronous like batchStopCard. */
  async batchRestoreCard(cards: AgentCards, options?: AgentCallOptions) {
    this.transport.checkBatch('batchRestoreCard', cards);
    return this.transport.call('batchRestoreCard', cardsForm(cards), options);
  }

  /** 单卡机卡绑定: bind the card to a device IMEI. */
  async bindCardImei(card: AgentCard, imei: string, options?: AgentCallOptions) {
    return this.transport.call('bindCardImei', { ...card, imei }, options);
  }

  /** 单卡限速. Refused before any call while the card's speed cooldown runs (`cooldown`). */
  async limitCardSpeed(card: AgentCard, speedCode: string, options?: AgentCallOptions) {
    this.#checkSpeedCooldown(card);
    const result = await this.transport.call('limitCardSpeed', { ...card, speedCode }, options);
    this.transport.speedCooldown.record(cardKey(card));
    return result;
  }

  /** 单卡解除限速. Shares the speed cooldown with limitCardSpeed. */
  async unlimitCardSpeed(card: AgentCard, options?: AgentCallOptions) {
    this.#checkSpeedCooldown(card);
    const result = await this.transport.call('unlimitCardSpeed', card, options);
    this.transport.speedCooldown.record(cardKey(card));
    return result;
  }

  /**
   * 单卡/设备订购套餐包: order package `packageId` for a card or a device. `outOrderNo` is the
   * caller's order number: the platform refuses a number twice, so a retried order is not
   * placed twice.
   */
  async orderPackage(
    target: AgentCard | { deviceNo: string },
    packageId: string,
    outOrderNo: string,
    options?: AgentCallOptions,
  ) {
    return this.transport.call('orderPackage', { ...target, packageId, outOrderNo }, options);
  }

  /** 获取官方实名链接: the operator's real-name registration link for the card. */
  async getRealNameUrl(card: AgentCard, options?: AgentCallOptions) {
    return this.transport.call('getRealNameUrl', card, options);
  }

  /** 清除官方实名: clears the card's real-name registration. */
  async clearRealName(card: AgentCard, options?: AgentCallOptions) {
    return this.transport.call('clearRealName', card, options);
  }

  /** 查询卡板操作记录: by card or by the `batchNo` of a batch stop / restore. */
  async queryCardOperationRecords(
    query: { iccid?: string; simNo?: string; batchNo?: string; page?: number; pageSize?: number },
    options?: AgentCallOptions,
  ) {
    return this.transport.call('queryCardOperationRecords', query, options);
  }

  /** 查询账户资产: the account's balance and holdings. */
  async queryAccountAssets(options?: AgentCallOptions) {
    return this.transport.call('queryAccountAssets', {}, options);
  }

  /** 查询设备流量 (the published operation): the device and its cards, usage freshest. */
  async queryDeviceFlow(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('queryDeviceFlow', { deviceNo }, options);
  }

  /** 查询设备信息: same answer as queryDeviceFlow. */
  async queryDeviceInfo(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('queryDeviceInfo', { deviceNo }, options);
  }

  /** 设备切换网络: make slot `effectiveSim` (1 main, 2 vice 1, 3 vice 2, 4 USIM) carry traffic. */
  async switchDeviceNetwork(
    deviceNo: string,
    effectiveSim: 1 | 2 | 3 | 4,
    options?: AgentCallOptions,
  ) {
    return this.transport.call(
      'switchDeviceNetwork',
      { deviceNo, effectiveSim: String(effectiveSim) as '1' | '2' | '3' | '4' },
      options,
    );
  }

  /** 设备重启. */
  async rebootDevice(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('rebootDevice', { deviceNo }, options);
  }

  /** 设备重置: factory reset. */
  async resetDevice(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('resetDevice', { deviceNo }, options);
  }

  /** 设备关机. */
  async shutdownDevice(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('shutdownDevice', { deviceNo }, options);
  }

  /** 修改wifi显示隐藏: `showWifi` / `showWifi5G` 1 broadcasts the SSID, 0 hides it. */
  async updateDeviceWifiShow(
    deviceNo: string,
    show: { showWifi?: 0 | 1; showWifi5G?: 0 | 1 },
    options?: AgentCallOptions,
  ) {
    return this.transport.call(
      'updateDeviceWifiShow',
      {
        deviceNo,
        showWifi: show.showWifi === undefined ? undefined : (String(show.showWifi) as '0' | '1'),
        showWifi5G:
          show.showWifi5G === undefined ? undefined : (String(show.showWifi5G) as '0' | '1'),
      },
      options,
    );
  }

  /** 修改wifi账号密码: new SSID and/or password, per band. */
  async updateDeviceWifiAccount(
    deviceNo: string,
    account: { wifiName?: string; wifiPass?: string; wifiName5G?: string; wifiPass5G?: string },
    options?: AgentCallOptions,
  ) {
    return this.transport.call('updateDeviceWifiAccount', { deviceNo, ...account }, options);
  }

  /** 设备停机. */
  async stopDevice(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('stopDevice', { deviceNo }, options);
  }

  /** 设备复机. */
  async restoreDevice(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('restoreDevice', { deviceNo }, options);
  }

  /** 获取移动终端认证Token: a token the device's terminal authenticates with. */
  async getTerminalToken(deviceNo: string, options?: AgentCallOptions) {
    return this.transport.call('getTerminalToken', { deviceNo }, options);
  }

  #checkSpeedCooldown(card: AgentCard): void {
    const remainingMs = this.transport.speedCooldown.remainingMs(cardKey(card));
    if (remainingMs > 0) {
      throw new SupplierError(
        'cooldown',
        `agent: card ${cardKey(card)} changed its speed limit less than ${Math.round(this.transport.speedCooldown.cooldownMs / 1000)} s ago; wait ${Math.ceil(remainingMs / 1000)} s`,
        { retryAfterMs: remainingMs, accountId: this.transport.accountId },
      );
    }
  }
}

/** Creates the agent open API client. */
export function createAgentClient(options: AgentClientOptions): AgentClient {
  return new AgentClient(options);
}
