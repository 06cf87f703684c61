/**
 * Configuration, read once at the entry point and frozen. Nothing below the entry points reads the
 * environment. The database is `--db` (a SQLite file, or a postgres:// URL), else OPENPAPERS_DATABASE_URL
 * (PostgreSQL), else OPENPAPERS_DB (a SQLite file), else `openpapers.db` in the data directory:
 * OPENPAPERS_DATA_DIR, else $XDG_DATA_HOME/openpapers, else ~/.local/share/openpapers. The embedding model is
 * `--model`, else OPENPAPERS_EMBED_MODEL, else the default hub model; OPENPAPERS_EMBED_URL sends it to an
 * OpenAI-compatible endpoint instead (with OPENPAPERS_EMBED_API_KEY). Mail goes through OPENPAPERS_SMTP_URL
 * from OPENPAPERS_MAIL_FROM; without a server it is written to the log. Submitted papers are fetched from
 * OPENPAPERS_ARXIV_API (default: export.arxiv.org/api). Links in digests point at OPENPAPERS_PUBLIC_URL;
 * behind a reverse proxy, OPENPAPERS_TRUSTED_PROXIES lists the proxies whose X-Forwarded-For is believed.
 * Harvesting asks OPENPAPERS_ARXIV_OAI (default: oaipmh.arxiv.org/oai) for the sets in
 * OPENPAPERS_HARVEST_SETS (default: cs) in the OPENPAPERS_HARVEST_FORMAT metadata format (arXiv), going
 * back OPENPAPERS_HARVEST_DAYS days (3) the first time, one request every OPENPAPERS_ARXIV_INTERVAL_SECONDS
 * (3, as arXiv asks); the newest submissions in OPENPAPERS_HARVEST_CATEGORIES come from the arXiv API too. The worker's jobs run on the cron expressions OPENPAPERS_CRON_EMBED,
 * OPENPAPERS_CRON_HARVEST, OPENPAPERS_CRON_DAILY_DIGESTS and OPENPAPERS_CRON_WEEKLY_DIGESTS ("off" turns
 * one off), read in OPENPAPERS_CRON_TIMEZONE (default UTC).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { OpenPapersError } from '../core/errors.js';
import { describeLocation, isPostgresUrl } from '../adapters/storage/location.js';
import { DEFAULT_EMBEDDING_MODEL } from '../core/search/model-settings.js';
import { ARXIV_API } from '../adapters/sources/arxiv-api.js';
import { ARXIV_OAI, METADATA_PREFIXES, type MetadataPrefix } from '../core/harvest/oai-pmh.js';

const envSchema = z.object({
  OPENPAPERS_DB: z.string().min(1).optional(),
  OPENPAPERS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL: postgres://user:password@host:port/database')
    .optional(),
  OPENPAPERS_EMBED_MODEL: z.string().min(1).optional(),
  OPENPAPERS_EMBED_URL: z.string().url().optional(),
  OPENPAPERS_EMBED_API_KEY: z.string().min(1).optional(),
  OPENPAPERS_DATA_DIR: z.string().min(1).optional(),
  OPENPAPERS_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional(),
  OPENPAPERS_MAIL_FROM: z.string().min(3).optional(),
  OPENPAPERS_ARXIV_API: z.string().url().optional(),
  OPENPAPERS_PUBLIC_URL: z.string().url().optional(),
  OPENPAPERS_TRUSTED_PROXIES: z.string().optional(),
  OPENPAPERS_ARXIV_OAI: z.string().url().optional(),
  OPENPAPERS_HARVEST_SETS: z
    .string()
    .regex(/^[\w.:-]+([\s,]+[\w.:-]+)*$/, 'must be OAI-PMH set names such as cs, math or physics:hep-th')
    .optional(),
  OPENPAPERS_HARVEST_FORMAT: z.enum(METADATA_PREFIXES).optional(),
  OPENPAPERS_HARVEST_CATEGORIES: z
    .string()
    .regex(/^[\w.-]+([\s,]+[\w.-]+)*$/, 'must be arXiv categories such as cs.CL or hep-th')
    .optional(),
  OPENPAPERS_HARVEST_DAYS: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number of days')
    .optional(),
  OPENPAPERS_ARXIV_INTERVAL_SECONDS: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a number of seconds')
    .optional(),
  OPENPAPERS_CRON_EMBED: z.string().min(1).optional(),
  OPENPAPERS_CRON_HARVEST: z.string().min(1).optional(),
  OPENPAPERS_CRON_DAILY_DIGESTS: z.string().min(1).optional(),
  OPENPAPERS_CRON_WEEKLY_DIGESTS: z.string().min(1).optional(),
  OPENPAPERS_CRON_TIMEZONE: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as UTC or Europe/Berlin')
    .optional(),
  OPENPAPERS_LEASE_SECONDS: z
    .string()
    .regex(/^[1-9]\d*$/, 'must be a whole number of seconds')
    .optional(),
  OPENPAPERS_INDEX_DIR: z.string().min(1).optional(),
  OPENPAPERS_INDEX_HOLD_FILE: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
});

/** The worker's jobs and when they run. */
export const JOB_SETTINGS = {
  // arXiv announces at 20:00 US Eastern, Sunday to Thursday: 00:00 or 01:00 UTC, Monday to Friday. First,
  // so that a worker's embed job takes in what a harvest brought at the same scheduled time.
  harvest: { setting: 'OPENPAPERS_CRON_HARVEST', cron: '30 1 * * 1-5' },
  embed: { setting: 'OPENPAPERS_CRON_EMBED', cron: '*/15 * * * *' },
  'daily-digests': { setting: 'OPENPAPERS_CRON_DAILY_DIGESTS', cron: '0 6 * * *' },
  'weekly-digests': { setting: 'OPENPAPERS_CRON_WEEKLY_DIGESTS', cron: '0 6 * * 1' },
} as const;

