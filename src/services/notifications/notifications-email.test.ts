import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, expect, it } from 'vitest';
import { addDays, cstMonth, cstToday } from '../../domain/index.js';
import { PlansRepository } from '../../store/repositories/plans-repository.js';
import { describeEachDialect, useTestStore } from '../../store/store.test-support.js';
import { webhookFixture } from '../webhooks/webhooks.test-support.js';
import { createChannel, getChannel } from './notifications-channels.js';
import { queueDailyDigests } from './notifications-daily.js';
import { deliverNotifications, sendTestMessage } from './notifications-delivery.js';

interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

let server: SMTPServer | undefined;

afterEach(async () => {
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
  server = undefined;
});

/** A real SMTP server on a loopback port, requiring AUTH with one user. */
async function startSmtp(user: string, password: string) {
  const mails: ReceivedMail[] = [];
  const logins: string[] = [];
  server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, callback) {
      logins.push(auth.username ?? '');
      if (auth.username === user && auth.password === password) {
        callback(null, { user: auth.username });
        return;
      }
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        raw += chunk;
      });
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((done) => server!.listen(0, '127.0.0.1', () => done()));
  const { port } = server.server.address() as AddressInfo;
  return { port, mails, logins };
}

/** The decoded text of a quoted-printable or plain mail body. */
function decoded(raw: string): string {
  const text = raw.replace(/=\r?\n/g, '');
  return Buffer.from(
    text.replace(/=([0-9A-F]{2})/g, (_match, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    ),
    'latin1',
  ).toString('utf8');
}

describeEachDialect('email notifications ($dialect)', (target) => {
  const test = useTestStore(target);

  it('sends a test mail a real SMTP server receives, after AUTH, with the password masked', async () => {
    const fixture = await webhookFixture(test.current);
    const smtp = await startSmtp('alerts@example.com', 'smtp-pass-1');
    const channel = await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'ops mail',
        type: 'email',
        locale: 'en',
        settings: {
          host: '127.0.0.1',
          port: smtp.port,
          from: 'simdock <alerts@example.com>',
          to: ['ops@example.com', 'noc@example.com'],
        },
        secrets: { user: 'alerts@example.com', password: 'smtp-pass-1' },
      },
      { sealer: fixture.sealer },
    );
    expect(
      JSON.stringify(
        await getChannel(fixture.context, channel.id, null, { sealer: fixture.sealer }),
      ),
    ).not.toContain('smtp-pass-1');
    const sent = await sendTestMessage(fixture.context, channel.id, null, {
      sealer: fixture.sealer,
      publicUrl: 'https://console.example.com',
    });
    expect(sent.message).toMatchObject({ state: 'succeeded', lastCode: '250' });
    expect(smtp.logins).toEqual(['alerts@example.com']);
    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]!.from).toBe('alerts@example.com');
    expect(smtp.mails[0]!.to).toEqual(['ops@example.com', 'noc@example.com']);
    expect(smtp.mails[0]!.raw).toContain('Subject: simdock test message');
    expect(decoded(smtp.mails[0]!.raw)).toContain('https://console.example.com/alerts');
  });

  it('logs a refused login with the SMTP reply code and keeps the message for a retry', async () => {
    const fixture = await webhookFixture(test.current);
    const smtp = await startSmtp('alerts@example.com', 'right');
    const channel = await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'ops mail',
        type: 'email',
        settings: {
          host: '127.0.0.1',
          port: smtp.port,
          from: 'alerts@example.com',
          to: ['ops@example.com'],
        },
        secrets: { user: 'alerts@example.com', password: 'wrong' },
      },
      { sealer: fixture.sealer },
    );
    const sent = await sendTestMessage(fixture.context, channel.id, null, {
      sealer: fixture.sealer,
    });
    expect(sent.message).toMatchObject({ state: 'pending', lastCode: '535' });
    expect(sent.attempts[0]!.error).toContain('Invalid');
    expect(smtp.mails).toHaveLength(0);
  });

  it('mails a daily digest of cards expiring soon and cards over quota, once a day', async () => {
    const fixture = await webhookFixture(test.current);
    const smtp = await startSmtp('u', 'p');
    const now = test.current.clock.now();
    const plans = new PlansRepository(test.current.store, () => now);
    const plan = await plans.create({ name: '1GB', quotaBytes: 1024 ** 3 });
    await plans.assign([fixture.cards.acme], {
      planId: plan.id,
      expiresOn: addDays(cstToday(now), 3),
    });
    await plans.assign([fixture.cards.globex], { planId: plan.id });
    await test.current.store.usage.upsertMonthly([
      { cardId: fixture.cards.globex, month: cstMonth(now), bytes: 1.5 * 1024 ** 3 },
    ]);
    // A plan cycling from the 15th: its cycle's days count, the month's figure does not.
    const mid = await plans.create({ name: 'mid', quotaBytes: 1024 ** 3, cycleStartDay: 15 });
    const third = { id: fixture.cards.unassigned };
    await plans.assign([third.id], { planId: mid.id });
    await test.current.store.usage.upsertMonthly([
      { cardId: third.id, month: cstMonth(now), bytes: 9 * 1024 ** 3 },
    ]);
    await test.current.store.usage.upsertDaily([
      { cardId: third.id, date: cstToday(now), bytes: 2 * 1024 ** 3 },
    ]);
    await createChannel(
      fixture.context,
      {
        tenantId: 'root',
        name: 'daily',
        type: 'email',
        locale: 'zh-CN',
        dailyDigest: true,
        settings: {
          host: '127.0.0.1',
          port: smtp.port,
          from: 'a@example.com',
          to: ['ops@example.com'],
        },
        secrets: { user: 'u', password: 'p' },
      },
      { sealer: fixture.sealer },
    );
    expect(await queueDailyDigests(fixture.context, { sealer: fixture.sealer })).toBe(1);
    expect(await queueDailyDigests(fixture.context, { sealer: fixture.sealer })).toBe(0);
    const summary = await deliverNotifications(fixture.context, { sealer: fixture.sealer });
    expect(summary).toMatchObject({ composed: 1, succeeded: 1 });
    expect(smtp.mails).toHaveLength(1);
    const body = decoded(smtp.mails[0]!.raw);
    expect(body).toContain('7 天内到期的卡片:1 张');
    expect(body).toContain('898602B2221340000001');
    expect(body).toContain('本周期超出套餐流量的卡片:2 张');
    expect(body).toContain('898602B2221340000002');
    expect(body).toContain('150%');
    expect(body).toContain('898602B2221340000003');
    expect(body).toContain('200%');
  });
});
