/**
 * Sending mail: nodemailer over SMTP (`OPENPAPERS_SMTP_URL`, e.g. smtp://user:pass@host:587), pooled. Without
 * an SMTP server the messages go to a log instead, so that a laptop install can still sign in (the link is
 * printed where the server runs).
 */
import nodemailer from 'nodemailer';
import { MailDeliveryError, type Mailer, type MailMessage } from '../../app/ports.js';

export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(`${url}${url.includes('?') ? '&' : '?'}pool=true`);
  return {
    async send(message: MailMessage): Promise<void> {
      try {
        await transport.sendMail({ from, ...message });
      } catch (error) {
        // An SMTP reply code of 5xx is a refusal for good; 4xx, or no answer at all, may pass later.
        const code = (error as { responseCode?: number }).responseCode;
        throw new MailDeliveryError(
          `${message.to}: ${(error as Error).message}`,
          code !== undefined && code >= 500 && code < 600,
        );
      }
    },
    close: () => transport.close(),
  };
}

export function logMailer(write: (line: string) => void): Mailer {
  return {
    async send(message: MailMessage): Promise<void> {
      write(`mail to ${message.to}: ${message.subject}\n${message.text}\n`);
    },
    close: () => {},
  };
}
