/**
 * `openpapers migrate-store --to postgres://…`: moves a hub from its SQLite file to PostgreSQL — papers,
 * embeddings, accounts and sessions, votes, comments, collections, subscriptions, the send log and the job
 * history. Run again after an interruption, it resumes where it stopped.
 */
import { copySqliteToPostgres } from '../../adapters/storage/copy-store.js';
import { describeLocation, isPostgresUrl } from '../../adapters/storage/location.js';
import { OpenPapersError } from '../../core/errors.js';
import type { Config } from '../config.js';
import { createProgress, type Progress } from '../progress.js';

export async function migrateStoreCommand(
  options: { from?: string; to: string; json?: boolean; pageSize?: number },
  config: Config,
): Promise<void> {
  const from = options.from ?? config.dbPath;
  if (isPostgresUrl(from)) {
    throw new OpenPapersError(
      'OP_ERR_USAGE',
      `--from must be a SQLite file; the configured database is ${describeLocation(from)}`,
    );
  }
  if (!isPostgresUrl(options.to)) {
    throw new OpenPapersError('OP_ERR_USAGE', '--to must be a postgres:// URL');
  }
  // The bar starts with the first page, when the source's size is known.
  const bar: { progress?: Progress } = {};
  const report = await copySqliteToPostgres({
    from,
    to: options.to,
    pageSize: options.pageSize,
    onProgress: ({ allCopied, allTotal }) => {
      bar.progress ??= createProgress(`copying to ${describeLocation(options.to)}`, allTotal);
      bar.progress.update(allCopied, allCopied);
    },
  });
  bar.progress?.done();
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ from, ...report })}\n`);
    return;
  }
  const rows = report.tables.filter(({ rows }) => rows > 0);
  const width = Math.max(...rows.map(({ table }) => table.length), 5);
  process.stdout.write(
    `${report.resumed ? 'Finished the interrupted copy' : 'Copied'} ${from} to ${report.target}; every table's count matches:\n` +
      rows.map(({ table, rows }) => `  ${table.padEnd(width)} ${rows.toLocaleString('en-US')}\n`).join('') +
      `Next: run the servers and workers with OPENPAPERS_DATABASE_URL set to it (or --db). Each server builds\n` +
      `its own search index on start; "openpapers --db <url> index update" builds it now.\n`,
  );
}
