import cliProgress from 'cli-progress';
import type { SyncProgress } from '../services/sync/sync.js';
import type { CommandIo } from './io.js';

/**
 * Shows sync progress: a bar per phase on a terminal, nothing when stdout is not a TTY or when
 * JSON output is asked for (plain logs stay clean).
 */
export function syncProgressReporter(io: CommandIo, enabled: boolean) {
  if (!enabled || !io.stderr.isTTY) {
    return { update: (_progress: SyncProgress) => {}, stop: () => {} };
  }
  let bar: cliProgress.SingleBar | null = null;
  let current = '';
  const stop = () => {
    bar?.stop();
    bar = null;
  };
  return {
    update(progress: SyncProgress) {
      const label = `${progress.account} ${progress.phase}`;
      if (label !== current) {
        stop();
        current = label;
        bar = new cliProgress.SingleBar(
          {
            format: `${label.padEnd(28)} {bar} {percentage}% | {value}/{total} | ETA {eta_formatted}`,
            stream: io.stderr as NodeJS.WritableStream,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(progress.total, 1), progress.done);
      }
      bar?.setTotal(Math.max(progress.total, 1));
      bar?.update(progress.done);
    },
    stop,
  };
}
