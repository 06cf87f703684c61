/**
 * A web app over a real SQLite store holding the demo corpus plus papers with hostile text, called
 * in-process through app.request(). Semantic search is off here (no model), as on a hub without one;
 * the browser test serves a corpus with embeddings through the real CLI.
 */
import { argon2Hasher } from '../../src/adapters/crypto/argon2.js';
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Hono } from 'hono';
import { ingestSource } from '../../src/app/ingest.js';
import type { DigestService } from '../../src/app/digests.js';
import { parseLibraryFile } from '../../src/adapters/formats/library-files.js';
import { smtpMailer } from '../../src/adapters/mail/mailer.js';
import { arxivApiFetcher } from '../../src/adapters/sources/arxiv-api.js';
import { IndexUpdater } from '../../src/app/indexing.js';
import { SearchService } from '../../src/app/search.js';
import { wireServices } from '../../src/app/services.js';
import { IndexFolderLocation } from '../../src/adapters/search/index-location.js';
import { readSource } from '../../src/adapters/sources/formats.js';
import { SqliteStore } from '../../src/adapters/storage/sqlite/store.js';
import { OpenPapersError } from '../../src/core/errors.js';
import { createWebApp } from '../../src/web/app.js';
import type { WebEnv } from '../../src/web/session.js';
import { REPO_ROOT, tempDir } from '../helpers.js';
import { startSmtp, type TestSmtp } from './smtp.js';

export const LATEST_DAY = '2026-07-01';
export const XSS = '<script>window.__xss = 1</script>';

/** Papers whose title and abstract try to inject markup, and one with LaTeX. */
export const HOSTILE = [
  {
    id: '2607.99001',
    title: `${XSS} & "quotes" <b>bold</b> $x<y$`,
    abstract: `<img src=x onerror="window.__xss = 2"> costs \\$5 & more; $a<b$ and $$\\frac{1}{2}$$ </textarea>`,
    authors: ['Eve <Hacker>', 'Mallory & Co'],
    categories: ['cs.CR'],
    announced: LATEST_DAY,
  },
  {
    id: '2607.99002',
    title: 'Attention with $\\mathcal{O}(n \\log n)$ cost',
    abstract:
      'We show $\\sum_{i=1}^n x_i \\leq \\sqrt{n}$ for long context attention; \\emph{linear} at 96\\% recall.',
    authors: ['Ada Lovelace'],
    categories: ['cs.LG', 'cs.CL'],
    announced: LATEST_DAY,
  },
];

export interface WebFixture {
  app: Hono<WebEnv>;
  store: SqliteStore;
  /** The SQLite file, for tests that look at what is stored. */
  dbPath: string;
  now: { value: string };
  logs: unknown[];
  /** The real SMTP server the app sends its mail to. */
  smtp: TestSmtp;
  digests: DigestService;
  /** Brings the search index up to date with the store, as a server's index builder does. */
  reindex(): Promise<void>;
  /** Closes the mail connections, which would otherwise keep the test process alive. */
  close(): Promise<void>;
}

export async function webFixture(
  t: { after: (fn: () => void) => void },
  options: { arxivApi?: string; listenPort?: number } = {},
): Promise<WebFixture> {
  const dir = tempDir(t);
  const store = new SqliteStore(join(dir, 'web.db'));
  t.after(() => void store.close());
  const demo = join(REPO_ROOT, 'demo', 'papers.jsonl.gz');
  await ingest(store, demo, 'openpapers');
  const extra = join(dir, 'hostile.jsonl');
  writeFileSync(extra, HOSTILE.map((paper) => JSON.stringify({ ...paper, sources: ['test'] })).join('\n'));
  await ingest(store, extra, 'openpapers');

  const now = { value: '2026-07-01T15:00:00.000Z' };
  // The index writer a server's index builder would hold; reindex() catches up as the builder would.
  const location = new IndexFolderLocation(join(dir, 'search'));
  const writer = await location.tryOpenWriter();
  if (!writer) throw new Error('the test index is locked');
  t.after(() => writer.close());
  const index = location.openReader();
  t.after(() => index.close());
  const reindex = async () => {
    await new IndexUpdater({ store, writer, models: [] }).catchUp();
    await index.refresh();
  };
  await reindex();
  const search = new SearchService({
    store,
    index,
    embedder: async () => {
      throw new OpenPapersError('OP_ERR_SEMANTIC', 'no embedding model in this test');
    },
    today: () => now.value.slice(0, 10),
  });
  const logs: unknown[] = [];
  const smtp = await startSmtp();
  const mailer = smtpMailer(smtp.url, 'OpenPapers <hub@example.org>');
  const services = wireServices({
    store,
    search,
    mailer,
    passwords: argon2Hasher,
    fetcher: arxivApiFetcher(options.arxivApi ?? 'http://127.0.0.1:9/unreachable'),
    parseLibrary: parseLibraryFile,
    now: () => now.value,
    origin: () => 'http://localhost',
    leaseSeconds: 60,
  });
  const digests = services.digests;
  const app = createWebApp(services, {
    log: (entry) => logs.push(entry),
    listenPort: () => options.listenPort ?? null,
  });
  const close = async (): Promise<void> => {
    mailer.close();
    await smtp.close();
  };
  return { app, store, dbPath: join(dir, 'web.db'), now, logs, smtp, digests, reindex, close };
}

async function ingest(store: SqliteStore, path: string, format: 'openpapers'): Promise<void> {
  const source = { name: path, path, size: statSync(path).size, found: false };
  const counts = await ingestSource(store, path, readSource(source, format), {
    now: () => '2026-07-01T00:00:00Z',
  });
  if (counts.rejected > 0) throw new Error(`${path}: ${counts.rejected} records rejected`);
}

/** The demo corpus's papers, as JSON objects, for computing expectations independently of the store. */
export async function demoPapers(): Promise<Record<string, unknown>[]> {
  const papers: Record<string, unknown>[] = [];
  const lines = createInterface({
    input: createReadStream(join(REPO_ROOT, 'demo', 'papers.jsonl.gz')).pipe(createGunzip()),
  });
  for await (const line of lines) papers.push(JSON.parse(line) as Record<string, unknown>);
  return papers;
}
