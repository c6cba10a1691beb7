import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as smsInbox from './sms-inbox.js';
import * as smsList from './sms-list.js';
import * as smsSend from './sms-send.js';

/** `simdock sms send|list|pull`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(program, context, { name: 'sms', description: 'texts to and from cards' }, [
    smsSend,
    smsList,
    smsInbox,
  ]);
}
