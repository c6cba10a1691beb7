import nodemailer from 'nodemailer';
import type { EmailSettings } from './notifications-channels.js';
import type { RobotMessage } from './notifications-robots.js';

/** One email to send. */
export interface MailRequest {
  settings: EmailSettings;
  secrets: { user?: string; password?: string };
  message: RobotMessage;
  timeoutMs: number;
}

/** What the SMTP server answered: accepted (its reply), or refused / unreachable. */
export type MailResponse =
  | { ok: true; code: string | null; reply: string }
  | { ok: false; code: string | null; error: string };

export type MailSender = (request: MailRequest) => Promise<MailResponse>;

/** The SMTP reply code at the start of a reply line (`250 OK …`). */
function replyCode(text: string | undefined): string | null {
  const match = /^(\d{3})\b/.exec(text ?? '');
  return match ? match[1]! : null;
}

/**
 * Sends over SMTP with nodemailer: TLS from the start when `secure` (port 465), else STARTTLS
 * when the server offers it; authentication when a user is set. The text is the Markdown the
 * robots get (readable as plain text).
 */
export function createMailSender(): MailSender {
  return async (request) => {
    const transport = nodemailer.createTransport({
      host: request.settings.host,
      port: request.settings.port,
      secure: request.settings.secure,
      ...(request.secrets.user
        ? { auth: { user: request.secrets.user, pass: request.secrets.password ?? '' } }
        : {}),
      connectionTimeout: request.timeoutMs,
      greetingTimeout: request.timeoutMs,
      socketTimeout: request.timeoutMs,
    });
    try {
      const info = await transport.sendMail({
        from: request.settings.from,
        to: request.settings.to,
        subject: request.message.title,
        text: request.message.text,
      });
      return { ok: true, code: replyCode(info.response), reply: info.response };
    } catch (error) {
      const failure = error as { message?: string; response?: string; responseCode?: number };
      return {
        ok: false,
        code:
          failure.responseCode !== undefined
            ? String(failure.responseCode)
            : replyCode(failure.response),
        error: failure.message ?? String(error),
      };
    } finally {
      transport.close();
    }
  };
}
