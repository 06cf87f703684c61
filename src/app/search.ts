/**
 * The search use cases: keyword, semantic and hybrid search, and similar papers. Derived indexes (lexical,
 * vectors) are loaded from their files, or rebuilt from the store when it has changed since they were built.
 */
import { randomUUID } from 'node:crypto';
import { OpenPapersError } from '../core/errors.js';
import { titlePaperId } from '../core/ids.js';
import type { Paper } from '../core/paper.js';
import { makeDocFilter } from '../core/search/doc-filter.js';
import { fuse } from '../core/search/fusion.js';
import { buildLexicalIndex, type IndexableDoc, type LexicalIndex } from '../core/search/lexical-index.js';
import { browse, lexicalScores, lexicalSearch, resolveQuery } from '../core/search/lexical-search.js';
import { parseQuery, plainQuery, queryText, QuerySyntaxError, type Query } from '../core/search/query.js';
import { containsPhrase, highlight, makeSnippet, type Snippet } from '../core/search/snippet.js';
import { analyze } from '../core/search/tokenize.js';
import { dot } from '../core/search/vectors.js';
import { paperDay } from '../core/paper.js';
import type { Embedder, PaperStore, SearchIndexFiles, VectorIndex } from './ports.js';

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
  /** Why semantic search was not used, when it was asked for. */
  notice: string | null;
}

export interface SearchDependencies {
  store: PaperStore;
  files: SearchIndexFiles;
  /** Loads the embedder on first use; throws OP_ERR_SEMANTIC when no model can be loaded. */
  embedder: () => Promise<Embedder>;
  today: () => string;
  onIndexing?: (what: string, done: number, total: number) => void;
}

/** How many candidates each side contributes to hybrid fusion (at least; deeper pages take more). */
const FUSION_DEPTH = 50;

export class SearchService {
  private lexical: { index: LexicalIndex; revision: number } | null = null;
  private vectors: { key: string; index: VectorIndex; revision: number; lexical: LexicalIndex } | null = null;
  private docNumbers: Map<string, number> | null = null;

  constructor(private readonly deps: SearchDependencies) {}

  /** The lexical index for the store as it is now: loaded, or rebuilt if the store has changed. */
  async lexicalIndex(): Promise<LexicalIndex> {
    const revision = await this.deps.store.revision();
    if (this.lexical?.revision !== revision) {
      const saved = await this.deps.files.loadLexical();
      this.lexical =
        saved?.revision === revision
          ? saved
          : {
              index: await this.rebuildLexical(revision, this.lexical?.index ?? saved?.index ?? null),
              revision,
            };
      this.docNumbers = null;
    }
    return this.lexical.index;
  }

  /**
   * Every paper keeps the number it had in the previous index and new ones come after, so that vector
   * indexes keyed by document number are updated in place instead of rebuilt.
   */
  private async rebuildLexical(revision: number, previous: LexicalIndex | null): Promise<LexicalIndex> {
    const total = (await this.deps.store.stats()).papers;
    let docs: IndexableDoc[] = [];
    for await (const paper of this.deps.store.exportPapers()) {
      docs.push({
        id: paper.id,
        title: paper.title,
        abstract: paper.abstract,
        authors: paper.authors,
        categories: paper.categories,
        day: paperDay(paper),
      });
      if (docs.length % 5000 === 0) this.deps.onIndexing?.('reading papers', docs.length, total);
    }
    let numbering: string = randomUUID();
    if (previous) {
      const before = new Map(previous.docIds.map((id, doc) => [id, doc]));
      const kept = docs.filter((doc) => before.has(doc.id));
      if (kept.length === previous.docIds.length) {
        kept.sort((a, b) => (before.get(a.id) as number) - (before.get(b.id) as number));
        docs = kept.concat(docs.filter((doc) => !before.has(doc.id)));
        numbering = previous.numbering;
      }
    }
    const index = buildLexicalIndex(docs, {
      numbering,
      onProgress: (done) => {
        if (done % 5000 === 0) this.deps.onIndexing?.('indexing', done, total);
      },
    });
    await this.deps.files.saveLexical(index, revision);
    this.deps.onIndexing?.('indexing', total, total);
    return index;
  }

