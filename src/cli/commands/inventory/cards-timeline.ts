import { InvalidArgumentError } from 'commander';
import { formatBytes } from '../../../domain/index.js';
import {
  cardTimeline,
  TIMELINE_KINDS,
  type TimelineItem,
  type TimelineKind,
} from '../../../services/inventory/card-timeline.js';
import { findCard } from '../../../services/inventory/cards.js';
import { type CliContext, globals, type ParentCommand } from '../../command-kit.js';
import { type CommandIo, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface CardsTimelineOptions extends GlobalOptions {
  id: string;
  limit?: number;
  before?: string;
  kinds?: TimelineKind[];
  supplier?: boolean;
}

export async function run(options: CardsTimelineOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const card = await findCard(context, options.id);
    const page = await cardTimeline(context, card, {
      ...(options.before !== undefined ? { before: Date.parse(options.before) } : {}),
      limit: options.limit ?? 50,
      ...(options.kinds ? { kinds: options.kinds } : {}),
      supplier: options.supplier === true,
      // The CLI acts as the root: every audit entry naming the card.
      tenantPath: null,
    });
    const iso = (at: number) => new Date(at).toISOString();
    if (options.json) {
      printJson(io, {
        items: page.items.map((item) => ({ ...item, at: iso(item.at) })),
        nextBefore: page.nextBefore === null ? null : iso(page.nextBefore),
        supplier: page.supplier,
      });
      return 0;
    }
    for (const item of page.items) {
      println(io.stdout, `${iso(item.at)}  ${item.kind.padEnd(8)} ${describe(item)}`);
    }
    if (page.items.length === 0) println(io.stdout, 'Nothing has happened to this card yet.');
    for (const [part, state] of Object.entries(page.supplier)) {
      if (state.state === 'failed') {
        println(io.stderr, `supplier ${part} not read: ${state.code}: ${state.message}`);
      }
    }
    if (page.nextBefore !== null) {
      println(io.stdout, `More: --before ${iso(page.nextBefore)}`);
    }
    return 0;
  });
}

function describe(item: TimelineItem): string {
  switch (item.kind) {
    case 'status':
      return `${item.previousStatus ?? '—'} → ${item.status}${item.statusRaw ? ` (supplier: ${item.statusRaw})` : ''} by ${item.source}`;
    case 'identity':
      return `${item.identity.toUpperCase()} ${item.previous} → ${item.value}${item.identity === 'imei' ? ' (another device)' : ''} by ${item.source}`;
    case 'action':
      return `${item.action} ${item.outcome} by ${item.actor}${typeof item.details?.job === 'number' ? ` (job ${item.details.job})` : ''}`;
    case 'alert':
      return `${item.severity}: ${item.message}${item.acknowledgedAt !== null ? ' (acknowledged)' : ''}`;
    case 'sms':
      return `${item.direction === 'in' ? 'from the card' : 'to the card'} (${item.smsStatus}): ${item.text}`;
    case 'usage':
      return `spike on ${item.date}: ${formatBytes(item.bytes)} against ${formatBytes(item.averageBytes)} a day before`;
    case 'supplier':
      return [
        item.supplierKind,
        item.online === null ? null : item.online ? 'online' : 'offline',
        item.status ? `${item.status.status} (${item.status.raw})` : null,
        item.description,
      ]
        .filter(Boolean)
        .join(' · ');
  }
}

function positive(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 1000) {
    throw new InvalidArgumentError('a whole number from 1 to 1000');
  }
  return parsed;
}

function instant(value: string): string {
  if (Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('an ISO 8601 instant, e.g. 2024-11-26T00:00:00Z');
  }
  return value;
}

function kinds(value: string): TimelineKind[] {
  const listed = value.split(',').map((kind) => kind.trim());
  for (const kind of listed) {
    if (!(TIMELINE_KINDS as readonly string[]).includes(kind)) {
      throw new InvalidArgumentError(`"${kind}" is none of ${TIMELINE_KINDS.join(', ')}`);
    }
  }
  return listed as TimelineKind[];
}

/** `simdock cards timeline`. */
export function register(parent: ParentCommand, context: CliContext): void {
  parent
    .command('timeline')
    .description(
      'what happened to one card, newest first: status changes, actions, alerts, SMS, usage spikes',
    )
    .argument('<id>', 'ICCID, MSISDN or IMSI')
    .option('--limit <n>', 'items per page (default 50)', positive)
    .option(
      '--before <instant>',
      'only items before this instant (a previous page’s "More")',
      instant,
    )
    .option(
      '--kinds <list>',
      `only these kinds, comma-separated: ${TIMELINE_KINDS.join(', ')}`,
      kinds,
    )
    .option('--supplier', 'also ask the supplier for its history and session, where it offers them')
    .action(async (id, options, command) => {
      context.setExitCode(await run({ ...globals(command), ...options, id }, context.io));
    });
}
