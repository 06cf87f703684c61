/** Opening the configured store — a SQLite file, or PostgreSQL for a postgres:// URL; failures become one clear coded error. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PaperStore } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { PostgresStore } from './postgres/store.js';
import { describeLocation, isPostgresUrl } from './location.js';
import { SqliteStore } from './sqlite/store.js';

export interface OpenStoreOptions {
  /** For read-only commands: a missing database file is an error, not a new empty one. */
  mustExist?: boolean;
  /** For servers: a SQLite store reads papers by id on a thread of its own (sqlite/paper-reader.ts). */
  readPapersOnThread?: boolean;
}

export async function openStore(location: string, options: OpenStoreOptions = {}): Promise<PaperStore> {
  if (isPostgresUrl(location)) {
    try {
      return await PostgresStore.open(location);
    } catch (error) {
      if (error instanceof OpenPapersError) throw error;
      throw new OpenPapersError(
        'OP_ERR_STORE',
        `cannot open the database ${describeLocation(location)}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  if (options.mustExist && !existsSync(location)) {
    throw new OpenPapersError(
      'OP_ERR_STORE',
      `no database at ${location}; run "openpapers ingest <file>" first`,
    );
  }
  try {
    mkdirSync(dirname(location), { recursive: true });
    return new SqliteStore(location, { readPapersOnThread: options.readPapersOnThread });
  } catch (error) {
    throw new OpenPapersError(
      'OP_ERR_STORE',
      `cannot open the database ${location}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
