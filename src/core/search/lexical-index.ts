/**
 * An in-memory inverted index with BM25F impact scores, built from papers and searched with MaxScore
 * top-k pruning, so that a query over a million papers touches only the postings that can change its top k.
 *
 * Each posting stores its document and its precomputed impact — the term's BM25F contribution, quantised to
 * 16 bits relative to the term's largest impact — so a query scores by adding impacts. Fields (title,
 * abstract, authors, category names) have their own weight and length normalisation (BM25F).
 * Filter terms (`\u0001cat:`, `\u0001au:`) share the dictionary and carry no score.
 */
import { categoryName } from '../taxonomy.js';
import { GrowableUint32 } from './growable.js';
import { analyze, foldWord } from './tokenize.js';

export const FIELDS = ['title', 'abstract', 'authors', 'categories'] as const;
export type Field = (typeof FIELDS)[number];

export interface LexicalParams {
  readonly k1: number;
  readonly fields: Readonly<Record<Field, { readonly weight: number; readonly b: number }>>;
}

/**
 * Tuned on the SciFact train split (docs/search.md): the surface is flat around these values (±0.001
 * nDCG@10), so they sit in its middle rather than at the best point of the grid.
 */
export const DEFAULT_LEXICAL_PARAMS: LexicalParams = Object.freeze({
  k1: 1.5,
  fields: Object.freeze({
    title: Object.freeze({ weight: 3, b: 0.75 }),
    abstract: Object.freeze({ weight: 1, b: 0.75 }),
    authors: Object.freeze({ weight: 1, b: 0.5 }),
    categories: Object.freeze({ weight: 0.2, b: 0.5 }),
  }),
});

export interface IndexableDoc {
  id: string;
  title: string;
  abstract: string;
  authors: readonly string[];
  categories: readonly string[];
  /** `YYYY-MM-DD`, for date filters. */
  day: string | null;
}

export interface LexicalIndex {
  readonly params: LexicalParams;
  /**
   * Names the document numbering. A rebuild that keeps every earlier document at its number (new ones
   * appended) keeps the name, so indexes keyed by document number (vectors) stay valid and grow in place.
   */
  readonly numbering: string;
  readonly docIds: readonly string[];
  /** Days since 1970-01-01 for each document; NO_DAY where unknown. */
  readonly days: Int32Array;
  readonly terms: ReadonlyMap<string, number>;
  /** Postings of term t are docs[offsets[t] .. offsets[t + 1]). */
  readonly offsets: Uint32Array;
  readonly docs: Uint32Array;
  readonly impacts: Uint16Array;
  readonly maxImpacts: Float32Array;
}

export const NO_DAY = -2147483648;
const FILTER = '\u0001';
export const categoryTerm = (category: string) => `${FILTER}cat:${category.toLowerCase()}`;
export const authorTerm = (word: string) => `${FILTER}au:${foldWord(word)}`;

export function dayNumber(day: string | null): number {
  if (!day) return NO_DAY;
  const time = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(time) ? NO_DAY : Math.floor(time / 86_400_000);
}

