/** search, similar, embed and index: the commands that use the search indexes. */
import { rmSync } from 'node:fs';
import { embedMissing, type EmbedCounts } from '../../app/embed.js';
import type { Embedder, PaperStore } from '../../app/ports.js';
import { SearchService, type SearchHit, type SearchMode, type SearchResponse } from '../../app/search.js';
import { lazyEmbedder } from '../../adapters/embed/open.js';
import { SearchIndexFolder } from '../../adapters/search/index-files.js';
import { openStore } from '../../adapters/storage/open.js';
import { parseArxivId } from '../../core/arxiv-id.js';
import { paperDay } from '../../core/paper.js';
import type { Snippet } from '../../core/search/snippet.js';
import type { Config } from '../config.js';
import { createProgress } from '../progress.js';

export function searchService(
  store: PaperStore,
  config: Config,
  embedder = lazyEmbedder(config.embedding),
): SearchService {
  // One bar per stage of index building (reading papers, indexing, vectors), each closed when it completes.
  let stage: { what: string; bar: ReturnType<typeof createProgress> } | null = null;
  const onIndexing = (what: string, done: number, total: number) => {
    if (stage?.what !== what) {
      stage?.bar.done();
      stage = { what, bar: createProgress(what, total) };
    }
    stage.bar.update(done, done);
    if (done >= total) {
      stage.bar.done();
      stage = null;
    }
  };
  return new SearchService({
    store,
    files: new SearchIndexFolder(config.searchDir, { onProgress: onIndexing }),
    embedder,
    today: () => new Date().toISOString().slice(0, 10),
    onIndexing,
  });
}

async function withStore<T>(config: Config, use: (store: PaperStore) => Promise<T>): Promise<T> {
  const store = openStore(config.dbPath, { mustExist: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Highlights in bold on a terminal; plain text elsewhere. */
function render(snippet: Snippet, bold: boolean): string {
  if (!bold) return snippet.text;
  let out = '';
  let at = 0;
  for (const [start, end] of snippet.highlights) {
    out += `${snippet.text.slice(at, start)}\x1b[1m${snippet.text.slice(start, end)}\x1b[22m`;
    at = end;
  }
  return out + snippet.text.slice(at);
}

function hitJson(hit: SearchHit) {
  return {
    id: hit.paper.id,
    title: hit.paper.title,
    score: Number(hit.score.toFixed(6)),
    snippet: hit.snippet.text,
    highlights: hit.snippet.highlights,
    titleHighlights: hit.title.highlights,
    authors: hit.paper.authors,
    day: paperDay(hit.paper),
    categories: hit.paper.categories,
  };
}

function printHits(hits: SearchHit[], offset: number): void {
  const bold = Boolean(process.stdout.isTTY);
  const lines = hits.map((hit, i) => {
    const meta = [hit.paper.id, paperDay(hit.paper), hit.paper.categories[0]].filter(Boolean).join(' · ');
    return `${String(offset + i + 1).padStart(3)}. ${render(hit.title, bold)}\n     ${meta}\n     ${render(hit.snippet, bold)}`;
  });
  process.stdout.write(`${lines.join('\n\n')}\n`);
}

function printResponse(response: SearchResponse, json: boolean, offset: number, emptyHelp: string): void {
  if (response.notice) process.stderr.write(`openpapers: ${response.notice}\n`);
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ mode: response.mode, notice: response.notice, results: response.hits.map(hitJson) }, null, 2)}\n`,
    );
  } else if (response.hits.length === 0) {
    process.stdout.write(emptyHelp);
  } else {
    printHits(response.hits, offset);
  }
}

const NOTHING_FOUND = `No papers match.
Try fewer or other words, drop quotes or +required words, widen --from/--to or --category,
or see "openpapers search --help" for the query syntax.
`;

export interface SearchOptions {
  mode: SearchMode;
  limit: number;
  offset: number;
  from?: string;
  to?: string;
  category?: string;
  json?: boolean;
}

export async function searchCommand(query: string, options: SearchOptions, config: Config): Promise<void> {
  await withStore(config, async (store) => {
    const response = await searchService(store, config).search({
      query,
      mode: options.mode,
      limit: options.limit,
      offset: options.offset,
      from: options.from,
      to: options.to,
      categories: options.category ? [options.category] : undefined,
    });
    printResponse(response, Boolean(options.json), options.offset, NOTHING_FOUND);
  });
}

export async function similarCommand(
  id: string,
  options: { limit: number; json?: boolean },
  config: Config,
): Promise<void> {
  const wanted = parseArxivId(id)?.id ?? id.trim();
  await withStore(config, async (store) => {
    const { paper, hits, mode, notice } = await searchService(store, config).similar(wanted, options.limit);
    if (!options.json && !notice) process.stderr.write(`Papers like "${paper.title}" (${mode})\n\n`);
    printResponse({ hits, mode, notice }, Boolean(options.json), 0, 'No similar papers found.\n');
  });
}

/** Embeds what is missing, with a progress bar on a terminal (the embed command and the worker's job). */
export async function embedWithProgress(
  store: PaperStore,
  embedder: Embedder,
  batchSize?: number,
): Promise<EmbedCounts> {
  const progress = createProgress(`embedding (${embedder.model})`, (await store.stats()).papers);
  try {
    return await embedMissing(store, embedder, {
      batchSize,
      onProgress: (counts) => progress.update(counts.embedded + counts.upToDate, counts.embedded),
    });
  } finally {
    progress.done();
  }
}

export async function embedCommand(
  options: { batchSize: number },
  config: Config,
  embedderOverride?: () => Promise<Embedder>,
): Promise<void> {
  await withStore(config, async (store) => {
    const embedder = await (embedderOverride ?? lazyEmbedder(config.embedding))();
    const started = performance.now();
    const counts = await embedWithProgress(store, embedder, options.batchSize);
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(counts.embedded / seconds) : 0;
    const n = (value: number) => value.toLocaleString('en-US');
    process.stdout.write(
      `Embedded ${n(counts.embedded)} papers with ${embedder.model} (${n(counts.upToDate)} already up to date) ` +
        `in ${seconds.toFixed(1)} s, ${n(rate)} papers/s\n`,
    );
  });
}

export async function indexCommand(options: { rebuild?: boolean }, config: Config): Promise<void> {
  if (options.rebuild) rmSync(config.searchDir, { recursive: true, force: true });
  await withStore(config, async (store) => {
    const started = performance.now();
    const service = searchService(store, config);
    const lexical = await service.lexicalIndex();
    const vectors = await service.vectorIndex();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const n = (value: number) => value.toLocaleString('en-US');
    const semantic = vectors
      ? `${n(vectors.size)} embedded with ${config.embedding.model}`
      : 'no vector index (semantic search is off; see "openpapers embed")';
    process.stdout.write(
      `Search indexes in ${config.searchDir}: ${n(lexical.docIds.length)} papers; ${semantic} (${seconds} s)\n`,
    );
  });
}
