import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CommandIo } from '../src/cli/io.js';
import { CliSandbox } from './cli-harness.js';

describe('simdock demo serves the API after its summary', () => {
  let sandbox: CliSandbox;
  beforeEach(() => {
    sandbox = new CliSandbox();
  });
  afterEach(() => sandbox.remove());

  it('prints a ready console login and API key that both work, until stopped', async () => {
    const { run } = await import('../src/cli/commands/demo/demo.js');
    const stop = new AbortController();
    let output = '';
    const io: CommandIo = {
      stdout: { write: (text: string) => (output += text) },
      stderr: { write: () => true },
      environment: sandbox.environment,
      cwd: sandbox.directory,
    };
    let url = '';
    const listening = new Promise<void>((resolve) => {
      void run(
        {
          cards: 5,
          database: 'sqlite:./data/demo.db',
          port: 0,
          abortSignal: stop.signal,
          onListening: (value) => {
            url = value;
            resolve();
          },
        },
        io,
      );
    });
    await listening;
    try {
      const login = /console login: (\S+) \/ (\S+)/.exec(output);
      const key = /API key \(owner, shown once\): (\S+)/.exec(output);
      expect(login?.[1]).toBe('admin@demo.local');
      const cards = await fetch(`${url}/api/v1/cards?limit=3`, {
        headers: { authorization: `Bearer ${key![1]}` },
      });
      expect(cards.status).toBe(200);
      expect(((await cards.json()) as { cards: unknown[] }).cards).toHaveLength(3);
      // Eight accounts, one per supplier type, and no ICCID on two of them.
      const fleet = await fetch(`${url}/api/v1/cards?limit=1000`, {
        headers: { authorization: `Bearer ${key![1]}` },
      });
      const all = ((await fleet.json()) as { cards: { iccid: string | null; account: string }[] })
        .cards;
      expect(new Set(all.map((card) => card.account)).size).toBe(8);
      const iccids = all.flatMap((card) => (card.iccid ? [card.iccid] : []));
      expect(iccids.length).toBeGreaterThan(8 * 3);
      expect(new Set(iccids).size).toBe(iccids.length);
      const session = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: login![1], password: login![2] }),
      });
      expect(session.status).toBe(200);
    } finally {
      stop.abort();
    }
  });

  it('exits after the summary with --once', async () => {
    const result = await sandbox.run(
      'demo',
      '--once',
      '--cards',
      '3',
      '--database',
      'sqlite:./data/once.db',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Demo fleet synced');
    expect(result.stdout).not.toContain('console login');
  });
});
