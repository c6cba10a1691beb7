import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as poolsAdd from './pools-add.js';
import * as poolsCreate from './pools-create.js';
import * as poolsImport from './pools-import.js';
import * as poolsList from './pools-list.js';
import * as poolsShow from './pools-show.js';

/** `simdock pools list|show|create|add|import`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'pools', description: 'pools of cards sharing a quota' }, [
    poolsList,
    poolsShow,
    poolsCreate,
    poolsAdd,
    poolsImport,
  ]);
}
