import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { CONSOLE_USER } from './console-server.js';

/** Debian's chromium, installed by `.ci/run` where absent. */
export const CHROMIUM = '/usr/bin/chromium';

/** Browser tests run where chromium is installed and the console is built (`npm run console:build`). */
export const canRunConsole =
  existsSync(CHROMIUM) && existsSync(join(import.meta.dirname, '../../dist/console/index.html'));

/** A headless chromium on its own profile, signed in to the console. */
export interface ConsoleBrowser {
  context: BrowserContext;
  page: Page;
  /** Closes chromium and removes its profile. */
  close(): Promise<void>;
}

/**
 * Opens chromium on a fresh profile (zh-CN at 1280×900 unless told) and signs in as
 * `CONSOLE_USER`; page errors are pushed to `errors` when given.
 */
export async function openConsole(
  origin: string,
  options: {
    locale?: 'zh-CN' | 'en';
    viewport?: { width: number; height: number };
    errors?: string[];
  } = {},
): Promise<ConsoleBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'simdock-browser-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    locale: options.locale ?? 'zh-CN',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const { errors } = options;
  if (errors) page.on('pageerror', (error) => errors.push(error.message));
  await signIn(page, origin);
  return {
    context,
    page,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Signs in through the console's sign-in form (Chinese until a language is chosen; English too). */
export async function signIn(page: Page, origin: string): Promise<void> {
  await page.goto(`${origin}/`);
  await page.getByLabel(/^(邮箱|E-mail)$/).fill(CONSOLE_USER.email);
  await page.getByLabel(/^(密码|Password)$/).fill(CONSOLE_USER.password);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  // Attached, not visible: a phone-width header hides it.
  await page.getByTestId('me').waitFor({ state: 'attached' });
}

/**
 * The API as the signed-in console calls it (its session cookie and CSRF token), answers read
 * loosely; `post` expects a 2xx.
 */
export function consoleApi(opened: ConsoleBrowser, origin: string) {
  const { context, page } = opened;
  return {
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    async get(path: string): Promise<any> {
      return (await page.request.get(`${origin}${path}`)).json();
    },
    // biome-ignore lint/suspicious/noExplicitAny: tests read answers loosely.
    async post(path: string, data: unknown): Promise<any> {
      const cookies = await context.cookies();
      const token = cookies.find((cookie) => cookie.name.includes('csrf'))?.value ?? '';
      const response = await page.request.post(`${origin}${path}`, {
        data,
        headers: { 'x-csrf-token': token },
      });
      if (response.status() >= 300)
        throw new Error(`POST ${path}: ${response.status()} ${await response.text()}`);
      return response.json();
    },
  };
}
