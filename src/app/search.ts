/**
 * The search use cases: keyword, semantic and hybrid search, and similar papers, answered from the
 * search index's current snapshot. Nothing here builds or updates an index: that is the index writer's
 * work (app/indexing.ts), done elsewhere; a search only ever reads what was last published.
 */
import { OpenPapersError } from '../core/errors.js';
import { foldedTitle } from '../core/ids.js';
import type { Paper } from '../core/paper.js';
import { fuse, type FusionCandidate } from '../core/search/fusion.js';
import {
  browse,
  type KeyFilter,
  makeDocFilter,
  resolveQuery,
  type ResolvedQuery,
  scoresResolved,
  searchResolvedPausing,
  type Pausing,
} from '../core/search/lexical-search.js';
import { moreLikeThis } from '../core/search/more-like-this.js';
import { correctQuery, type SpellingCorrection } from '../core/search/spelling.js';
import { parseQuery, plainQuery, queryText, QuerySyntaxError, type Query } from '../core/search/query.js';
import { containsPhrase, highlight, makeSnippet, type Snippet } from '../core/search/snippet.js';
import type { EmbeddingModelSettings } from '../core/search/model-settings.js';
import type { LexicalSnapshot } from '../core/search/snapshot.js';
import { analyze } from '../core/search/tokenize.js';
import { dotProduct } from '../core/search/vectors.js';
import type {
  Embedder,
  IndexSnapshot,
  IndexStatus,
  PaperStore,
  SearchIndexReader,
  SimilarEntry,
  VectorSnapshot,
} from './ports.js';

export type SearchMode = 'lexical' | 'semantic' | 'hybrid';

export interface SearchRequest {
  query: string;
  mode: SearchMode;
  limit: number;
  offset?: number;
  from?: string;
  to?: string;
  categories?: readonly string[];
  /** Take the query as plain words, without operators (for benchmark queries such as claims). */
  plain?: boolean;
  /** false: search for the words as typed, even those no paper contains. */
  spelling?: boolean;
}

export interface SearchHit {
  paper: Paper;
  score: number;
  title: Snippet;
  snippet: Snippet;
}

export interface SearchResponse {
  hits: SearchHit[];
  /** The mode that produced the ranking (hybrid falls back to lexical when semantic search is off). */
  mode: SearchMode;
  /** Why semantic search was not used, when it was asked for, or that the index is not built yet. */
  notice: string | null;
  /** Present when words no paper contains were corrected: the results are for the corrected query. */
  spelling?: SpellingCorrection;
}

export interface SearchDependencies {
  store: PaperStore;
  index: SearchIndexReader;
  /** Loads the embedder on first use; throws OP_ERR_SEMANTIC when no model can be loaded. */
  embedder: () => Promise<Embedder>;
  today: () => string;
}

/** How many candidates each side contributes to similar papers' fusion (search's depth is the model's). */
export const SIMILAR_FUSION_DEPTH = 50;
/** Similar papers kept per precomputed list: a page shows 8; a longer request searches live. */
export const SIMILAR_LIST_SIZE = 30;
/** Query embeddings remembered, so that a popular query is embedded once. */
const QUERY_CACHE = 2_000;

export const INDEX_NOT_READY =
  'the search index is being built; results appear as soon as its first part is ready';

type Semantic = { embedder: Embedder; vectors: VectorSnapshot };

/** A turn of the event loop, so that messages from other threads are taken in. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** How long a keyword ranking runs before it lets the event loop take other work. */
const RANKING_SLICE_MS = 10;

/** Pauses for a ranking: at each of its segments, and once it has run for a slice since the last. */
function slicedPausing(): Pausing {
  let since = performance.now();
  return {
    pause: async () => {
      await nextTurn();
      since = performance.now();
    },
    due: () => performance.now() - since >= RANKING_SLICE_MS,
  };
}

export class SearchService {
  private readonly queryVectors = new Map<string, Promise<Float32Array>>();

  constructor(private readonly deps: SearchDependencies) {}

  /** The snapshot searches read now, or null before the index's first generation is published. */
  snapshot(): IndexSnapshot | null {
    return this.deps.index.current();
  }

  /** What the index writer last said it was doing. */
  indexStatus(): Promise<IndexStatus | null> {
    return this.deps.index.status();
  }

  /** The embedder and the vector index of its model, or the reason semantic search cannot run. */
  private async semantic(snapshot: IndexSnapshot): Promise<Semantic | string> {
    let embedder: Embedder;
    try {
      embedder = await this.deps.embedder();
    } catch (error) {
      if (error instanceof OpenPapersError) return error.message;
      throw error;
    }
    const vectors = snapshot.vectors(embedder.key);
    if (!vectors || vectors.size === 0) {
      return `no papers are embedded with ${embedder.model} yet; run "openpapers embed"`;
    }
    return { embedder, vectors };
  }

