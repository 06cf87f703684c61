/** A real SMTP server on localhost (the smtp-server package) that keeps what it receives, parsed. */
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  url: string;
  received: ParsedMail[];
  /** Recipients this server refuses for now, with the reply code (4xx: try later, 5xx: never). */
  refuse: Map<string, number>;
  /** Every recipient refused, in order. */
  refused: string[];
  /** Resolves when `count` messages have arrived. */
  waitFor(count: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

/**
 * `beforeAccept` sees each message before the server answers for it; returning false answers 451 instead of
 * 250, and the message is not counted as received (a sender that never got a 250 has not delivered it).
 */
export async function startSmtp(
  options: { beforeAccept?: (mail: ParsedMail) => boolean } = {},
): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const refuse = new Map<string, number>();
  const refused: string[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refuse.get(address.address);
      if (code === undefined) return callback();
      refused.push(address.address);
      callback(
        Object.assign(new Error(code >= 500 ? 'no such mailbox' : 'try again later'), { responseCode: code }),
      );
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          if (options.beforeAccept?.(mail) === false) {
            callback(Object.assign(new Error('not accepted'), { responseCode: 451 }));
            return;
          }
          received.push(mail);
          for (const wake of waiters.splice(0)) wake();
          callback();
        })
        .catch(callback);
    },
  });
  // A sender killed mid-conversation (as a test may do to a worker) resets its connection; smtp-server
  // reports that as an error of the server, which would otherwise be uncaught. Any other error still is.
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') throw error;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse,
    refused,
    async waitFor(count) {
      while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
      return received;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
