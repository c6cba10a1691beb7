import { afterEach, expect, it } from 'vitest';
import type { Severity } from '../../domain/rules-model.js';
import { AlertsRepository } from '../../store/repositories/alerts-repository.js';
import { NotificationsRepository } from '../../store/repositories/notifications-repository.js';
import {
  describeEachDialect,
  type TestStore,
  useTestStore,
} from '../../store/store.test-support.js';
import { webhookFixture } from '../webhooks/webhooks.test-support.js';
import { createWebhookSender } from '../webhooks/webhooks-http.js';
import {
  createChannel,
  getChannel,
  listChannels,
  updateChannel,
} from './notifications-channels.js';
import {
  type DeliverNotificationsOptions,
  deliverNotifications,
  resendMessage,
  sendTestMessage,
} from './notifications-delivery.js';
import {
  type FakeRobot,
  type FakeRobotType,
  startFakeRobot,
} from './notifications-robots.test-support.js';

const PUBLIC_URL = 'https://console.example.com';
let robots: FakeRobot[] = [];

afterEach(async () => {
  await Promise.all(robots.map((robot) => robot.close()));
  robots = [];
});

async function robot(
  test: TestStore,
  type: FakeRobotType,
  extra: { secret?: string; perMinute?: number } = {},
) {
  const started = await startFakeRobot({
    type,
    token: `${type}-token-0123456789abcdef`,
    now: () => test.clock.now(),
    ...extra,
  });
  robots.push(started);
  return started;
}

function options(fixture: Awaited<ReturnType<typeof webhookFixture>>): DeliverNotificationsOptions {
  return {
    sealer: fixture.sealer,
    allowPrivateTargets: true,
    publicUrl: PUBLIC_URL,
    sender: createWebhookSender({ allowPrivateTargets: true }),
  };
}

let alertSequence = 0;
async function raise(
  test: TestStore,
  input: {
    cardId?: number | null;
    severity?: Severity;
    ruleId?: number | null;
    message?: string;
  } = {},
) {
  alertSequence += 1;
  const { alert } = await new AlertsRepository(test.store, () => test.clock.now()).raise({
    ruleId: input.ruleId ?? null,
    cardId: input.cardId ?? null,
    account: 'east',
    cycle: '2026-12-01',
    dedupeKey: `test:${alertSequence}`,
    source: 'rule',
    kind: 'usage',
    severity: input.severity ?? 'warning',
    message: input.message ?? `usage at 85 % of the quota (#${alertSequence};)`,
    data: { ruleName: 'usage 80%' },
  });
  return alert;
}