  private embedQuery(embedder: Embedder, text: string): Promise<Float32Array> {
    const key = `${embedder.key}\u0000${text}`;
    let vector = this.queryVectors.get(key);
    if (vector) {
      this.queryVectors.delete(key);
    } else {
      vector = embedder.embedQuery(text);
      vector.catch(() => this.queryVectors.delete(key));
      if (this.queryVectors.size >= QUERY_CACHE)
        this.queryVectors.delete(this.queryVectors.keys().next().value as string);
    }
    this.queryVectors.set(key, vector);
    return vector;
  }

  /** The stored embeddings of these papers under the configured model; none when there is no model. */
  async embeddingsOf(paperIds: readonly string[]): Promise<Map<string, Float32Array>> {
    const vectors = new Map<string, Float32Array>();
    let embedder: Embedder;
    try {
      embedder = await this.deps.embedder();
    } catch {
      return vectors;
    }
    for (const id of paperIds) {
      const vector = await this.deps.store.getEmbedding(embedder.key, id);
      if (vector) vectors.set(id, vector);
    }
    return vectors;
  }

  async search(request: SearchRequest): Promise<SearchResponse> {
    let query: Query;
    try {
      query = request.plain ? plainQuery(request.query) : parseQuery(request.query);
    } catch (error) {
      if (error instanceof QuerySyntaxError) throw new OpenPapersError('OP_ERR_USAGE', error.message);
      throw error;
    }
    const snapshot = this.deps.index.current();
    if (!snapshot) return { hits: [], mode: 'lexical', notice: INDEX_NOT_READY };
    const lexical = snapshot.lexical;
    const spelling = request.spelling === false ? null : correctQuery(lexical, request.query, query);
    if (spelling) query = request.plain ? plainQuery(spelling.corrected) : parseQuery(spelling.corrected);
    const today = this.deps.today();
    const window = { from: request.from, to: request.to, categories: request.categories, today };
    const wanted = (request.offset ?? 0) + request.limit;
    const phrases = query.clauses.filter((c) => c.kind === 'phrase');
    const text = queryText(query);

    let semantic: Semantic | null = null;
    let notice: string | null = null;
    if (request.mode !== 'lexical' && text.trim() !== '') {
      const side = await this.semantic(snapshot);
      if (typeof side === 'string') {
        if (request.mode === 'semantic')
          throw new OpenPapersError('OP_ERR_SEMANTIC', `semantic search is off: ${side}`);
        notice = `semantic search is off: ${side}; showing keyword results`;
      } else semantic = side;
    }
    const mode: SearchMode = semantic ? request.mode : 'lexical';
    // A server's model runs on a thread of its own (adapters/embed/thread.ts): the query is embedded there
    // while the lexical side ranks here.
    const queryVector = semantic ? this.embedQuery(semantic.embedder, text) : null;
    // Awaited below where it is used; a ranking that does not need it must not leave its failure unhandled.
    queryVector?.catch(() => undefined);
    // Resolved once (each term's statistics looked up in every segment) for the filter and every ranking.
    const resolved = resolveQuery(lexical, query, window);
    await snapshot.prefetch(termsOf(resolved));
    const accept = makeDocFilter(lexical, resolved);

    // Phrases are checked on the text, so rank deeper until enough candidates pass (or there are no more).
    let depth = phrases.length > 0 ? wanted * 4 : wanted;
    for (;;) {
      const ranked = await this.rank(lexical, query, resolved, mode, depth, semantic, queryVector, accept);
      const ids = ranked.map((hit) => lexical.paperIdOf(hit.key) as string);
      const papers = await this.deps.store.getPapers(ids);
      const kept = ranked.flatMap((hit, i) => {
        const paper = papers.get(ids[i] as string);
        return paper !== undefined && passesPhrases(paper, phrases) ? [{ paper, score: hit.score }] : [];
      });
      if (kept.length >= wanted || ranked.length < depth || depth >= 10_000) {
        const terms = new Set(analyze(text));
        const hits = kept.slice(request.offset ?? 0, wanted).map(({ paper, score }) => ({
          paper,
          score,
          title: highlight(paper.title, terms),
          snippet: makeSnippet(paper.abstract, terms),
        }));
        return { hits, mode, notice, ...(spelling ? { spelling } : {}) };
      }
      depth *= 4;
    }
  }

