/**
 * `openpapers digest preview <email>` shows what a subscriber's next digest would bring, and why;
 * `openpapers digest send [--frequency daily|weekly] [--dry-run]` sends the due digests now. Sending is safe
 * to repeat or to interrupt: the send log delivers each digest once.
 */
import type { SendCounts } from '../../app/digests.js';
import type { Frequency, PaperStore } from '../../app/ports.js';
import { logMailer } from '../../adapters/mail/mailer.js';
import { openStore } from '../../adapters/storage/open.js';
import { OpenPapersError } from '../../core/errors.js';
import { inertControls } from '../../core/text.js';
import { configuredMailer, hubServices } from '../compose.js';
import type { Config } from '../config.js';
import { createProgress } from '../progress.js';
import { openSearch } from './search.js';

/** The digest service of a command or the worker, over a search index brought up to date first. */
export async function digestService(config: Config, store: PaperStore, mailer = logMailer(() => {})) {
  const origin = config.publicUrl ?? 'http://localhost:3000';
  const { search } = await openSearch(store, config);
  return hubServices(config, { store, search, mailer, origin: () => origin }).digests;
}

/** A send's counts in words: "sent 812, nothing new for 40, already sent 0, retrying 2, paused 1". */
export function describeCounts(counts: SendCounts, sent = 'sent'): string {
  return (
    `${sent} ${counts.sent}, nothing new for ${counts.empty}, already sent ${counts.skipped}, ` +
    `retrying ${counts.retrying}, paused ${counts.paused}`
  );
}

export async function digestPreviewCommand(
  email: string,
  options: { json?: boolean },
  config: Config,
): Promise<void> {
  const store = await openStore(config.dbPath, { mustExist: true });
  try {
    const digests = await digestService(config, store);
    const { subscriber, period, items } = await digests.preview(email);
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ email: subscriber.email, status: subscriber.status, period: period.key, items })}\n`,
      );
      return;
    }
    const papers = await store.getPapers(items.map((item) => item.paperId));
    process.stdout.write(
      `${subscriber.email} (${subscriber.status}, ${subscriber.frequency}), digest ${period.key}: ${items.length} paper${items.length === 1 ? '' : 's'}\n`,
    );
    for (const [i, item] of items.entries()) {
      process.stdout.write(
        inertControls(
          `${String(i + 1).padStart(2)}. ${papers.get(item.paperId)?.title ?? item.paperId}\n    ${item.paperId} · ${item.reason}\n`,
        ),
      );
    }
  } finally {
    await store.close();
  }
}

export async function digestSendCommand(
  options: { frequency: Frequency; dryRun?: boolean; json?: boolean },
  config: Config,
): Promise<void> {
  if (!options.dryRun && !config.publicUrl) {
    throw new OpenPapersError(
      'OP_ERR_NOT_CONFIGURED',
      'digests link back to the web app: set OPENPAPERS_PUBLIC_URL to the address people reach it at',
    );
  }
  if (!options.dryRun && !config.mail.smtpUrl) {
    throw new OpenPapersError(
      'OP_ERR_NOT_CONFIGURED',
      'sending digests needs an SMTP server: set OPENPAPERS_SMTP_URL',
    );
  }
  const store = await openStore(config.dbPath, { mustExist: true });
  const mailer = configuredMailer(
    config,
    logMailer(() => {}),
  );
  const progress = createProgress(
    `${options.dryRun ? 'checking' : 'sending'} ${options.frequency} digests`,
    0,
  );
  try {
    const digests = await digestService(config, store, mailer);
    const counts: SendCounts = await digests.sendDue(options.frequency, {
      dryRun: options.dryRun,
      onProgress: (done) => progress.update(0, done),
    });
    progress.done();
    process.stdout.write(
      options.json
        ? `${JSON.stringify(counts)}\n`
        : `${describeCounts(counts, options.dryRun ? 'would send' : 'sent')}\n`,
    );
  } finally {
    mailer.close();
    await store.close();
  }
}
