import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as poolsAdd from './pools-add.js';
import * as poolsCreate from './pools-create.js';
import * as poolsDelete from './pools-delete.js';
import * as poolsImport from './pools-import.js';
import * as poolsList from './pools-list.js';
import * as poolsRemove from './pools-remove.js';
import * as poolsShow from './pools-show.js';
import * as poolsUpdate from './pools-update.js';

/** `simdock pools list|show|create|update|delete|add|remove|import`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'pools', description: 'pools of cards sharing a quota' }, [
    poolsList,
    poolsShow,
    poolsCreate,
    poolsUpdate,
    poolsDelete,
    poolsAdd,
    poolsRemove,
    poolsImport,
  ]);
}
