import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as accountsList from './accounts-list.js';
import * as accountsShow from './accounts-show.js';

/** `simdock accounts …`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'accounts', description: 'supplier accounts' }, [
    accountsList,
    accountsShow,
  ]);
}