describeEachDialect('notification channels ($dialect)', (target) => {
  const test = useTestStore(target);

  it('signs DingTalk messages the robot verifies, links the card, logs the answer code', async () => {
    const fixture = await webhookFixture(test.current);
    const dingtalk = await robot(test.current, 'dingtalk', { secret: 'SECdingtalk-secret-1' });
    const channel = await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'ops group',
        type: 'dingtalk',
        locale: 'zh-CN',
        secrets: { webhookUrl: dingtalk.url, secret: 'SECdingtalk-secret-1' },
      },
      options(fixture),
    );
    // Masked: the token and the secret never come back.
    const shown = JSON.stringify(
      await getChannel(fixture.context, channel.id, null, options(fixture)),
    );
    expect(shown).not.toContain('dingtalk-token-0123456789abcdef');
    expect(shown).not.toContain('SECdingtalk-secret-1');
    expect(channel.secrets).toEqual({
      webhookUrl: expect.stringContaining('••••cdef'),
      secret: '••••',
    });
    const stored = await test.current.store.db
      .selectFrom('notification_channels')
      .select('secrets')
      .executeTakeFirstOrThrow();
    expect(stored.secrets).toMatch(/^v1:/);
    expect(stored.secrets).not.toContain('SECdingtalk');

    test.current.clock.advance(1_000);
    const alert = await raise(test.current, { cardId: fixture.cards.acme, severity: 'critical' });
    const summary = await deliverNotifications(fixture.context, options(fixture));
    expect(summary).toMatchObject({ queued: 1, composed: 1, succeeded: 1 });
    expect(dingtalk.answers.map((answer) => answer.code)).toEqual([0]);
    const [message] = dingtalk.received;
    expect(message!.title).toBe('【严重】usage 80%');
    expect(message!.text).toContain(
      `[898602B2221340000001](${PUBLIC_URL}/cards/${fixture.cards.acme})`,
    );
    expect(message!.text).toContain(`${PUBLIC_URL}/alerts?alert=${alert.id}`);
    const repository = new NotificationsRepository(test.current.store, fixture.sealer);
    const [logged] = await repository.listMessages(null);
    expect(logged).toMatchObject({ state: 'succeeded', kind: 'single', items: 1, lastCode: '0' });
    // Nothing is sent twice.
    expect(await deliverNotifications(fixture.context, options(fixture))).toMatchObject({
      attempted: 0,
    });
  });

  it('retries a refused signature with the robot’s code, and delivers once the secret is fixed', async () => {
    const fixture = await webhookFixture(test.current);
    const dingtalk = await robot(test.current, 'dingtalk', { secret: 'SECright' });
    const channel = await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'ops',
        type: 'dingtalk',
        secrets: { webhookUrl: dingtalk.url, secret: 'SECwrong' },
      },
      options(fixture),
    );
    test.current.clock.advance(1_000);
    await raise(test.current);
    expect(await deliverNotifications(fixture.context, options(fixture))).toMatchObject({
      retrying: 1,
    });
    const repository = new NotificationsRepository(test.current.store, fixture.sealer);
    const [message] = await repository.listMessages(null);
    expect(message).toMatchObject({ state: 'pending', lastCode: '310000', lastStatus: 200 });
    expect(message!.lastError).toContain('sign not match');
    await updateChannel(
      fixture.context,
      channel.id,
      null,
      { secrets: { secret: 'SECright' } },
      options(fixture),
    );
    test.current.clock.advance(30_000);
    expect(await deliverNotifications(fixture.context, options(fixture))).toMatchObject({
      succeeded: 1,
    });
    const attempts = await repository.attempts(message!.id);
    expect(attempts.map((attempt) => attempt.answerCode)).toEqual(['310000', '0']);
    expect(dingtalk.received).toHaveLength(1);
  });

  it('posts to a WeCom group robot by its key and to a signed Feishu bot, in each channel’s language', async () => {
    const fixture = await webhookFixture(test.current);
    const wecom = await robot(test.current, 'wecom');
    const feishu = await robot(test.current, 'feishu', { secret: 'feishu-secret' });
    const wecomChannel = await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'wecom',
        type: 'wecom',
        locale: 'en',
        secrets: { webhookUrl: wecom.url },
      },
      options(fixture),
    );
    const feishuChannel = await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'feishu',
        type: 'feishu',
        locale: 'zh-CN',
        secrets: { webhookUrl: feishu.url, secret: 'feishu-secret' },
      },
      options(fixture),
    );
    const test1 = await sendTestMessage(fixture.context, wecomChannel.id, null, options(fixture));
    expect(test1.message).toMatchObject({ state: 'succeeded', kind: 'test', lastCode: '0' });
    expect(wecom.received[0]!.text).toContain('This is a test message from simdock');
    const test2 = await sendTestMessage(fixture.context, feishuChannel.id, null, options(fixture));
    expect(test2.message).toMatchObject({ state: 'succeeded', lastCode: '0' });
    expect(feishu.received[0]!.title).toBe('simdock 测试消息');
    // A wrong Feishu secret is refused with 19021.
    await updateChannel(
      fixture.context,
      feishuChannel.id,
      null,
      { secrets: { secret: 'other' } },
      options(fixture),
    );
    const refused = await sendTestMessage(
      fixture.context,
      feishuChannel.id,
      null,
      options(fixture),
    );
    expect(refused.message).toMatchObject({ state: 'pending', lastCode: '19021' });
  });

  it('records each robot’s rate-limit code, waits, and delivers later without loss', async () => {
    const fixture = await webhookFixture(test.current);
    const cases: [FakeRobotType, string, number][] = [
      ['dingtalk', '130101', 10 * 60_000],
      ['wecom', '45009', 60_000],
      ['feishu', '11232', 60_000],
    ];
    for (const [type, code, coolDown] of cases) {
      // The robot takes fewer than the channel believes (another sender shares it).
      const fake = await robot(test.current, type, { perMinute: 1 });
      const channel = await createChannel(
        fixture.context,
        { tenantId: 'root', name: type, type, secrets: { webhookUrl: fake.url } },
        options(fixture),
      );
      await sendTestMessage(fixture.context, channel.id, null, options(fixture));
      const second = await sendTestMessage(fixture.context, channel.id, null, options(fixture));
      expect(second.message).toMatchObject({ state: 'pending', lastCode: code });
      expect(second.message.nextAttemptAt).toBe(test.current.clock.now() + coolDown);
      test.current.clock.advance(coolDown);
      await deliverNotifications(fixture.context, options(fixture));
      const repository = new NotificationsRepository(test.current.store, fixture.sealer);
      expect(await repository.getMessage(second.message.id, null)).toMatchObject({
        state: 'succeeded',
      });
      expect(fake.received).toHaveLength(2);
      await updateChannel(fixture.context, channel.id, null, { enabled: false }, options(fixture));
    }
  });

  it('folds a burst of 100 alerts in a minute into at most 20 robot messages, losing none', async () => {
    const fixture = await webhookFixture(test.current);
    const dingtalk = await robot(test.current, 'dingtalk', { secret: 'SECburst' });
    await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'burst',
        type: 'dingtalk',
        locale: 'en',
        secrets: { webhookUrl: dingtalk.url, secret: 'SECburst' },
      },
      options(fixture),
    );
    test.current.clock.advance(1_000);
    const start = test.current.clock.now();
    const raised: number[] = [];
    // 100 alerts over 60 seconds, a delivery pass every second.
    for (let second = 0; second < 60; second += 1) {
      const due = Math.floor(((second + 1) * 100) / 60) - raised.length;
      for (let index = 0; index < due; index += 1) {
        raised.push(
          (
            await raise(test.current, {
              cardId: fixture.cards.globex,
              message: `burst alert #${raised.length + 1};`,
            })
          ).id,
        );
      }
      await deliverNotifications(fixture.context, options(fixture));
      test.current.clock.advance(1_000);
    }
    expect(raised).toHaveLength(100);
    // Drain: passes until nothing waits.
    for (let pass = 0; pass < 120; pass += 1) {
      await deliverNotifications(fixture.context, options(fixture));
      test.current.clock.advance(1_000);
    }
    expect(dingtalk.received.length).toBeLessThanOrEqual(20);
    expect(dingtalk.answers.every((answer) => answer.code === 0)).toBe(true);
    const texts = dingtalk.received.map((message) => message.text).join('\n');
    for (let number = 1; number <= 100; number += 1)
      expect(texts).toContain(`burst alert #${number};`);
    // Never more than 20 in any 60 s.
    for (const message of dingtalk.received) {
      const window = dingtalk.received.filter(
        (other) => other.at >= message.at && other.at < message.at + 60_000,
      );
      expect(window.length).toBeLessThanOrEqual(20);
    }
    const repository = new NotificationsRepository(test.current.store, fixture.sealer);
    const messages = await repository.listMessages(null, { limit: 500 });
    expect(messages.reduce((sum, message) => sum + message.items, 0)).toBe(100);
    expect(messages.some((message) => message.kind === 'digest')).toBe(true);
    expect(test.current.clock.now() - start).toBeGreaterThan(60_000);
  });

  it('routes by tenant, rule and severity: a sub-tenant’s robot gets its own cards’ alerts only', async () => {
    const fixture = await webhookFixture(test.current);
    const acmeRobot = await robot(test.current, 'wecom');
    const criticalRobot = await robot(test.current, 'wecom');
    const ruleRobot = await robot(test.current, 'wecom');
    await createChannel(
      fixture.context,
      { tenantId: 'acme', name: 'acme', type: 'wecom', secrets: { webhookUrl: acmeRobot.url } },
      options(fixture),
    );
    await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'critical',
        type: 'wecom',
        minSeverity: 'critical',
        secrets: { webhookUrl: criticalRobot.url },
      },
      options(fixture),
    );
    await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'rule 7',
        type: 'wecom',
        ruleIds: [7],
        secrets: { webhookUrl: ruleRobot.url },
      },
      options(fixture),
    );
    test.current.clock.advance(1_000);
    await raise(test.current, { cardId: fixture.cards.acme, message: 'acme card #a;' });
    await raise(test.current, {
      cardId: fixture.cards.globex,
      severity: 'critical',
      message: 'globex card #g;',
    });
    await raise(test.current, { cardId: null, ruleId: 7, message: 'account alarm #r;' });
    await deliverNotifications(fixture.context, options(fixture));
    test.current.clock.advance(60_000);
    await deliverNotifications(fixture.context, options(fixture));
    const texts = (fake: FakeRobot) => fake.received.map((message) => message.text).join('\n');
    expect(texts(acmeRobot)).toContain('#a;');
    expect(texts(acmeRobot)).not.toMatch(/#g;|#r;/);
    expect(texts(criticalRobot)).toContain('#g;');
    expect(texts(criticalRobot)).not.toMatch(/#a;|#r;/);
    expect(texts(ruleRobot)).toContain('#r;');
    expect(texts(ruleRobot)).not.toMatch(/#a;|#g;/);
    // Acme's admin sees only acme's channel.
    expect(
      (await listChannels(fixture.context, ['acme'], options(fixture))).map((c) => c.name),
    ).toEqual(['acme']);
  });

  it('refuses bad settings with a clear error that never repeats the robot URL', async () => {
    const fixture = await webhookFixture(test.current);
    await expect(
      createChannel(
        fixture.context,
        {
          tenantId: 'root',
          name: 'x',
          type: 'dingtalk',
          secrets: { webhookUrl: 'not a url?access_token=SECRET123' },
        },
        options(fixture),
      ),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.not.stringContaining('SECRET123'),
    });
    await expect(
      createChannel(
        fixture.context,
        {
          tenantId: 'root',
          name: 'x',
          type: 'dingtalk',
          secrets: { webhookUrl: 'http://10.0.0.1/robot/send?access_token=SECRET123' },
        },
        { sealer: fixture.sealer },
      ),
    ).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.not.stringContaining('SECRET123'),
    });
    await expect(
      createChannel(
        fixture.context,
        {
          tenantId: 'root',
          name: 'x',
          type: 'wecom',
          perMinute: 50,
          secrets: { webhookUrl: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' },
        },
        options(fixture),
      ),
    ).rejects.toMatchObject({ code: 'invalid_argument', details: { field: 'perMinute' } });
    await expect(
      createChannel(
        fixture.context,
        {
          tenantId: 'root',
          name: 'x',
          type: 'email',
          settings: { host: 'smtp.example.com', port: 25, from: 'a@example.com', to: [] },
          secrets: {},
        },
        options(fixture),
      ),
    ).rejects.toMatchObject({ code: 'invalid_argument' });
    expect(await listChannels(fixture.context, null, options(fixture))).toEqual([]);
  });

  it('resends a message by hand, logged as manual', async () => {
    const fixture = await webhookFixture(test.current);
    const wecom = await robot(test.current, 'wecom');
    const channel = await createChannel(
      fixture.context,
      { tenantId: 'root', name: 'w', type: 'wecom', secrets: { webhookUrl: wecom.url } },
      options(fixture),
    );
    const sent = await sendTestMessage(fixture.context, channel.id, null, options(fixture));
    await expect(
      resendMessage(fixture.context, sent.message.id, ['acme'], options(fixture)),
    ).rejects.toMatchObject({ code: 'not_found' });
    const again = await resendMessage(fixture.context, sent.message.id, null, options(fixture));
    expect(again.attempts.map((attempt) => attempt.manual)).toEqual([false, true]);
    expect(wecom.received).toHaveLength(2);
  });
});
