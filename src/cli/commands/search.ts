/** search, similar, embed and index: the commands that use the search index. */
import { embedCursorName, embedMissing, type EmbedCounts } from '../../app/embed.js';
import { IndexUpdater, type CatchUpCounts } from '../../app/indexing.js';
import type { Embedder, PaperStore, SearchIndexReader } from '../../app/ports.js';
import { SearchService, type SearchHit, type SearchMode, type SearchResponse } from '../../app/search.js';
import { embeddingKey, lazyEmbedder } from '../../adapters/embed/open.js';
import { IndexFolderLocation } from '../../adapters/search/index-location.js';
import type { ReaderOptions } from '../../adapters/search/index-reader.js';
import { openStore } from '../../adapters/storage/open.js';
import { parseArxivId } from '../../core/arxiv-id.js';
import { OpenPapersError } from '../../core/errors.js';
import { inertControls } from '../../core/text.js';
import { paperDay } from '../../core/paper.js';
import type { Snippet } from '../../core/search/snippet.js';
import type { Config } from '../config.js';
import { createProgress, type Progress } from '../progress.js';

export function indexLocation(config: Config, reader?: ReaderOptions): IndexFolderLocation {
  return new IndexFolderLocation(config.searchDir, { reader });
}

/** The embedding models whose vectors the index keeps: the configured one. */
export function indexedModels(config: Config): string[] {
  return [embeddingKey(config.embedding)];
}

/** One progress bar per phase of index work, each closed when the next begins. */
function indexProgress(): {
  update: (phase: string, done: number, total: number | null) => void;
  done: () => void;
} {
  let stage: { phase: string; bar: Progress } | null = null;
  return {
    update(phase, done, total) {
      if (stage?.phase !== phase) {
        stage?.bar.done();
        stage = { phase, bar: createProgress(`indexing ${phase}`, total ?? 0) };
      }
      stage.bar.update(done, done);
    },
    done() {
      stage?.bar.done();
      stage = null;
    },
  };
}

/**
 * Brings the index up to date with the store in this process, with progress; null when another process
 * holds the index's writer (a server's index builder, a worker), which then does it.
 */
export async function catchUpIndex(
  store: PaperStore,
  config: Config,
  options: { rebuild?: boolean; segmentDocs?: number } = {},
): Promise<CatchUpCounts | null> {
  const writer = await indexLocation(config).tryOpenWriter({ rebuild: options.rebuild });
  if (!writer) return null;
  const progress = indexProgress();
  try {
    const updater = new IndexUpdater({
      store,
      writer,
      models: indexedModels(config),
      segmentDocs: options.segmentDocs,
      onProgress: ({ phase, done, total }) => progress.update(phase, done, total),
    });
    const counts = await updater.catchUp();
    await writer.settle();
    if (options.rebuild) await writer.finishRebuild();
    return counts;
  } finally {
    progress.done();
    await writer.close();
  }
}

/**
 * The search service of a one-off command: the index is first brought up to date, here or — when another
 * process holds its writer — by waiting (up to `waitMs`) for that process to publish the store's changes.
 */
export async function openSearch(
  store: PaperStore,
  config: Config,
  embedder = lazyEmbedder(config.embedding),
  waitMs = 60_000,
): Promise<{ search: SearchService; reader: SearchIndexReader }> {
  const reader = indexLocation(config).openReader();
  if ((await catchUpIndex(store, config)) === null) {
    const revision = await store.revision();
    const until = Date.now() + waitMs;
    await reader.refresh();
    while (Date.now() < until && (reader.current()?.storeRevision ?? -1) < revision) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      await reader.refresh();
    }
  }
  await reader.refresh();
  // Long-running users (the worker) see what is published later.
  reader.follow(1_000);
  const search = new SearchService({
    store,
    index: reader,
    embedder,
    today: () => new Date().toISOString().slice(0, 10),
  });
  return { search, reader };
}

async function withStore<T>(config: Config, use: (store: PaperStore) => Promise<T>): Promise<T> {
  const store = await openStore(config.dbPath, { mustExist: true });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/** Highlights in bold on a terminal; plain text elsewhere. */
function render(snippet: Snippet, bold: boolean): string {
  const text = inertControls(snippet.text);
  if (!bold) return text;
  let out = '';
  let at = 0;
  for (const [start, end] of snippet.highlights) {
    out += `${text.slice(at, start)}\x1b[1m${text.slice(start, end)}\x1b[22m`;
    at = end;
  }
  return out + text.slice(at);
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
  const spelling = response.spelling;
  if (spelling && !json)
    process.stderr.write(
      `Showing results for "${spelling.corrected}" (no paper has some words of "${spelling.original}"; --no-spelling searches for them as typed)\n\n`,
    );
  if (json) {
    const correctedQuery = spelling?.corrected ?? null;
    const results = response.hits.map(hitJson);
    process.stdout.write(
      `${JSON.stringify({ mode: response.mode, notice: response.notice, correctedQuery, results }, null, 2)}\n`,
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
  /** false (--no-spelling): the words as typed. */
  spelling?: boolean;
  json?: boolean;
}

export async function searchCommand(query: string, options: SearchOptions, config: Config): Promise<void> {
  await withStore(config, async (store) => {
    const { search, reader } = await openSearch(store, config);
    const response = await search.search({
      query,
      mode: options.mode,
      limit: options.limit,
      offset: options.offset,
      from: options.from,
      to: options.to,
      categories: options.category ? [options.category] : undefined,
      spelling: options.spelling,
    });
    reader.close();
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
    const { search, reader } = await openSearch(store, config);
    const { paper, hits, mode, notice } = await search.similar(wanted, options.limit);
    reader.close();
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
  // A first run reads every paper; later ones read what changed, which the store does not count beforehand.
  const first = (await store.getCursor(embedCursorName(embedder.key))) === null;
  const progress = createProgress(`embedding (${embedder.model})`, first ? (await store.stats()).papers : 0);
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
      counts.papers === 0
        ? `Nothing to embed: no paper changed since the last run (${embedder.model})\n`
        : `Embedded ${n(counts.embedded)} papers with ${embedder.model} ` +
            `(${n(counts.upToDate)} of the ${n(counts.papers)} new or changed papers were up to date) ` +
            `in ${seconds.toFixed(1)} s, ${n(rate)} papers/s\n`,
    );
  });
}

export async function indexUpdateCommand(
  config: Config,
  options: { rebuild?: boolean; segmentDocs?: number } = {},
): Promise<void> {
  await withStore(config, async (store) => {
    const started = performance.now();
    const counts = await catchUpIndex(store, config, options);
    if (counts === null) {
      throw new OpenPapersError(
        'OP_ERR_BUSY',
        `another process is writing the search index in ${config.searchDir} (a server's index builder or a worker); it keeps the index up to date`,
      );
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const reader = indexLocation(config).openReader();
    await reader.refresh();
    const snapshot = reader.current();
    const vectors = snapshot?.vectors(indexedModels(config)[0] as string)?.size ?? 0;
    reader.close();
    const n = (value: number) => value.toLocaleString('en-US');
    const semantic =
      vectors > 0
        ? `${n(vectors)} embedded with ${config.embedding.model}`
        : 'no vectors (semantic search is off; see "openpapers embed")';
    process.stdout.write(
      `Search index in ${config.searchDir}: ${n(snapshot?.lexical.docCount ?? 0)} papers; ${semantic}; ` +
        `${options.rebuild ? 'rebuilt' : `${n(counts.papers)} paper and ${n(counts.vectors)} vector changes applied`} (${seconds} s)\n`,
    );
  });
}
