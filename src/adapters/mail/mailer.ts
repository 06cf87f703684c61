/**
 * Sending mail: nodemailer over SMTP (`OPENPAPERS_SMTP_URL`, e.g. smtp://user:pass@host:587), pooled. Without
 * an SMTP server the messages go to a log instead, so that a laptop install can still sign in (the link is
 * printed where the server runs).
 */
import nodemailer from 'nodemailer';
import type { Mailer, MailMessage } from '../../app/ports.js';

export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(`${url}${url.includes('?') ? '&' : '?'}pool=true`);
  return {
    async send(message: MailMessage): Promise<void> {
      await transport.sendMail({ from, ...message });
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
