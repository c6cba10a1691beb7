import type { Generated } from 'kysely';

/** A notification channel of a tenant (migration 0014). */
export interface NotificationChannelsTable {
  id: Generated<number>;
  tenant_id: string;
  name: string;
  /** `dingtalk`, `wecom`, `feishu` or `email`. */
  type: string;
  /** `zh-CN` or `en`. */
  locale: string;
  /** JSON of the settings shown (email host, port, sender, recipients). */
  settings: string;
  /** JSON of the secrets (robot URL and signing secret, SMTP password), sealed. */
  secrets: string;
  /** JSON array of rule ids; empty means every rule (and supplier alarms). */
  rule_ids: string;
  min_severity: string;
  daily_digest: number;
  /** Messages the channel may receive per minute (robots: about 20). */
  per_minute: number;
  enabled: number;
  /** A delivery pass holds the channel until then (0: free). */
  lease_until: number;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

/** Something to tell a channel: an alert, a daily digest or a test (migration 0014). */
export interface NotificationItemsTable {
  id: Generated<number>;
  channel_id: number;
  /** `alert`, `daily` or `test`. */
  kind: string;
  dedupe_key: string;
  alert_id: number | null;
  /** JSON of what the message says. */
  data: string;
  /** The message that carried it; null while waiting. */
  message_id: number | null;
  created_at: number;
}

/** One message to a channel: one item, or a digest of many (migration 0014). */
export interface NotificationMessagesTable {
  id: Generated<number>;
  channel_id: number;
  tenant_id: string;
  /** `single`, `digest`, `daily` or `test`. */
  kind: string;
  items: number;
  title: string;
  /** Markdown text. */
  body: string;
  state: string;
  attempts: number;
  next_attempt_at: number | null;
  retry_until: number;
  last_status: number | null;
  last_code: string | null;
  last_error: string | null;
  created_at: number;
  updated_at: number;
}

/** Every attempt of a message, with the robot's answer (migration 0014). */
export interface NotificationAttemptsTable {
  id: Generated<number>;
  message_id: number;
  channel_id: number;
  at: number;
  status_code: number | null;
  /** The robot's `errcode` / `code` (or the SMTP reply code). */
  answer_code: string | null;
  answer: string | null;
  error: string | null;
  duration_ms: number;
  manual: number;
}

/** The last alert id routed to channels (migration 0014). */
export interface NotificationCursorTable {
  name: string;
  last_id: number;
  updated_at: number;
}

export type PartialDB = {
  notification_channels: NotificationChannelsTable;
  notification_items: NotificationItemsTable;
  notification_messages: NotificationMessagesTable;
  notification_attempts: NotificationAttemptsTable;
  notification_cursor: NotificationCursorTable;
};
