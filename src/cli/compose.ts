/**
 * The composition root of the CLI's processes: the adapters the configuration names, handed to the one
 * wiring of the services (app/services.ts). `serve`, the worker and the commands all build their services
 * here.
 */
import { AccountService } from '../app/accounts.js';
import type { Mailer, PaperStore } from '../app/ports.js';
import type { SearchService } from '../app/search.js';
import { wireServices, type Services } from '../app/services.js';
import { argon2Hasher } from '../adapters/crypto/argon2.js';
import { parseLibraryFile } from '../adapters/formats/library-files.js';
import { smtpMailer } from '../adapters/mail/mailer.js';
import { arxivApiFetcher } from '../adapters/sources/arxiv-api.js';
import type { Config } from './config.js';

const now = () => new Date().toISOString();

/** The SMTP server of the configuration, or `unset` when it names none. */
export function configuredMailer(config: Config, unset: Mailer): Mailer {
  return config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : unset;
}

export function hubServices(
  config: Config,
  parts: { store: PaperStore; search: SearchService; mailer: Mailer; origin: () => string },
): Services {
  return wireServices({
    ...parts,
    passwords: argon2Hasher,
    fetcher: arxivApiFetcher(config.arxivApi),
    parseLibrary: parseLibraryFile,
    now,
    leaseSeconds: config.worker.leaseSeconds,
  });
}

/** Accounts alone, for the commands that manage them (no search index needed). */
export function accountService(store: PaperStore, mailer: Mailer): AccountService {
  return new AccountService({ store, mailer, passwords: argon2Hasher, now });
}
