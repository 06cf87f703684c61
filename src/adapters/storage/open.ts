/** Opening the configured store; failures become one clear coded error. */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PaperStore } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { SqliteStore } from './sqlite/store.js';

export interface OpenStoreOptions {
  /** For read-only commands: a missing database is an error, not a new empty one. */
  mustExist?: boolean;
}

export function openStore(path: string, options: OpenStoreOptions = {}): PaperStore {
  if (options.mustExist && !existsSync(path)) {
    throw new OpenPapersError('OP_ERR_STORE', `no database at ${path}; run "openpapers ingest <file>" first`);
  }
  try {
    mkdirSync(dirname(path), { recursive: true });
    return new SqliteStore(path);
  } catch (error) {
    throw new OpenPapersError(
      'OP_ERR_STORE',
      `cannot open the database ${path}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