  /** The embedder and vector index, or the reason semantic search cannot run. */
  private async semantic(
    index: LexicalIndex,
  ): Promise<{ embedder: Embedder; vectors: VectorIndex } | string> {
    let embedder: Embedder;
    try {
      embedder = await this.deps.embedder();
    } catch (error) {
      if (error instanceof OpenPapersError) return error.message;
      throw error;
    }
    const { store } = this.deps;
    const revision = await store.embeddingsRevision(embedder.key);
    if (revision === 0) return `no papers are embedded with ${embedder.model} yet; run "openpapers embed"`;
    const current = this.vectors?.key === embedder.key ? this.vectors : null;
    if (current?.revision !== revision || current.lexical !== index) {
      const vectors = await this.deps.files.openVectors(
        embedder.key,
        index,
        { revision, changedSince: (since) => store.embeddingsChangedSince(embedder.key, since) },
        current?.index ?? null,
      );
      this.vectors = { key: embedder.key, index: vectors, revision, lexical: index };
    }
    return { embedder, vectors: (this.vectors as { index: VectorIndex }).index };
  }

  /** The vector index of the configured model, or null when semantic search is off. */
  async vectorIndex(): Promise<VectorIndex | null> {
    const side = await this.semantic(await this.lexicalIndex());
    return typeof side === 'string' ? null : side.vectors;
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
    const index = await this.lexicalIndex();
    const today = this.deps.today();
    const window = { from: request.from, to: request.to, categories: request.categories, today };
    const resolved = resolveQuery(index, query, window);
    const wanted = (request.offset ?? 0) + request.limit;
    const phrases = query.clauses.filter((c) => c.kind === 'phrase');
    const text = queryText(query);

    let semantic: { embedder: Embedder; vectors: VectorIndex } | null = null;
    let notice: string | null = null;
    if (request.mode !== 'lexical' && text.trim() !== '') {
      const side = await this.semantic(index);
      if (typeof side === 'string') {
        if (request.mode === 'semantic')
          throw new OpenPapersError('OP_ERR_SEMANTIC', `semantic search is off: ${side}`);
        notice = `semantic search is off: ${side}; showing keyword results`;
      } else semantic = side;
    }
    const mode: SearchMode = semantic ? request.mode : 'lexical';
    // The model runs on ONNX Runtime's threads while the lexical side ranks on this one.
    const queryVector = semantic ? semantic.embedder.embedQuery(text) : null;
    // Awaited below where it is used; a ranking that does not need it must not leave its failure unhandled.
    queryVector?.catch(() => undefined);
    const accept = makeDocFilter(index, resolved);

    // Phrases are checked on the text, so rank deeper until enough candidates pass (or there are no more).
    let depth = phrases.length > 0 ? wanted * 4 : wanted;
    for (;;) {
      const ranked = await this.rank(index, query, mode, depth, window, semantic, queryVector, accept);
      const papers = await this.deps.store.getPapers(ranked.map((hit) => index.docIds[hit.doc] as string));
      const kept = ranked.filter((hit) => {
        const paper = papers.get(index.docIds[hit.doc] as string);
        return paper !== undefined && passesPhrases(paper, phrases);
      });
      if (kept.length >= wanted || ranked.length < depth || depth >= 10_000) {
        const terms = new Set(analyze(text));
        const hits = kept.slice(request.offset ?? 0, wanted).map((hit) => {
          const paper = papers.get(index.docIds[hit.doc] as string) as Paper;
          return {
            paper,
            score: hit.score,
            title: highlight(paper.title, terms),
            snippet: makeSnippet(paper.abstract, terms),
          };
        });
        return { hits, mode, notice };
      }
      depth *= 4;
    }
  }

