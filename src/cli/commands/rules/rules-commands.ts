import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as alertsAck from './alerts-ack.js';
import * as alertsList from './alerts-list.js';
import * as rulesCreate from './rules-create.js';
import * as rulesDelete from './rules-delete.js';
import * as rulesList from './rules-list.js';

/** `simdock rules create|list|delete` and `simdock alerts list|ack`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'rules', description: 'rules evaluated after each sync' }, [
    rulesCreate,
    rulesList,
    rulesDelete,
  ]);
  addGroup(
    program,
    context,
    { name: 'alerts', description: 'alerts raised by rules and suppliers' },
    [alertsList, alertsAck],
  );
}
