/**
 * Configuration, read once at the entry point and frozen. Nothing below the entry points reads the
 * environment. The database is `--db`, else OPENPAPERS_DB, else `openpapers.db` in the data directory:
 * OPENPAPERS_DATA_DIR, else $XDG_DATA_HOME/openpapers, else ~/.local/share/openpapers.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const envSchema = z.object({
  OPENPAPERS_DB: z.string().min(1).optional(),
  OPENPAPERS_DATA_DIR: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
});

export interface Config {
  readonly dbPath: string;
  readonly verbose: boolean;
}

export function defaultDataDir(env: NodeJS.ProcessEnv): string {
  const parsed = envSchema.parse(pickKnown(env));
  return (
    parsed.OPENPAPERS_DATA_DIR ??
    join(parsed.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'openpapers')
  );
}

export function loadConfig(options: { db?: string; verbose?: boolean }, env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.parse(pickKnown(env));
  return Object.freeze({
    dbPath: options.db ?? parsed.OPENPAPERS_DB ?? join(defaultDataDir(env), 'openpapers.db'),
    verbose: options.verbose ?? false,
  });
}

/** Only our own variables are validated; the rest of the environment is not ours to judge. */
function pickKnown(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  const known = Object.keys(envSchema.shape);
  return Object.fromEntries(known.map((key) => [key, env[key] === '' ? undefined : env[key]]));
}