  private async rank(
    lexical: LexicalSnapshot,
    query: Query,
    resolved: ResolvedQuery,
    mode: SearchMode,
    depth: number,
    semantic: Semantic | null,
    queryVectorPromise: Promise<Float32Array> | null,
    accept: KeyFilter | null,
  ): Promise<{ key: number; score: number }[]> {
    // A query of filters alone (`category:cs.CL since:7d`) lists what passes them, newest first; words that
    // no paper contains match nothing.
    if (queryText(query).trim() === '') return browse(lexical, accept, depth);
    if (resolved.scoring.length === 0 && (!semantic || mode === 'lexical')) return [];
    if (!semantic || !queryVectorPromise)
      return searchResolvedPausing(lexical, resolved, depth, slicedPausing());
    const floor = semantic.embedder.settings.semanticFloor;
    if (mode === 'semantic') {
      const hits = await semantic.vectors.searchAsync(await queryVectorPromise, depth, accept);
      const lexicalScore = scoresResolved(
        lexical,
        resolved.scoring,
        hits.map((hit) => hit.key),
      );
      return hits.filter((hit, i) => aboveFloor(lexicalScore[i] as number, hit.score, floor));
    }

    const fusionDepth = Math.max(semantic.embedder.settings.hybridFusionDepth, depth);
    // In a server the query is embedded on the model's thread and the graph is walked on its own: the walk
    // is sent off as soon as the vector arrives, which the keyword side lets happen by pausing between
    // segments, so that both threads' work overlaps the ranking here.
    const semanticSearch = queryVectorPromise.then((vector) =>
      semantic.vectors.searchAsync(vector, fusionDepth, accept),
    );
    semanticSearch.catch(() => undefined);
    const lexicalHits = await searchResolvedPausing(lexical, resolved, fusionDepth, slicedPausing());
    const queryVector = await queryVectorPromise;
    const semanticHits = await semanticSearch;
    const candidates = await scoredCandidates(
      lexical,
      resolved.scoring,
      lexicalHits,
      semanticHits,
      semantic.vectors,
      queryVector,
      floor,
    );
    return fuse(candidates, semantic.embedder.settings.hybridLexicalWeight).slice(0, depth);
  }

  /** Papers whose titles share the most words with this one (for matching imported references). */
  async papersWithTitleLike(title: string, limit = 10): Promise<Paper[]> {
    const { hits } = await this.search({ query: title, mode: 'lexical', limit, plain: true });
    return hits.map((hit) => hit.paper);
  }

  /**
   * Papers most like this one: its distinctive terms as a keyword query (more like this) fused with its
   * embedding neighbours, weighted for the model as search is; keyword neighbours alone without a model.
   * `paper` is its id, or the paper already read (a paper page has it).
   */
  async similar(
    paper: string | Paper,
    limit: number,
  ): Promise<{ paper: Paper; hits: SearchHit[]; mode: SearchMode; notice: string | null }> {
    if (typeof paper === 'string') {
      const found = await this.deps.store.getPaper(paper);
      if (!found) throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${paper}"`);
      paper = found;
    }
    const snapshot = this.deps.index.current();
    if (!snapshot) return { paper, hits: [], mode: 'lexical', notice: INDEX_NOT_READY };
    const lexical = snapshot.lexical;
    const self = lexical.keyOf(paper.id);
    const side = await this.semantic(snapshot);
    const semantic = typeof side === 'string' || self < 0 ? null : side;
    const notice =
      typeof side === 'string' ? `semantic similarity is off: ${side}; showing keyword neighbours` : null;
    // The list computed ahead of time (app/similar-lists.ts) when it holds this request and a few spare
    // (for papers dropped below); a longer request, or a paper without a list, is ranked live.
    const wanted = limit + 5;
    const stored =
      semantic && wanted <= SIMILAR_LIST_SIZE
        ? (await this.deps.store.similarPapers(semantic.embedder.key, [paper.id])).get(paper.id)?.similar
        : undefined;
    let ranked: SimilarEntry[];
    let mode: SearchMode = 'hybrid';
    if (stored && stored.length >= wanted) ranked = stored;
    else {
      const vector = semantic?.vectors.vector(self) ?? null;
      if (!vector) mode = 'lexical';
      ranked = (
        await rankSimilar(
          lexical,
          paper,
          self,
          semantic && vector ? { ...semantic, vector, settings: semantic.embedder.settings } : null,
          { depth: Math.max(SIMILAR_FUSION_DEPTH, limit + 20), prefetch: snapshot.prefetch },
        )
      ).map((hit) => ({ paperId: lexical.paperIdOf(hit.key) as string, score: hit.score }));
    }
    // The papers to show are read first; the spares only when some of those are dropped.
    const selfTitle = foldedTitle(paper.title);
    const shown: { paper: Paper; score: number }[] = [];
    for (let start = 0; start < ranked.length && shown.length < limit;) {
      const batch = ranked.slice(start, start + limit - shown.length);
      start += batch.length;
      const papers = await this.deps.store.getPapers(batch.map((hit) => hit.paperId));
      for (const hit of batch) {
        const other = papers.get(hit.paperId);
        // The same paper under another id (a seed page entry, another source) is not "similar", it is itself.
        if (other && foldedTitle(other.title) !== selfTitle) shown.push({ paper: other, score: hit.score });
      }
    }
    const terms = new Set<string>();
    const hits = shown.map((hit) => ({
      ...hit,
      title: highlight(hit.paper.title, terms),
      snippet: makeSnippet(hit.paper.abstract, terms),
    }));
    return { paper, hits, mode, notice };
  }
}

