import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as agentAppsCreate from '../access/agent-apps-create.js';
import * as webhooksCreate from './webhooks-create.js';
import * as webhooksDeliveries from './webhooks-deliveries.js';
import * as webhooksList from './webhooks-list.js';

/** `simdock webhooks create|list|deliveries` and `simdock agent-apps create`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(
    program,
    context,
    { name: 'webhooks', description: 'webhooks out (CloudEvents, signed)' },
    [webhooksCreate, webhooksList, webhooksDeliveries],
  );
  addGroup(
    program,
    context,
    { name: 'agent-apps', description: "apps of simdock's own agent open API" },
    [agentAppsCreate],
  );
}
