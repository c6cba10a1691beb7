import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as cardsAction from '../bulk/cards-action.js';
import * as cardsCap from './cards-cap.js';
import * as cardsExport from './cards-export.js';
import * as cardsImport from './cards-import.js';
import * as cardsList from './cards-list.js';
import * as cardsShow from './cards-show.js';
import * as cardsTimeline from './cards-timeline.js';

/** `simdock cards …`: the inventory, and bulk actions on its cards. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'cards', description: 'the card inventory' }, [
    cardsImport,
    cardsList,
    cardsExport,
    cardsShow,
    cardsTimeline,
    cardsAction,
    cardsCap,
  ]);
}
