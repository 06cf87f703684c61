/** Test setup for search indexes: build one from a store with the real writer, and search it. */
import assert from 'node:assert/strict';
import { IndexUpdater, type CatchUpCounts } from '../src/app/indexing.js';
import type { Embedder, PaperStore } from '../src/app/ports.js';
import { SearchService } from '../src/app/search.js';
import { IndexFolderLocation } from '../src/adapters/search/index-location.js';
import type { WriterOptions } from '../src/adapters/search/index-writer.js';

/** Brings the index in `dir` up to date with the store, as the index builder does. */
export async function buildIndex(
  store: PaperStore,
  dir: string,
  models: readonly string[],
  options: WriterOptions = {},
): Promise<CatchUpCounts> {
  const writer = await new IndexFolderLocation(dir, { writer: options }).tryOpenWriter();
  assert.ok(writer, `the index writer of ${dir} is free`);
  try {
    const counts = await new IndexUpdater({ store, writer, models }).catchUp();
    await writer.settle();
    return counts;
  } finally {
    await writer.close();
  }
}

/** A search service over what is published in `dir` now. */
export async function searchOver(
  store: PaperStore,
  dir: string,
  embedder: () => Promise<Embedder>,
  today: string,
): Promise<SearchService> {
  const index = new IndexFolderLocation(dir).openReader();
  await index.refresh();
  return new SearchService({ store, index, embedder, today: () => today });
}
