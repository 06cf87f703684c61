/** The embed use case: embeds every paper that has no embedding for the model yet, or whose text changed. */
import { textHash } from '../core/ids.js';
import { documentText } from '../core/search/model-settings.js';
import type { Paper } from '../core/paper.js';
import type { Embedder, PaperStore } from './ports.js';

export interface EmbedCounts {
  papers: number;
  embedded: number;
  upToDate: number;
}

export async function embedMissing(
  store: PaperStore,
  embedder: Embedder,
  options: { batchSize?: number; onProgress?: (counts: EmbedCounts) => void } = {},
): Promise<EmbedCounts> {
  const batchSize = options.batchSize ?? 64;
  const counts: EmbedCounts = { papers: 0, embedded: 0, upToDate: 0 };
  let page: Paper[] = [];

  const embedPage = async () => {
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
    page = [];
  };

  for await (const paper of store.exportPapers()) {
    counts.papers++;
    page.push(paper);
    if (page.length >= 512) await embedPage();
  }
  await embedPage();
  options.onProgress?.(counts);
  return counts;
}