/**
 * A paper's neighbours: the more-like-this query's top and the embedding neighbours' top, each scored on
 * both sides and fused with the model's weight for similar papers. A near-identical vector is the paper
 * itself under another id, and is left out; so is a neighbour below the model's similarity floor that
 * shares none of the paper's distinctive terms.
 */
export async function rankSimilar(
  lexical: LexicalSnapshot,
  paper: { title: string; abstract: string },
  self: number,
  semantic: { vectors: VectorSnapshot; vector: Float32Array; settings: EmbeddingModelSettings } | null,
  options: { depth: number; prefetch?: (terms: readonly string[]) => Promise<void> },
): Promise<{ key: number; score: number }[]> {
  const query = moreLikeThis(lexical, paper);
  // As in search, the graph walk (a thread's, in a server) is sent off before the keywords rank here.
  const semanticSearch = semantic?.vectors.searchAsync(semantic.vector, options.depth, (key) => key !== self);
  semanticSearch?.catch(() => undefined);
  await options.prefetch?.(query.scoring.map((entry) => entry.term));
  const lexicalHits = (
    await searchResolvedPausing(lexical, query, options.depth + 1, slicedPausing())
  ).filter((hit) => hit.key !== self);
  if (!semantic || !semanticSearch) return lexicalHits.slice(0, options.depth);
  const { vectors, vector, settings } = semantic;
  const semanticHits = await semanticSearch;
  const candidates = await scoredCandidates(
    lexical,
    query.scoring,
    lexicalHits,
    semanticHits,
    vectors,
    vector,
    settings.semanticFloor,
  );
  const others = candidates.filter((candidate) => candidate.semantic <= 0.995);
  return fuse(others, settings.similarLexicalWeight).slice(0, options.depth);
}

/** A paper that shares no word with the query is a result only at or above the model's similarity floor. */
function aboveFloor(lexical: number, cosine: number, floor: number): boolean {
  return lexical > 0 || cosine >= floor;
}

/**
 * The hits of both sides as candidates scored on both: each side's own hits come with their exact scores,
 * and only the other side's hits are scored here — on the keywords from the posting lists, on meaning with
 * their vectors read off the event loop. Keyword hits first, then the others; the floor applied.
 */
async function scoredCandidates(
  lexical: LexicalSnapshot,
  scoring: ResolvedQuery['scoring'],
  lexicalHits: readonly { key: number; score: number }[],
  semanticHits: readonly { key: number; score: number }[],
  vectors: VectorSnapshot,
  vector: Float32Array,
  floor: number,
): Promise<FusionCandidate[]> {
  const keywordScores = new Map(lexicalHits.map((hit) => [hit.key, hit.score]));
  const cosines = new Map(semanticHits.map((hit) => [hit.key, hit.score]));
  const unscored = semanticHits.map((hit) => hit.key).filter((key) => !keywordScores.has(key));
  scoresResolved(lexical, scoring, unscored).forEach((score, i) =>
    keywordScores.set(unscored[i] as number, score),
  );
  const unread = lexicalHits.map((hit) => hit.key).filter((key) => !cosines.has(key));
  (await vectors.vectorsAsync(unread)).forEach((other, i) =>
    cosines.set(unread[i] as number, other ? dotProduct(other, vector) : 0),
  );
  return [...keywordScores].flatMap(([key, keywords]) => {
    const candidate = { key, lexical: keywords, semantic: cosines.get(key) as number };
    return aboveFloor(candidate.lexical, candidate.semantic, floor) ? [candidate] : [];
  });
}

/** Every term whose posting list a ranking of the query reads. */
function termsOf(resolved: ResolvedQuery): string[] {
  const { scoring, required, excluded, anyOf } = resolved;
  return [...scoring.map((entry) => entry.term), ...required, ...excluded, ...anyOf];
}

function passesPhrases(
  paper: Paper,
  phrases: readonly { words: readonly string[]; occur: string }[],
): boolean {
  if (phrases.length === 0) return true;
  const textTerms = analyze(`${paper.title} . ${paper.abstract}`);
  return phrases.every((phrase) => {
    const found = containsPhrase(textTerms, analyze(phrase.words.join(' ')));
    return phrase.occur === 'mustNot' ? !found : found;
  });
}
