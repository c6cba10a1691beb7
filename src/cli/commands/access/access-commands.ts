import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as keysCreate from './keys-create.js';
import * as tenantsCreate from './tenants-create.js';
import * as tenantsList from './tenants-list.js';
import * as usersCreate from './users-create.js';

/** `simdock users create`, `simdock keys create` and `simdock tenants create|list`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'users', description: 'console users' }, [usersCreate]);
  addGroup(program, context, { name: 'keys', description: 'API keys' }, [keysCreate]);
  addGroup(
    program,
    context,
    { name: 'tenants', description: 'tenants: the operator, customers, agents' },
    [tenantsCreate, tenantsList],
  );
}
