/**
 * Papers for one reader, for the "For you" page and the personal part of digests. The reader's library is
 * what they upvoted, saved to their collections (imported libraries included) and marked 👍 in digests;
 * what they marked 👎 counts against. Recent papers are ranked by the personal model (core/recs), words
 * always and embeddings where the papers have them. A reader with no library yet gets the newest papers of
 * the categories they chose when subscribing, if any (the cold start).
 */
import { Bm25Space, countTerms } from '../core/recs/bm25.js';
import { recommend, trainPersonalModel, type RecItem } from '../core/recs/personal.js';
import type { Paper } from '../core/paper.js';
import type { PaperStore } from './ports.js';

export interface Pick {
  paper: Paper;
  /** Why, as the page and the digest say it: `like "…" in your library`, `new in cs.CL`. */
  reason: string;
}

export interface ReaderLibrary {
  liked: string[];
  disliked: string[];
}

export interface RecommendationDependencies {
  store: PaperStore;
  /** The stored embeddings of these papers, for the meaning side; an empty map turns it off. */
  embeddings: (paperIds: readonly string[]) => Promise<Map<string, Float32Array>>;
}

type Window = { from?: string; to?: string };

/** Candidates ranked at most: enough for weeks of a busy category, few enough to rank per request. */
const MAX_CANDIDATES = 2000;
/** Library papers used at most: the collections' latest additions, then the latest votes. */
const MAX_LIBRARY = 500;

export class RecommendationService {
  constructor(private readonly deps: RecommendationDependencies) {}

  /** The reader's library: an account's votes and collections, and a subscription's digest feedback. */
  async library(reader: { userId: string | null; subscriberId: string | null }): Promise<ReaderLibrary> {
    const { store } = this.deps;
    const liked = new Set<string>();
    if (reader.userId) {
      for (const collection of await store.listCollections(reader.userId))
        for (const row of await store.collectionPapers(collection.id)) liked.add(row.paperId);
      for (const id of await store.votedPapers(reader.userId, MAX_LIBRARY)) liked.add(id);
    }
    const feedback = reader.subscriberId ? await store.feedback(reader.subscriberId) : [];
    for (const item of feedback) if (item.up) liked.add(item.paperId);
    const disliked = feedback.filter((item) => !item.up).map((item) => item.paperId);
    return { liked: [...liked].slice(0, MAX_LIBRARY), disliked: disliked.filter((id) => !liked.has(id)) };
  }

  /**
   * Papers of the days `from`–`to` (without them, the newest papers) for this library, best first; none when
   * the library is empty.
   */
  async rank(library: ReaderLibrary, window: Window, limit: number): Promise<Pick[]> {
    if (library.liked.length === 0) return [];
    const { store } = this.deps;
    const recent = await store.listPapers({ from: window.from, to: window.to, limit: MAX_CANDIDATES });
    const own = await store.getPapers([...library.liked, ...library.disliked]);
    const vectors = await this.deps.embeddings([...recent.map((paper) => paper.id), ...own.keys()]);
    const item = (paper: Paper): RecItem => ({
      id: paper.id,
      vector: vectors.get(paper.id) ?? null,
      terms: countTerms(`${paper.title} ${paper.abstract}`),
    });
    const candidates = recent.map(item);
    const known = (ids: readonly string[]) =>
      ids.flatMap((id) => {
        const paper = own.get(id);
        return paper ? [item(paper)] : [];
      });
    const positives = known(library.liked);
    const space = new Bm25Space([...candidates, ...positives].map((candidate) => candidate.terms));
    const liked = new Set(library.liked);
    const model = trainPersonalModel(
      {
        positives,
        negatives: known(library.disliked),
        // Most recent papers are not for any one reader: the candidates stand in for "the rest".
        background: candidates.filter((candidate) => !liked.has(candidate.id)).slice(0, 500),
      },
      space,
    );
    const byId = new Map(recent.map((paper) => [paper.id, paper]));
    return recommend(model, candidates, limit).map((hit) => ({
      paper: byId.get(hit.id) as Paper,
      reason: `like "${own.get(hit.because)?.title ?? hit.because}" in your library`,
    }));
  }

  /** The cold start: the newest papers of the chosen categories, taken in turn. */
  async newestIn(categories: readonly string[], window: Window, limit: number) {
    const lists = await Promise.all(
      categories.map(async (category) =>
        (await this.deps.store.listPapers({ ...window, category, limit })).map((paper) => ({
          paper,
          reason: `new in ${category}`,
        })),
      ),
    );
    const picks = new Map<string, Pick>();
    for (let i = 0; picks.size < limit && lists.some((list) => i < list.length); i++) {
      for (const list of lists) {
        const pick = list[i];
        if (pick && !picks.has(pick.paper.id) && picks.size < limit) picks.set(pick.paper.id, pick);
      }
    }
    return [...picks.values()];
  }
}