export type JobName = keyof typeof JOB_SETTINGS;

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export interface Config {
  /** A SQLite file, or a PostgreSQL URL (see isPostgresUrl). */
  readonly dbPath: string;
  /** The database as messages name it: the path, or the URL without its password. */
  readonly dbName: string;
  /** The search index's folder: OPENPAPERS_INDEX_DIR, else beside the SQLite file, else in the data directory. */
  readonly searchDir: string;
  /** While this file exists, the index builder waits before each commit (for tests and debugging). */
  readonly indexHoldFile: string | null;
  readonly verbose: boolean;
  /** The arXiv API's base URL, for fetching submitted papers (a mirror, or a test server). */
  readonly arxivApi: string;
  readonly harvest: {
    /** arXiv's OAI-PMH base URL (a mirror, or a test server). */
    readonly oaiUrl: string;
    readonly sets: readonly string[];
    readonly metadataPrefix: MetadataPrefix;
    /** Categories whose newest submissions come from the arXiv API as well (none: OAI-PMH only). */
    readonly categories: readonly string[];
    /** How far back the first harvest of a set goes. */
    readonly firstDays: number;
    /** The least time between two requests to arXiv. */
    readonly intervalMs: number;
  };
  /** Reverse proxies whose X-Forwarded-For names the client (OPENPAPERS_TRUSTED_PROXIES: addresses, ranges). */
  readonly trustedProxies: readonly string[];
  /** The address people reach the web app at (OPENPAPERS_PUBLIC_URL), for links in digests; null if unset. */
  readonly publicUrl: string | null;
  /** Outgoing mail: an SMTP server URL, or null to write messages to the log instead. */
  readonly mail: { readonly smtpUrl: string | null; readonly from: string };
  readonly worker: {
    /** Each job's cron expression; null for a job turned off. */
    readonly cron: Readonly<Record<JobName, string | null>>;
    readonly timezone: string;
    /** How long a job run or a digest being sent stays claimed by a worker that stopped answering. */
    readonly leaseSeconds: number;
  };
  readonly embedding: {
    /** A Hugging Face hub id, a local model folder, or (with `url`) the endpoint's model name. */
    readonly model: string;
    /** An OpenAI-compatible API base URL (…/v1); when set, the model runs there. */
    readonly url: string | null;
    readonly apiKey: string | null;
    /** Where hub models are downloaded to. */
    readonly cacheDir: string;
  };
}

export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const parsed = envSchema.parse(pickKnown(env));
  return (
    parsed.OPENPAPERS_DATA_DIR ??
    join(parsed.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'openpapers')
  );
}

