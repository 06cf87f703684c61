/**
 * The 74,728 real papers of the listing file, ingested and embedded with the test model once (resumable)
 * into `<cache>/real.db`, for the benchmarks that need a real corpus with embeddings.
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { embedMissing } from '../src/app/embed.js';
import { ingestSource } from '../src/app/ingest.js';
import { lazyEmbedder } from '../src/adapters/embed/open.js';
import { readSource } from '../src/adapters/sources/formats.js';
import { SqliteStore } from '../src/adapters/storage/sqlite/store.js';

export async function prepareRealCorpus(options: {
  cacheDir: string;
  sharedDir: string;
  model: string;
  log: (line: string) => void;
}): Promise<string> {
  const { cacheDir, log } = options;
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, 'real.db');
  if (existsSync(`${path}.complete`)) return path;
  const store = new SqliteStore(path);
  try {
    const listing = join(options.sharedDir, 'data', 'arxiv-daily-listings', 'arxiv-daily-listings.jsonl.gz');
    log(`ingesting ${listing}`);
    const source = { name: listing, path: listing, size: statSync(listing).size, found: false };
    await ingestSource(store, listing, readSource(source, 'arxiv-listing'), {
      now: () => '2026-11-22T00:00:00Z',
    });
    log('embedding the real papers (resumable; cached for later runs)');
    const embedder = await lazyEmbedder({ model: options.model, url: null, apiKey: null, cacheDir })();
    let last = 0;
    await embedMissing(store, embedder, {
      onProgress: ({ embedded }) => {
        if (embedded - last >= 5000) {
          log(`  embedded ${embedded.toLocaleString('en-US')}`);
          last = embedded;
        }
      },
    });
  } finally {
    await store.close();
  }
  writeFileSync(`${path}.complete`, 'done\n');
  return path;
}
