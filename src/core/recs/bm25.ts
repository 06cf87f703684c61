/**
 * BM25 over a sample of papers (the candidates being ranked and the reader's own), with a whole library as
 * the query: each word weighs by how often the reader's papers use it. On bench:recs this finds a reader's
 * next paper better than the tf-idf centroid arxiv-sanity-style ranking uses, because BM25 saturates a
 * word repeated in one paper and normalises for length.
 */
import { analyze } from '../search/tokenize.js';

/** A paper's words, counted. */
export interface TermCounts {
  counts: ReadonlyMap<string, number>;
  length: number;
}

/** Word → weight: the library's summed counts, less its 👎 ones. */
export type TermQuery = ReadonlyMap<string, number>;

const K1 = 1.2;
const B = 0.75;

export function countTerms(text: string): TermCounts {
  const counts = new Map<string, number>();
  let length = 0;
  for (const term of analyze(text)) {
    counts.set(term, (counts.get(term) ?? 0) + 1);
    length++;
  }
  return { counts, length };
}

export class Bm25Space {
  private readonly documentFrequency = new Map<string, number>();
  private readonly documents: number;
  private readonly averageLength: number;

  constructor(sample: Iterable<TermCounts>) {
    let documents = 0;
    let totalLength = 0;
    for (const doc of sample) {
      documents++;
      totalLength += doc.length;
      for (const term of doc.counts.keys())
        this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    }
    this.documents = documents;
    this.averageLength = documents > 0 ? totalLength / documents : 1;
  }

  private idf(term: string): number {
    const df = this.documentFrequency.get(term) ?? 0;
    return Math.log(1 + (this.documents - df + 0.5) / (df + 0.5));
  }

  score(query: TermQuery, doc: TermCounts): number {
    const norm = K1 * (1 - B + (B * doc.length) / this.averageLength);
    let sum = 0;
    // Walk the shorter side: a library's query can hold thousands of words, a paper a hundred or so.
    if (query.size <= doc.counts.size) {
      for (const [term, weight] of query) {
        const count = doc.counts.get(term);
        if (count) sum += (weight * this.idf(term) * count * (K1 + 1)) / (count + norm);
      }
    } else {
      for (const [term, count] of doc.counts) {
        const weight = query.get(term);
        if (weight) sum += (weight * this.idf(term) * count * (K1 + 1)) / (count + norm);
      }
    }
    return sum;
  }
}
