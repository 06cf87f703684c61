/**
 * A paper as a lexical query: its most distinctive terms (by tf·idf over the live index), each weighted by
 * how distinctive it is. Ranked with BM25F, this finds the papers that share what a paper is about rather
 * than its common words, the way Lucene's MoreLikeThis does.
 */
import { idf as bm25Idf } from './bm25.js';
import type { ResolvedQuery } from './lexical-search.js';
import { NO_DAY } from './segment.js';
import type { LexicalSnapshot } from './snapshot.js';
import { analyze } from './tokenize.js';

export interface MoreLikeThisOptions {
  /** How many terms the query keeps. */
  readonly maxTerms: number;
  /** Title words count this many times, as the index weighs the title field. */
  readonly titleWeight: number;
}

export const MORE_LIKE_THIS: MoreLikeThisOptions = Object.freeze({ maxTerms: 30, titleWeight: 3 });

export function moreLikeThis(
  snapshot: LexicalSnapshot,
  paper: { title: string; abstract: string },
  options: MoreLikeThisOptions = MORE_LIKE_THIS,
): ResolvedQuery {
  const counts = new Map<string, number>();
  for (const term of analyze(paper.title)) counts.set(term, (counts.get(term) ?? 0) + options.titleWeight);
  for (const term of analyze(paper.abstract)) counts.set(term, (counts.get(term) ?? 0) + 1);
  const docs = snapshot.docCount;
  const candidates: { term: string; idf: number; weight: number }[] = [];
  for (const [term, count] of counts) {
    const df = snapshot.df(term);
    // A term no other paper holds cannot find a neighbour.
    if (df < 2) continue;
    const idf = bm25Idf(df, docs);
    candidates.push({ term, idf, weight: (1 + Math.log(count)) * idf });
  }
  candidates.sort((a, b) => b.weight - a.weight || (a.term < b.term ? -1 : 1));
  const kept = candidates.slice(0, options.maxTerms);
  const top = kept[0]?.weight ?? 1;
  return {
    // The weight scales the idf, which keeps each contribution an integer (bm25.ts).
    scoring: kept.map(({ term, idf, weight }) => ({ term, idf: idf * (weight / top), count: 1 })),
    required: [],
    excluded: [],
    anyOf: [],
    fromDay: NO_DAY,
    toDay: 2147483647,
    impossible: false,
  };
}
