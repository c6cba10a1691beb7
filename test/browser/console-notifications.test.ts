import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSOLE_USER, type ConsoleServer, startConsoleServer } from './console-server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
const hasConsoleBuild = existsSync(join(import.meta.dirname, '../../dist/console/index.html'));

describe.skipIf(!hasChromium || !hasConsoleBuild)('console: notification channels', () => {
  let server: ConsoleServer;
  let smtp: SMTPServer;
  let smtpPort: number;
  const mails: string[] = [];
  let browser: BrowserContext;
  let page: Page;
  let profile: string;

  beforeAll(async () => {
    server = await startConsoleServer(5);
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        if (auth.username === 'alerts' && auth.password === 'console-smtp-pw-4471') {
          callback(null, { user: 'alerts' });
        } else callback(new Error('Invalid username or password'));
      },
      onData(stream, _session, callback) {
        let raw = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          raw += chunk;
        });
        stream.on('end', () => {
          mails.push(raw);
          callback();
        });
      },
    });
    await new Promise<void>((done) => smtp.listen(0, '127.0.0.1', () => done()));
    smtpPort = (smtp.server.address() as AddressInfo).port;
    profile = mkdtempSync(join(tmpdir(), 'simdock-notify-'));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      viewport: { width: 1280, height: 900 },
      locale: 'en',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
    });
    page = browser.pages()[0] ?? (await browser.newPage());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((done) => (smtp ? smtp.close(() => done()) : done()));
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('adds an email channel, masks its password, sends a test and shows it in the log', async () => {
    await page.goto(`${server.origin}/`);
    await page.getByLabel('邮箱').fill(CONSOLE_USER.email);
    await page.getByLabel('密码').fill(CONSOLE_USER.password);
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByTestId('me').waitFor();
    await page.evaluate(() => localStorage.setItem('simdock.language', 'en'));
    await page.goto(`${server.origin}/notifications`);
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.getByTestId('notification-new').click();
    const editor = page.getByTestId('notification-editor');
    await editor.getByLabel('Name').fill('Ops mail');
    await editor.getByLabel('Type').selectOption('email');
    await editor.getByLabel('Language').selectOption('en');
    await editor.getByLabel('SMTP host').fill('127.0.0.1');
    await editor.getByLabel('SMTP port').fill(String(smtpPort));
    await editor.getByLabel('From', { exact: true }).fill('alerts@example.com');
    await editor.getByLabel('To (comma-separated)').fill('ops@example.com');
    await editor.getByLabel('SMTP user').fill('alerts');
    await editor.getByLabel('SMTP password').fill('console-smtp-pw-4471');
    await editor.getByRole('button', { name: 'Save' }).click();
    const channels = page.getByTestId('notification-channels');
    await channels.getByText('Ops mail').waitFor();
    expect(await page.content()).not.toContain('console-smtp-pw-4471');

    await channels.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Delivered (250)');
    expect(mails).toHaveLength(1);
    expect(mails[0]).toContain('Subject: simdock test message');
    const log = page.getByTestId('notification-messages');
    await log.getByText('simdock test message').waitFor();
    expect(await log.textContent()).toContain('250');

    // Editing shows the secrets only masked, as a hint.
    await channels.getByRole('button', { name: 'Edit' }).click();
    const password = page.getByTestId('notification-editor').getByLabel('SMTP password');
    expect(await password.inputValue()).toBe('');
    expect(await password.getAttribute('placeholder')).toContain('••••');
  });
});
