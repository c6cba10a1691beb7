import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as statsRebuild from './stats-rebuild.js';

/** `simdock stats …`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(
    program,
    context,
    { name: 'stats', description: 'the fleet figures kept as data arrives' },
    [statsRebuild],
  );
}
