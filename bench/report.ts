import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

const REPORT = new URL('../docs/performance.md', import.meta.url);

const HEADER = `# Performance

Every figure below was produced by the command shown with it, on the machine named with it.
\`npm run bench -- <name>\` re-runs one benchmark and rewrites its section of this file; the
benchmarks are never timed tests, so a slow machine cannot fail CI.
`;

/** The machine a figure was measured on. */
export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

/** Replaces (or appends) one benchmark's section in docs/performance.md. */
export function writeSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : HEADER;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) text = text.slice(0, from) + block + text.slice(to + end.length);
  else text = `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(REPORT, text);
}

/** Samples resident memory while a task runs; returns the peak in MiB. */
export function memorySampler(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, process.memoryUsage().rss);
      return Math.round(peak / 2 ** 20);
    },
  };
}
