import { AlertsRepository } from '../../../store/repositories/alerts-repository.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface AlertsAckOptions extends GlobalOptions {
  ids: number[];
  /** Who acknowledges (default `cli`). */
  by?: string;
}

/** `simdock alerts ack ID... [--by WHO]`: alerts already acknowledged keep their first one. */
export async function run(options: AlertsAckOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const acknowledged = await new AlertsRepository(context.store, () =>
      context.clock.now(),
    ).acknowledge(options.ids, options.by ?? 'cli');
    if (options.json) printJson(io, { acknowledged, ids: options.ids });
    else {
      println(
        io.stdout,
        `Acknowledged ${acknowledged} alert${acknowledged === 1 ? '' : 's'}${acknowledged < options.ids.length ? ` (${options.ids.length - acknowledged} already were)` : ''}.`,
      );
    }
    return 0;
  });
}