/** Words of each author name, for author filters (`author:hinton`). */
function authorWords(authors: readonly string[]): string[] {
  return authors.flatMap((name) => name.split(/[^\p{L}\p{N}'-]+/u)).filter((w) => w.length > 1);
}

function categoryText(categories: readonly string[]): string {
  return categories.map((code) => categoryName(code) ?? code).join(' ');
}

export interface BuildOptions {
  numbering: string;
  params?: LexicalParams;
  onProgress?: (docs: number) => void;
}

/** Builds an index from documents given in any order; document numbers follow that order. */
export function buildLexicalIndex(docs: Iterable<IndexableDoc>, options: BuildOptions): LexicalIndex {
  const { numbering, params = DEFAULT_LEXICAL_PARAMS, onProgress } = options;
  const terms = new Map<string, number>();
  const termOf = (term: string) => {
    let id = terms.get(term);
    if (id === undefined) {
      id = terms.size;
      terms.set(term, id);
    }
    return id;
  };
  // Pass 1: one (term, doc, packed field frequencies) triple per distinct term of each document.
  const postingTerms = new GrowableUint32(1 << 20);
  const postingDocs = new GrowableUint32(1 << 20);
  const postingTfs = new GrowableUint32(1 << 20);
  const lengths = FIELDS.map(() => new GrowableUint32(1 << 16));
  const docIds: string[] = [];
  const days = new GrowableUint32(1 << 16);

  for (const doc of docs) {
    const docNumber = docIds.length;
    docIds.push(doc.id);
    days.push(dayNumber(doc.day) >>> 0);
    const fieldTerms = [
      analyze(doc.title),
      analyze(doc.abstract),
      analyze(doc.authors.join(' ')),
      analyze(categoryText(doc.categories)),
    ];
    const packed = new Map<number, number>();
    fieldTerms.forEach((list, field) => {
      lengths[field]?.push(Math.min(list.length, 0xffff));
      for (const term of list) {
        const id = termOf(term);
        const current = packed.get(id) ?? 0;
        const tf = (current >>> (field * 8)) & 0xff;
        if (tf < 0xff) packed.set(id, current + (1 << (field * 8)));
      }
    });
    for (const category of doc.categories) packed.set(termOf(categoryTerm(category)), 0);
    for (const word of authorWords(doc.authors)) packed.set(termOf(authorTerm(word)), 0);
    for (const [id, tfs] of packed) {
      postingTerms.push(id);
      postingDocs.push(docNumber);
      postingTfs.push(tfs >>> 0);
    }
    if (onProgress && docNumber % 1000 === 999) onProgress(docNumber + 1);
  }

  // Pass 2: counting sort by term; documents stay ascending within each term.
  const termCount = terms.size;
  const offsets = new Uint32Array(termCount + 1);
  const termIds = postingTerms.view();
  for (let i = 0; i < termIds.length; i++) offsets[(termIds[i] as number) + 1]!++;
  for (let t = 0; t < termCount; t++) offsets[t + 1]! += offsets[t] as number;
  const cursor = offsets.slice(0, termCount);
  const sortedDocs = new Uint32Array(termIds.length);
  const sortedTfs = new Uint32Array(termIds.length);
  const docView = postingDocs.view();
  const tfView = postingTfs.view();
  for (let i = 0; i < termIds.length; i++) {
    const at = cursor[termIds[i] as number]!++;
    sortedDocs[at] = docView[i] as number;
    sortedTfs[at] = tfView[i] as number;
  }

  // Impacts: BM25F per posting, quantised per term.
  const docCount = docIds.length;
  const lengthViews = lengths.map((l) => l.view());
  const averages = lengthViews.map((view) =>
    Math.max(1, view.reduce((sum, n) => sum + n, 0) / Math.max(1, docCount)),
  );
  const fieldParams = FIELDS.map((f) => params.fields[f]);
  const impacts = new Uint16Array(termIds.length);
  const maxImpacts = new Float32Array(termCount);
  const scratch = new Float64Array(4096);
  const names = [...terms.keys()];
  for (let t = 0; t < termCount; t++) {
    const start = offsets[t] as number;
    const end = offsets[t + 1] as number;
    if ((names[t] as string).startsWith(FILTER)) continue;
    const df = end - start;
    const idf = Math.log(1 + (docCount - df + 0.5) / (df + 0.5));
    const values = df <= scratch.length ? scratch : new Float64Array(df);
    let max = 0;
    for (let p = start; p < end; p++) {
      const doc = sortedDocs[p] as number;
      const tfs = sortedTfs[p] as number;
      let pseudoTf = 0;
      for (let f = 0; f < 4; f++) {
        const tf = (tfs >>> (f * 8)) & 0xff;
        if (tf === 0) continue;
        const { weight, b } = fieldParams[f] as { weight: number; b: number };
        const norm = 1 - b + (b * (lengthViews[f]?.[doc] as number)) / (averages[f] as number);
        pseudoTf += (weight * tf) / norm;
      }
      const impact = (idf * pseudoTf * (params.k1 + 1)) / (pseudoTf + params.k1);
      values[p - start] = impact;
      if (impact > max) max = impact;
    }
    maxImpacts[t] = max;
    for (let p = start; p < end; p++) {
      impacts[p] = max > 0 ? Math.round(((values[p - start] as number) / max) * 0xffff) : 0;
    }
  }

  return {
    params,
    numbering,
    docIds,
    days: new Int32Array(days.view().buffer, 0, docCount).slice(),
    terms,
    offsets,
    docs: sortedDocs,
    impacts,
    maxImpacts,
  };
}
