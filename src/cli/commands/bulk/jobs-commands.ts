import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as jobsCancel from './jobs-cancel.js';
import * as jobsList from './jobs-list.js';
import * as jobsRetry from './jobs-retry.js';
import * as jobsShow from './jobs-show.js';

/** `simdock jobs …`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'jobs', description: 'background jobs' }, [
    jobsList,
    jobsShow,
    jobsCancel,
    jobsRetry,
  ]);
}