export function loadConfig(
  options: { db?: string; verbose?: boolean; model?: string },
  env: NodeJS.ProcessEnv,
): Config {
  const result = envSchema.safeParse(pickKnown(env));
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new OpenPapersError('OP_ERR_USAGE', `${issue?.path.join('.')}: ${issue?.message}`);
  }
  const parsed = result.data;
  const dbPath =
    options.db ??
    parsed.OPENPAPERS_DATABASE_URL ??
    parsed.OPENPAPERS_DB ??
    join(defaultDataDir(env), 'openpapers.db');
  return Object.freeze({
    dbPath,
    dbName: describeLocation(dbPath),
    searchDir: parsed.OPENPAPERS_INDEX_DIR ?? defaultIndexDir(dbPath, env),
    indexHoldFile: parsed.OPENPAPERS_INDEX_HOLD_FILE ?? null,
    verbose: options.verbose ?? false,
    arxivApi: parsed.OPENPAPERS_ARXIV_API ?? ARXIV_API,
    harvest: Object.freeze({
      oaiUrl: parsed.OPENPAPERS_ARXIV_OAI ?? ARXIV_OAI,
      sets: Object.freeze((parsed.OPENPAPERS_HARVEST_SETS ?? 'cs').split(/[\s,]+/).filter(Boolean)),
      metadataPrefix: parsed.OPENPAPERS_HARVEST_FORMAT ?? 'arXiv',
      categories: Object.freeze((parsed.OPENPAPERS_HARVEST_CATEGORIES ?? '').split(/[\s,]+/).filter(Boolean)),
      firstDays: Number(parsed.OPENPAPERS_HARVEST_DAYS ?? 3),
      intervalMs: Number(parsed.OPENPAPERS_ARXIV_INTERVAL_SECONDS ?? 3) * 1000,
    }),
    trustedProxies: Object.freeze((parsed.OPENPAPERS_TRUSTED_PROXIES ?? '').split(/[\s,]+/).filter(Boolean)),
    publicUrl: parsed.OPENPAPERS_PUBLIC_URL?.replace(/\/$/, '') ?? null,
    mail: Object.freeze({
      smtpUrl: parsed.OPENPAPERS_SMTP_URL ?? null,
      from: parsed.OPENPAPERS_MAIL_FROM ?? 'OpenPapers <openpapers@localhost>',
    }),
    worker: Object.freeze({
      cron: Object.freeze(
        Object.fromEntries(
          Object.entries(JOB_SETTINGS).map(([job, { setting, cron }]) => {
            const value = parsed[setting] ?? cron;
            return [job, value.trim().toLowerCase() === 'off' ? null : value.trim()];
          }),
        ) as Record<JobName, string | null>,
      ),
      timezone: parsed.OPENPAPERS_CRON_TIMEZONE ?? 'UTC',
      leaseSeconds: Number(parsed.OPENPAPERS_LEASE_SECONDS ?? 300),
    }),
    embedding: Object.freeze({
      model: options.model ?? parsed.OPENPAPERS_EMBED_MODEL ?? DEFAULT_EMBEDDING_MODEL,
      url: parsed.OPENPAPERS_EMBED_URL ?? null,
      apiKey: parsed.OPENPAPERS_EMBED_API_KEY ?? null,
      cacheDir: join(defaultDataDir(env), 'models'),
    }),
  });
}

/** A SQLite file's index lives beside it; a PostgreSQL database's in the data directory, named after it. */
function defaultIndexDir(dbPath: string, env: NodeJS.ProcessEnv): string {
  if (!isPostgresUrl(dbPath)) return `${dbPath}.search`;
  const url = new URL(dbPath);
  const name = `${url.hostname || 'localhost'}-${url.port || '5432'}-${url.pathname.slice(1) || 'postgres'}`;
  return join(defaultDataDir(env), 'index', `${name.replace(/[^\w.-]/g, '_')}.search`);
}

/** Only our own variables are validated; the rest of the environment is not ours to judge. */
function pickKnown(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const known = Object.keys(envSchema.shape);
  return Object.fromEntries(known.map((key) => [key, env[key] === '' ? undefined : env[key]]));
}
