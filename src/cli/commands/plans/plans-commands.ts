import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as plansAssign from './plans-assign.js';
import * as plansCreate from './plans-create.js';

/** `simdock plans create|assign`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'plans', description: 'plans: a quota per billing cycle' }, [
    plansCreate,
    plansAssign,
  ]);
}
