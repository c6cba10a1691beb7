import { addGroup, type CliContext, type ParentCommand } from '../../command-kit.js';
import * as notificationsAdd from './notifications-add.js';
import * as notificationsManage from './notifications-manage.js';

/** `simdock notifications add|update|list|test|resend|remove|log`. */
export function register(program: ParentCommand, context: CliContext): void {
  addGroup(
    program,
    context,
    {
      name: 'notifications',
      description: 'DingTalk, WeCom and Feishu robots and email: channels, tests, delivery log',
    },
    [notificationsAdd, notificationsManage],
  );
}
