/**
 * Top-k retrieval over a LexicalIndex. Pure OR queries run MaxScore: lists whose best possible contribution
 * cannot lift a document into the current top k are only probed, never walked. Queries with required terms
 * or filters walk the shortest required list and probe the rest.
 */
import { authorTerm, categoryTerm, dayNumber, NO_DAY, type LexicalIndex } from './lexical-index.js';
import type { Query } from './query.js';
import { analyze } from './tokenize.js';

export interface LexicalHit {
  doc: number;
  score: number;
}

export interface LexicalOptions {
  k: number;
  /** Inclusive `YYYY-MM-DD` bounds. */
  from?: string | null;
  to?: string | null;
  /** Extra category filter (any of these), besides the query's own `category:`. */
  categories?: readonly string[];
  /** Today, for `since:` (`YYYY-MM-DD`). */
  today: string;
}

/** A cursor over one posting list; documents are visited in increasing order only. */
class Postings {
  position: number;
  readonly end: number;
  readonly scale: number;

  constructor(
    private readonly index: LexicalIndex,
    term: number,
    readonly weight: number,
  ) {
    this.position = index.offsets[term] as number;
    this.end = index.offsets[term + 1] as number;
    this.scale = ((index.maxImpacts[term] as number) * weight) / 0xffff;
  }

  get maxScore(): number {
    return this.scale * 0xffff;
  }

  get doc(): number {
    return this.position < this.end ? (this.index.docs[this.position] as number) : Infinity;
  }

  get score(): number {
    return (this.index.impacts[this.position] as number) * this.scale;
  }

  /** Moves to the first document at or after `target` (galloping, then binary search). */
  seek(target: number): number {
    const docs = this.index.docs;
    let low = this.position;
    if (low >= this.end || (docs[low] as number) >= target) return this.doc;
    let step = 1;
    let high = low + 1;
    while (high < this.end && (docs[high] as number) < target) {
      low = high;
      step *= 2;
      high = low + step;
    }
    high = Math.min(high, this.end);
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((docs[mid] as number) < target) low = mid + 1;
      else high = mid;
    }
    this.position = low;
    return this.doc;
  }
}

/** A bounded min-heap of the best hits so far. */
class TopK {
  private readonly hits: LexicalHit[] = [];
  constructor(private readonly k: number) {}

  get threshold(): number {
    return this.hits.length < this.k ? 0 : (this.hits[0] as LexicalHit).score;
  }

  offer(doc: number, score: number): void {
    if (this.hits.length < this.k) {
      this.hits.push({ doc, score });
      this.up(this.hits.length - 1);
    } else if (score > (this.hits[0] as LexicalHit).score) {
      this.hits[0] = { doc, score };
      this.down(0);
    }
  }

  sorted(): LexicalHit[] {
    return [...this.hits].sort((a, b) => b.score - a.score || a.doc - b.doc);
  }

  private up(i: number): void {
    const h = this.hits;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((h[parent] as LexicalHit).score <= (h[i] as LexicalHit).score) return;
      [h[parent], h[i]] = [h[i] as LexicalHit, h[parent] as LexicalHit];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.hits;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < h.length && (h[left] as LexicalHit).score < (h[smallest] as LexicalHit).score)
        smallest = left;
      if (right < h.length && (h[right] as LexicalHit).score < (h[smallest] as LexicalHit).score)
        smallest = right;
      if (smallest === i) return;
      [h[smallest], h[i]] = [h[i] as LexicalHit, h[smallest] as LexicalHit];
      i = smallest;
    }
  }
}

/** The query resolved against one index: weighted scoring terms, required and excluded lists, filters. */
export interface ResolvedQuery {
  scoring: Map<number, number>;
  required: number[][];
  excluded: number[];
  /** Any one of these (category filters); empty means no category filter. */
  anyOf: number[];
  fromDay: number;
  toDay: number;
  /** A required word or filter matches nothing in this index. */
  impossible: boolean;
}

export function resolveQuery(
  index: LexicalIndex,
  query: Query,
  options: Omit<LexicalOptions, 'k'>,
): ResolvedQuery {
  const scoring = new Map<number, number>();
  const required: number[][] = [];
  const excluded: number[] = [];
  let impossible = false;
  const lookup = (term: string) => index.terms.get(term);

  for (const clause of query.clauses) {
    const termIds = analyze(clause.words.join(' ')).map(lookup);
    if (clause.occur === 'mustNot') {
      // An excluded phrase is checked on the text by the caller; an excluded word is excluded here.
      if (clause.kind === 'word') for (const id of termIds) if (id !== undefined) excluded.push(id);
      continue;
    }
    for (const id of termIds) {
      if (id === undefined) {
        if (clause.occur === 'must') impossible = true;
        continue;
      }
      scoring.set(id, (scoring.get(id) ?? 0) + 1);
      if (clause.occur === 'must') required.push([id]);
    }
  }
  for (const author of query.authors) {
    for (const word of author.split(/\s+/).filter(Boolean)) {
      const id = lookup(authorTerm(word));
      if (id === undefined) impossible = true;
      else required.push([id]);
    }
  }
  const categories = [...query.categories, ...(options.categories ?? [])];
  const anyOf = categories.map((c) => lookup(categoryTerm(c))).filter((id): id is number => id !== undefined);
  if (categories.length > 0 && anyOf.length === 0) impossible = true;

  let fromDay = options.from ? dayNumber(options.from) : NO_DAY;
  if (query.sinceDays !== null) fromDay = Math.max(fromDay, dayNumber(options.today) - query.sinceDays + 1);
  const toDay = options.to ? dayNumber(options.to) : 2147483647;
  return { scoring, required, excluded, anyOf, fromDay, toDay, impossible };
}

