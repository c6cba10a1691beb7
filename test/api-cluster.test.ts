import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const ENTRY = new URL('./api-cluster.test-support.ts', import.meta.url).pathname;
const ROOT = new URL('..', import.meta.url).pathname;

/** The pids of the processes `pid` started. */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text === '' ? [] : text.split(/\s+/).map(Number);
}

describe('simdock serve --processes', () => {
  let child: ChildProcess | undefined;
  let directory: string | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('serves one API from several processes and stops them all on SIGTERM', async () => {
    directory = mkdtempSync(join(tmpdir(), 'simdock-processes-'));
    const config = join(directory, 'simdock.yaml');
    writeFileSync(config, `database: sqlite:${join(directory, 'simdock.db')}\n`);
    const run = (...args: string[]) =>
      spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args, '--config', config], {
        cwd: ROOT,
        env: { ...process.env, SIMDOCK_SECRET_KEY: Buffer.alloc(32, 5).toString('base64') },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    child = run('serve', '--processes', '2', '--port', '0', '--host', '127.0.0.1', '--json');
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    let url: string | undefined;
    let printed = '';
    for await (const line of createInterface({ input: child.stdout! })) {
      printed += line;
      if (line !== '}') continue;
      url = (JSON.parse(printed) as { url: string }).url;
      break;
    }
    expect(url, stderr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const workers = childrenOf(child.pid!);
    expect(workers).toHaveLength(2);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${url}/api/v1/cards`)),
    );
    // Every process answers as one API: the same refusal without credentials.
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe(
        'unauthenticated',
      );
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