  private async rank(
    index: LexicalIndex,
    query: Query,
    mode: SearchMode,
    depth: number,
    window: { from?: string; to?: string; categories?: readonly string[]; today: string },
    semantic: { embedder: Embedder; vectors: VectorIndex } | null,
    queryVectorPromise: Promise<Float32Array> | null,
    accept: ((doc: number) => boolean) | null,
  ): Promise<{ doc: number; score: number }[]> {
    // A query of filters alone (`category:cs.CL since:7d`) lists what passes them, newest first; words that
    // no paper contains match nothing.
    if (queryText(query).trim() === '') return browse(index, accept, depth);
    if (resolveQuery(index, query, window).scoring.size === 0 && (!semantic || mode === 'lexical')) {
      return [];
    }
    if (!semantic || !queryVectorPromise) return lexicalSearch(index, query, { k: depth, ...window });
    if (mode === 'semantic') return semantic.vectors.search(await queryVectorPromise, depth, accept);

    const fusionDepth = Math.max(FUSION_DEPTH, depth);
    const lexicalDocs = lexicalSearch(index, query, { k: fusionDepth, ...window }).map((h) => h.doc);
    const queryVector = await queryVectorPromise;
    const docs = [
      ...new Set([
        ...lexicalDocs,
        ...semantic.vectors.search(queryVector, fusionDepth, accept).map((h) => h.doc),
      ]),
    ];
    const lexicalScore = lexicalScores(index, query, docs, window.today);
    const candidates = docs.map((doc, i) => {
      const vector = semantic.vectors.vector(doc);
      return {
        doc,
        lexical: lexicalScore[i] as number,
        semantic: vector ? dotVectors(vector, queryVector) : 0,
      };
    });
    return fuse(candidates, semantic.embedder.settings.hybridLexicalWeight).slice(0, depth);
  }

  /** Papers whose titles share the most words with this one (for matching imported references). */
  async papersWithTitleLike(title: string, limit = 10): Promise<Paper[]> {
    const { hits } = await this.search({ query: title, mode: 'lexical', limit, plain: true });
    return hits.map((hit) => hit.paper);
  }

  /** Papers most like this one: embedding neighbours, or lexical neighbours when it has no embedding. */
  async similar(
    paperId: string,
    limit: number,
  ): Promise<{ paper: Paper; hits: SearchHit[]; mode: SearchMode; notice: string | null }> {
    const paper = await this.deps.store.getPaper(paperId);
    if (!paper) throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${paperId}"`);
    const index = await this.lexicalIndex();
    this.docNumbers ??= new Map(index.docIds.map((id, doc) => [id, doc]));
    const self = this.docNumbers.get(paper.id) as number;
    const side = await this.semantic(index);
    const vector = typeof side === 'string' ? null : side.vectors.vector(self);
    const notice =
      typeof side === 'string' ? `semantic similarity is off: ${side}; showing keyword neighbours` : null;
    const depth = limit + 20;
    const ranked =
      vector && typeof side !== 'string'
        ? side.vectors.search(vector, depth, (doc) => doc !== self)
        : lexicalSearch(index, plainQuery(`${paper.title} ${paper.title} ${paper.abstract}`), {
            k: depth,
            today: this.deps.today(),
          });
    const papers = await this.deps.store.getPapers(ranked.map((hit) => index.docIds[hit.doc] as string));
    const selfTitle = titlePaperId(paper.title);
    const terms = new Set<string>();
    const hits = ranked
      .filter((hit) => hit.doc !== self && !(vector && hit.score > 0.995))
      .flatMap((hit) => {
        const other = papers.get(index.docIds[hit.doc] as string);
        // The same paper under another id (a seed page entry, another source) is not "similar", it is itself.
        return other && titlePaperId(other.title) !== selfTitle ? [{ paper: other, score: hit.score }] : [];
      })
      .slice(0, limit)
      .map((hit) => ({
        ...hit,
        title: highlight(hit.paper.title, terms),
        snippet: makeSnippet(hit.paper.abstract, terms),
      }));
    return { paper, hits, mode: vector ? 'semantic' : 'lexical', notice };
  }
}

function dotVectors(a: Float32Array, b: Float32Array): number {
  return dot({ dims: a.length, data: a, present: new Uint8Array(1) }, 0, b);
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
