import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { API_VERSION, createApiApp } from '../../../api/app.js';
import { apiCaller } from '../../../api/mcp/mcp-http.js';
import { createMcpServer } from '../../../api/mcp/mcp-server.js';
import { SimdockError } from '../../../domain/index.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import type { CommandIo } from '../../io.js';
import { type GlobalOptions, openRuntime } from '../../runtime.js';

export interface McpOptions extends GlobalOptions {
  /** A running simdock to talk to (`https://simdock.example`); absent: this machine's store. */
  url?: string;
  /** Streams of the MCP session (default: the process's stdin and stdout). */
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

/**
 * `simdock mcp`: an MCP server on stdin/stdout for an assistant. It acts as the API key in
 * `SIMDOCK_API_KEY` (never a flag: keys stay out of shell history and process lists), through the
 * API of this machine's store or, with `--url`, of a running simdock. Ends when the client closes.
 */
export async function run(options: McpOptions, io: CommandIo): Promise<number> {
  const key = io.environment.SIMDOCK_API_KEY?.trim();
  if (!key) {
    throw new SimdockError(
      'config_error',
      'set SIMDOCK_API_KEY to the API key the assistant acts as (create one with `simdock keys create`)',
    );
  }
  const authorization = `Bearer ${key}`;
  const runtime = options.url ? null : await openRuntime({ config: options.config }, io);
  try {
    const request = runtime
      ? (() => {
          const app = createApiApp({ context: runtime.context });
          return (path: string, init: RequestInit) => app.request(path, init);
        })()
      : remote(options.url as string);
    const server = await createMcpServer(apiCaller(request, authorization), API_VERSION);
    const stdin = options.stdin ?? process.stdin;
    const transport = new StdioServerTransport(
      stdin as never,
      (options.stdout ?? process.stdout) as never,
    );
    const closed = new Promise<void>((resolve) => {
      // The client closing its end of stdin ends the session.
      stdin.once('end', resolve);
      stdin.once('close', resolve);
    });
    await server.connect(transport);
    await closed;
    await server.close();
    return 0;
  } finally {
    await runtime?.close();
  }
}

/** Requests to a running simdock at `base`. */
function remote(base: string) {
  let origin: URL;
  try {
    origin = new URL(base);
  } catch {
    throw new SimdockError(
      'config_error',
      `--url must be a URL like https://simdock.example, got "${base}"`,
    );
  }
  return (path: string, init: RequestInit) => fetch(new URL(path, origin), init);
}

/** `simdock mcp`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('mcp')
    .description(
      'serve MCP on stdin/stdout for an assistant, acting as the API key in SIMDOCK_API_KEY',
    )
    .option('--url <url>', 'a running simdock to use instead of this machine’s store')
    .action(async (options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options }, context.io));
    });
}
