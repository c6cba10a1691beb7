import { createHash } from 'node:crypto';
import { type Clock, cstTimestamp } from '../../domain/index.js';
import type { FetchFunction } from '../spec/index.js';

/**
 * The simulated platform's side of the push notices (m2m10086-api-v3.txt §3): signs each notice
 * with its own code, posts it, and resends every 5 minutes until the receiver answers exactly
 * `OK`, at most 6 times (§3.1). Waits run on the injected clock, so tests compress them.
 */

/** §3.1: "M2M 卡管理平台会在 5 分钟之后重新发送 … 重发的次数到达 6 次 … 将停止发送". */
export const NOTICE_RESEND_INTERVAL_MS = 5 * 60 * 1000;
export const NOTICE_MAX_RESENDS = 6;
/** §3.1.1: `count` is a 3-character field, so one notice carries at most 999 records. */
const MAX_RECORDS_PER_NOTICE = 999;

export interface NoticeAttempt {
  url: string;
  msgtype: string;
  /** 0 for the first send, 1–6 for resends. */
  resend: number;
  at: number;
  /** What the receiver answered (or the transport error). */
  answer: string;
  acknowledged: boolean;
}

export class M2mNoticePusher {
  readonly attempts: NoticeAttempt[] = [];
  #inFlight = 0;
  #sequence = 0;
  readonly #clock: Clock;
  readonly #fetch: FetchFunction;
  readonly #password: string;

  constructor(options: { clock: Clock; fetch: FetchFunction; password: string }) {
    this.#clock = options.clock;
    this.#fetch = options.fetch;
    this.#password = options.password;
  }

  /** Builds the signed bodies for these records (split by the 999-record limit). */
  bodies(msgtype: string, datas: Record<string, string>[]): Record<string, unknown>[] {
    const bodies: Record<string, unknown>[] = [];
    for (let start = 0; start < datas.length; start += MAX_RECORDS_PER_NOTICE) {
      const slice = datas.slice(start, start + MAX_RECORDS_PER_NOTICE);
      this.#sequence = (this.#sequence + 1) % 100_000_000;
      const requesttime = cstTimestamp(this.#clock.now()) + String(this.#sequence).padStart(8, '0');
      const count = String(slice.length);
      const sign = createHash('md5')
        .update(`${this.#password}${requesttime}${msgtype}${count}`.toLowerCase())
        .digest('hex');
      bodies.push({ requesttime, msgtype, count, sign, datas: slice });
    }
    return bodies;
  }

  /** Sends the records as notices in the background, resending as §3.1 says. */
  push(url: string, msgtype: string, datas: Record<string, string>[]): void {
    for (const body of this.bodies(msgtype, datas)) void this.#deliver(url, msgtype, body);
  }

  /** Posts a prepared body (also used to replay a notice by hand, as the console allows). */
  async #deliver(url: string, msgtype: string, body: Record<string, unknown>): Promise<void> {
    for (let resend = 0; resend <= NOTICE_MAX_RESENDS; resend += 1) {
      if (resend > 0) await this.#clock.sleep(NOTICE_RESEND_INTERVAL_MS);
      this.#inFlight += 1;
      let answer: string;
      try {
        const response = await this.#fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(body),
        });
        answer = await response.text();
      } catch (error) {
        answer = `error: ${(error as Error).message}`;
      } finally {
        this.#inFlight -= 1;
      }
      const acknowledged = answer === 'OK';
      this.attempts.push({ url, msgtype, resend, at: this.#clock.now(), answer, acknowledged });
      if (acknowledged) return;
    }
  }

  /** Resolves once no post is under way (deliveries waiting for a resend do not count). */
  async whenIdle(): Promise<void> {
    do {
      await new Promise((resolve) => setImmediate(resolve));
    } while (this.#inFlight > 0);
  }
}
