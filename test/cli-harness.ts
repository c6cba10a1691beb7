import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';
import type { CommandIo } from '../src/cli/io.js';
import { main } from '../src/cli/main.js';

/** A scratch directory with a config file, and a way to run the CLI in it. */
export class CliSandbox {
  readonly directory = mkdtempSync(join(tmpdir(), 'simdock-cli-'));
  readonly environment: NodeJS.ProcessEnv = {
    SIMDOCK_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'),
  };

  write(name: string, text: string): string {
    const path = join(this.directory, name);
    writeFileSync(path, text);
    return path;
  }

  async run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const io: CommandIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      environment: this.environment,
      cwd: this.directory,
    };
    const code = await main(['node', 'simdock', ...args], io);
    return { code, stdout, stderr };
  }

  /** Runs a command that prints JSON and parses it. */
  async json<T = unknown>(...args: string[]): Promise<T> {
    const result = await this.run(...args, '--json');
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

/** Serves an app on a loopback port (the CLI talks HTTP like it would to a real supplier). */
export async function serveOnLoopback(
  app: Hono,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
      resolve(started),
    );
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
