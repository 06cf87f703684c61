/**
 * Similar papers computed ahead of time, as arxiv-sanity does, so that a paper page reads its list instead
 * of searching for it. The index builder follows the model's embedding feed: each paper whose vector the
 * published index holds gets its list (the same ranking as a live request: app/search.ts rankSimilar), and
 * enters the lists of its neighbours where it ranks above their last entry, so that older papers learn of
 * newer ones. A paper re-embedded after a change is listed again. Lists are kept per model key.
 */
import type { Paper } from '../core/paper.js';
import type { EmbeddingModelSettings } from '../core/search/model-settings.js';
import type {
  CursorStore,
  EmbeddingStore,
  PaperCatalog,
  SearchIndexReader,
  SimilarEntry,
  SimilarList,
  SimilarStore,
} from './ports.js';
import { SIMILAR_FUSION_DEPTH, rankSimilar, SIMILAR_LIST_SIZE } from './search.js';

export const similarCursorName = (modelKey: string) => `similar:${modelKey}`;

export interface SimilarListDependencies {
  store: PaperCatalog & EmbeddingStore & CursorStore & SimilarStore;
  index: SearchIndexReader;
  model: { key: string; settings: EmbeddingModelSettings };
  pageSize?: number;
  now?: () => string;
  /** Milliseconds, for step budgets. */
  clock?: () => number;
}

export interface SimilarListProgress {
  /** Lists computed in this step, and neighbours' lists a new paper entered. */
  computed: number;
  neighboursUpdated: number;
  /** False while the feed has more for the next step. */
  caughtUp: boolean;
}

export class SimilarListUpdater {
  /** What one list has cost lately, so that a page fits a step's time budget. */
  private msPerList: number | null = null;

  constructor(private readonly deps: SimilarListDependencies) {}

  /**
   * Lists up to about `maxPapers` papers from where the last step stopped, and stops once `budgetMs` has
   * passed. A list costs a live ranking — hundreds of milliseconds at full-arXiv size — and the builder
   * catches up with new papers only between steps, so it gives each step a budget and pages are sized to fit.
   */
  async step(maxPapers = 1_000, budgetMs = Infinity): Promise<SimilarListProgress> {
    const { store, index, model } = this.deps;
    const clock = this.deps.clock ?? (() => performance.now());
    const started = clock();
    const progress = { computed: 0, neighboursUpdated: 0, caughtUp: true };
    await index.refresh();
    const snapshot = index.current();
    const vectors = snapshot?.vectors(model.key);
    if (!snapshot || !vectors || vectors.size === 0) return progress;
    const lexical = snapshot.lexical;
    const name = similarCursorName(model.key);
    let cursor = await store.getCursor(name);
    const largestPage = this.deps.pageSize ?? 200;
    while (progress.computed < maxPapers && clock() - started < budgetMs) {
      const pageSize =
        budgetMs === Infinity
          ? largestPage
          : Math.max(1, Math.min(largestPage, Math.floor(budgetMs / (this.msPerList ?? budgetMs / 8))));
      const pageStarted = clock();
      const page = await store.embeddingChanges(model.key, cursor, pageSize);
      const papers = await store.getPapers(page.embeddings.map((entry) => entry.paperId));
      // Only papers whose vectors the published index holds; from the first that it lacks, the rest wait
      // for the next step. A paper the store no longer holds needs no list.
      const ready: { paperId: string; key: number; vector: Float32Array }[] = [];
      let passed = 0;
      for (const { paperId } of page.embeddings) {
        const key = lexical.keyOf(paperId);
        const vector = key < 0 ? null : vectors.vector(key);
        if (vector) ready.push({ paperId, key, vector });
        else if (papers.has(paperId)) break;
        passed++;
      }
      const lists: SimilarList[] = [];
      for (const { paperId, key, vector } of ready) {
        const paper = papers.get(paperId);
        if (!paper) continue;
        // Ranked as deep as a live request ranks, so that the stored list is the top of the same ranking.
        const ranked = (
          await rankSimilar(
            lexical,
            paper,
            key,
            { vectors, vector, settings: model.settings },
            { depth: SIMILAR_FUSION_DEPTH },
          )
        ).slice(0, SIMILAR_LIST_SIZE);
        lists.push({
          paperId,
          similar: ranked.map((hit) => ({ paperId: lexical.paperIdOf(hit.key) as string, score: hit.score })),
        });
      }
      const entered = await this.enterNeighbours(lists, papers);
      await store.putSimilarPapers(
        model.key,
        [...lists, ...entered],
        this.deps.now?.() ?? new Date().toISOString(),
      );
      progress.computed += lists.length;
      progress.neighboursUpdated += entered.length;
      if (lists.length > 0) this.msPerList = (clock() - pageStarted) / lists.length;
      if (passed < page.embeddings.length) {
        // The index has not published the rest yet: this page is read again next time.
        progress.caughtUp = false;
        break;
      }
      if (page.cursor !== null && page.cursor !== cursor)
        await store.setCursor(name, page.cursor, new Date().toISOString());
      cursor = page.cursor;
      if (page.embeddings.length < pageSize) return progress;
    }
    progress.caughtUp = false;
    return progress;
  }

  /**
   * The stored lists of the new lists' neighbours, each with the new paper in it where it ranks above the
   * list's last entry — only lists written before the paper was first seen, which could not know of it.
   */
  private async enterNeighbours(
    lists: readonly SimilarList[],
    papers: ReadonlyMap<string, Paper>,
  ): Promise<SimilarList[]> {
    const listed = new Set(lists.map((list) => list.paperId));
    const neighbourIds = [
      ...new Set(lists.flatMap((list) => list.similar.map((entry) => entry.paperId))),
    ].filter((id) => !listed.has(id));
    const stored = await this.deps.store.similarPapers(this.deps.model.key, neighbourIds);
    const changed = new Map<string, SimilarEntry[]>();
    for (const list of lists) {
      const seen = papers.get(list.paperId)?.firstSeen ?? '';
      for (const { paperId: neighbour, score } of list.similar) {
        const theirs = stored.get(neighbour);
        if (!theirs || theirs.updatedAt >= seen) continue;
        const current = changed.get(neighbour) ?? theirs.similar;
        if (current.some((entry) => entry.paperId === list.paperId)) continue;
        const last = current.at(-1);
        if (current.length >= SIMILAR_LIST_SIZE && last && last.score >= score) continue;
        const merged = [...current, { paperId: list.paperId, score }]
          .sort((a, b) => b.score - a.score)
          .slice(0, SIMILAR_LIST_SIZE);
        changed.set(neighbour, merged);
      }
    }
    return [...changed].map(([paperId, similar]) => ({ paperId, similar }));
  }
}