export function lexicalSearch(index: LexicalIndex, query: Query, options: LexicalOptions): LexicalHit[] {
  const resolved = resolveQuery(index, query, options);
  if (resolved.impossible || resolved.scoring.size === 0) return [];
  const scoring = [...resolved.scoring].map(([term, weight]) => new Postings(index, term, weight));
  const excluded = resolved.excluded.map((term) => new Postings(index, term, 0));
  const categories = resolved.anyOf.map((term) => new Postings(index, term, 0));
  const required = resolved.required.map(([term]) => new Postings(index, term as number, 0));
  const datesFiltered = resolved.fromDay !== NO_DAY || resolved.toDay !== 2147483647;

  const passesFilters = (doc: number): boolean => {
    if (datesFiltered) {
      const day = index.days[doc] as number;
      if (day === NO_DAY || day < resolved.fromDay || day > resolved.toDay) return false;
    }
    for (const list of excluded) if (list.seek(doc) === doc) return false;
    if (categories.length > 0 && !categories.some((list) => list.seek(doc) === doc)) return false;
    return true;
  };

  // Lists in increasing order of their best contribution; bounds[i] = best possible from lists 0..i.
  scoring.sort((a, b) => a.maxScore - b.maxScore);
  const bounds: number[] = [];
  scoring.reduce((sum, list, i) => (bounds[i] = sum + list.maxScore), 0);
  const top = new TopK(options.k);

  if (required.length > 0) {
    required.sort((a, b) => a.end - a.position - (b.end - b.position));
    const [driver, ...others] = required as [Postings, ...Postings[]];
    for (let doc = driver.doc; doc !== Infinity; doc = driver.seek(doc + 1)) {
      if (!others.every((list) => list.seek(doc) === doc) || !passesFilters(doc)) continue;
      let score = 0;
      for (let i = scoring.length - 1; i >= 0; i--) {
        if (score + (bounds[i] as number) <= top.threshold) break;
        const list = scoring[i] as Postings;
        if (list.seek(doc) === doc) score += list.score;
      }
      if (score > top.threshold) top.offer(doc, score);
    }
    return top.sorted();
  }

  // MaxScore: lists from `essential` up must be walked; those below it can only complete a score.
  let essential = 0;
  for (;;) {
    while (essential < scoring.length && (bounds[essential] as number) <= top.threshold) essential++;
    if (essential >= scoring.length) break;
    let doc = Infinity;
    for (let i = essential; i < scoring.length; i++) doc = Math.min(doc, (scoring[i] as Postings).doc);
    if (doc === Infinity) break;

    let score = 0;
    for (let i = essential; i < scoring.length; i++) {
      const list = scoring[i] as Postings;
      if (list.doc === doc) {
        score += list.score;
        list.position++;
      }
    }
    for (let i = essential - 1; i >= 0; i--) {
      if (score + (bounds[i] as number) <= top.threshold) break;
      const list = scoring[i] as Postings;
      if (list.seek(doc) === doc) score += list.score;
    }
    if (score > top.threshold && passesFilters(doc)) top.offer(doc, score);
  }
  return top.sorted();
}

/** Exact scores of given documents for a query's scoring terms (for fusing with another ranking). */
export function lexicalScores(
  index: LexicalIndex,
  query: Query,
  docs: readonly number[],
  today: string,
): Float64Array {
  const { scoring } = resolveQuery(index, query, { today });
  const scores = new Float64Array(docs.length);
  const order = docs.map((doc, i) => [doc, i] as const).sort((a, b) => a[0] - b[0]);
  for (const [term, weight] of scoring) {
    const list = new Postings(index, term, weight);
    for (const [doc, i] of order) if (list.seek(doc) === doc) scores[i]! += list.score;
  }
  return scores;
}

/** Queries of filters alone (`category:cs.CL since:7d`): the newest matching documents first. */
export function browse(
  index: LexicalIndex,
  accept: ((doc: number) => boolean) | null,
  k: number,
): LexicalHit[] {
  const hits: LexicalHit[] = [];
  for (let doc = 0; doc < index.docIds.length; doc++) {
    if (!accept || accept(doc)) hits.push({ doc, score: 0 });
  }
  const day = (doc: number) => index.days[doc] as number;
  const id = (doc: number) => index.docIds[doc] as string;
  return hits
    .sort((a, b) => day(b.doc) - day(a.doc) || (id(a.doc) < id(b.doc) ? 1 : id(a.doc) > id(b.doc) ? -1 : 0))
    .slice(0, k);
}
