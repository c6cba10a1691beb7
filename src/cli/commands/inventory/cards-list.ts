import { listCards } from '../../../services/inventory/cards.js';
import { type CommandIo, formatTable, printJson, println } from '../../io.js';
import { type GlobalOptions, withRuntime } from '../../runtime.js';

export interface CardsListOptions extends GlobalOptions {
  status?: string;
  account?: string;
  search?: string;
  limit?: number;
  cursor?: string;
}

export async function run(options: CardsListOptions, io: CommandIo): Promise<number> {
  return withRuntime(options, io, async ({ context }) => {
    const page = await listCards(context, options);
    if (options.json) {
      printJson(io, page);
      return 0;
    }
    if (page.cards.length === 0) {
      println(io.stdout, 'No cards match.');
      return 0;
    }
    println(
      io.stdout,
      formatTable(
        ['ICCID', 'MSISDN', 'IMSI', 'ACCOUNT', 'STATUS', 'RAW'],
        page.cards.map((card) => [
          card.iccid,
          card.msisdn,
          card.imsi,
          card.account,
          card.status,
          card.statusRaw,
        ]),
      ),
    );
    if (page.nextCursor) println(io.stdout, `More: --cursor ${page.nextCursor}`);
    return 0;
  });
}
