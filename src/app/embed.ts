/**
 * The embed use case: embeds the papers that have no embedding for the model yet, or whose text changed.
 * It follows the store's paper change feed from where the model's last run stopped (a named cursor in the
 * store), so a run after a day's ingest reads that day's papers, not the whole corpus.
 */
import { textHash } from '../core/ids.js';
import { documentText } from '../core/search/model-settings.js';
import type { Paper } from '../core/paper.js';
import type { CursorStore, Embedder, EmbeddingStore, PaperCatalog } from './ports.js';

export interface EmbedCounts {
  /** Papers read from the change feed (new or changed since the last run). */
  papers: number;
  embedded: number;
  /** Papers read whose stored embedding is of their current text. */
  upToDate: number;
}

const PAGE = 512;

/** The store cursor of a model's embedding runs. */
export const embedCursorName = (modelKey: string) => `embed:${modelKey}`;

export async function embedMissing(
  store: PaperCatalog & EmbeddingStore & CursorStore,
  embedder: Embedder,
  options: { batchSize?: number; onProgress?: (counts: EmbedCounts) => void } = {},
): Promise<EmbedCounts> {
  const batchSize = options.batchSize ?? 64;
  const counts: EmbedCounts = { papers: 0, embedded: 0, upToDate: 0 };
  const cursorName = embedCursorName(embedder.key);

  const embedPage = async (page: readonly Paper[]) => {
    const texts = page.map((paper) => documentText(paper, embedder.settings));
    const known = await store.embeddingHashes(
      embedder.key,
      page.map((p) => p.id),
    );
    const todo = page.flatMap((paper, i) => {
      const hash = textHash(texts[i] as string);
      return known.get(paper.id) === hash ? [] : [{ paper, text: texts[i] as string, hash }];
    });
    counts.upToDate += page.length - todo.length;
    for (let start = 0; start < todo.length; start += batchSize) {
      const batch = todo.slice(start, start + batchSize);
      const vectors = await embedder.embedDocuments(batch.map((item) => item.text));
      // Each batch is stored at once: an interrupted run keeps what it finished.
      await store.putEmbeddings(
        embedder.key,
        batch.map((item, i) => ({
          paperId: item.paper.id,
          textHash: item.hash,
          vector: vectors[i] as Float32Array,
        })),
      );
      counts.embedded += batch.length;
      options.onProgress?.(counts);
    }
  };

  let cursor = await store.getCursor(cursorName);
  for (;;) {
    const page = await store.paperChanges(cursor, PAGE);
    counts.papers += page.papers.length;
    await embedPage(page.papers);
    // Saved once the page's embeddings are stored: a run killed mid-page reads that page again.
    if (page.cursor !== null && page.cursor !== cursor) {
      await store.setCursor(cursorName, page.cursor, new Date().toISOString());
    }
    cursor = page.cursor;
    options.onProgress?.(counts);
    if (page.papers.length + page.removed.length < PAGE) break;
  }
  return counts;
}
