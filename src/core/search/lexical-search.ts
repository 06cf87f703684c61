/**
 * Top-k retrieval over a snapshot of the segmented index. Pure OR queries run MaxScore in each segment:
 * lists whose best possible contribution cannot lift a document into the current top k are only probed,
 * never walked. Queries with required terms walk the shortest required list and probe the rest. The top k
 * is shared by all segments, so later segments are pruned by what earlier ones found.
 *
 * Scores are integers (bm25.SCORE_SCALE) until they leave this module; ties go to the smaller key, so the
 * ranking of a set of papers is the same whatever its segmentation.
 */
import { idf, pseudoTf, SCORE_SCALE } from './bm25.js';
import type { DecodedPostings } from './postings-codec.js';
import type { Query } from './query.js';
import { authorTerm, categoryTerm, dayNumber, NO_DAY, type Segment } from './segment.js';
import type { LexicalSnapshot } from './snapshot.js';
import { analyze } from './tokenize.js';

export interface LexicalHit {
  key: number;
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

/** The query against one snapshot: weighted scoring terms, required and excluded terms, filters. */
export interface ResolvedQuery {
  /** Terms that some live document holds, each with idf × how often the query names it. */
  scoring: { term: string; weight: number }[];
  required: string[];
  excluded: string[];
  /** Any one of these (category filters); empty means no category filter. */
  anyOf: string[];
  fromDay: number;
  toDay: number;
  /** A required word or filter matches nothing in this snapshot. */
  impossible: boolean;
}

export function resolveQuery(
  snapshot: LexicalSnapshot,
  query: Query,
  options: Omit<LexicalOptions, 'k'>,
): ResolvedQuery {
  const counts = new Map<string, number>();
  const required: string[] = [];
  const excluded: string[] = [];
  let impossible = false;
  const known = new Map<string, number>();
  const df = (term: string) => {
    let value = known.get(term);
    if (value === undefined) known.set(term, (value = snapshot.df(term)));
    return value;
  };

  for (const clause of query.clauses) {
    const terms = analyze(clause.words.join(' '));
    if (clause.occur === 'mustNot') {
      // An excluded phrase is checked on the text by the caller; an excluded word is excluded here.
      if (clause.kind === 'word') excluded.push(...terms.filter((term) => df(term) > 0));
      continue;
    }
    for (const term of terms) {
      if (df(term) === 0) {
        if (clause.occur === 'must') impossible = true;
        continue;
      }
      counts.set(term, (counts.get(term) ?? 0) + 1);
      if (clause.occur === 'must') required.push(term);
    }
  }
  for (const author of query.authors) {
    for (const word of author.split(/\s+/).filter(Boolean)) {
      const term = authorTerm(word);
      if (df(term) === 0) impossible = true;
      else required.push(term);
    }
  }
  const categories = [...query.categories, ...(options.categories ?? [])].map(categoryTerm);
  const anyOf = categories.filter((term) => df(term) > 0);
  if (categories.length > 0 && anyOf.length === 0) impossible = true;

  let fromDay = options.from ? dayNumber(options.from) : NO_DAY;
  if (query.sinceDays !== null) fromDay = Math.max(fromDay, dayNumber(options.today) - query.sinceDays + 1);
  const toDay = options.to ? dayNumber(options.to) : 2147483647;
  const docs = snapshot.docCount;
  const scoring = [...counts].map(([term, count]) => ({ term, weight: idf(df(term), docs) * count }));
  return { scoring, required, excluded, anyOf, fromDay, toDay, impossible };
}

/** A cursor over one posting list; documents are visited in increasing order only. */
class Cursor {
  position = 0;
  readonly end: number;
  readonly docs: Uint32Array;
  readonly codes: Uint16Array;

  constructor(
    postings: DecodedPostings,
    readonly weight: number,
    readonly bound: number,
  ) {
    this.docs = postings.docs;
    this.codes = postings.codes;
    this.end = postings.docs.length;
  }

  get doc(): number {
    return this.position < this.end ? (this.docs[this.position] as number) : Infinity;
  }

  /** Moves to the first document at or after `target` (galloping, then binary search). */
  seek(target: number): number {
    const docs = this.docs;
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

/** A bounded heap of the best hits so far: higher score first, then the smaller key. */
export class TopK {
  private readonly hits: LexicalHit[] = [];
  constructor(private readonly k: number) {}

  get full(): boolean {
    return this.hits.length >= this.k;
  }

  /** The score a document must reach (a tie is decided by key); -1 while there is room. */
  get threshold(): number {
    return this.full ? (this.hits[0] as LexicalHit).score : -1;
  }

  offer(key: number, score: number): void {
    if (this.k <= 0) return;
    if (this.hits.length < this.k) {
      this.hits.push({ key, score });
      this.up(this.hits.length - 1);
    } else if (worse(this.hits[0] as LexicalHit, key, score)) {
      this.hits[0] = { key, score };
      this.down(0);
    }
  }

  sorted(): LexicalHit[] {
    return [...this.hits].sort((a, b) => b.score - a.score || a.key - b.key);
  }

  private up(i: number): void {
    const h = this.hits;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = h[parent] as LexicalHit;
      if (!worse(h[i] as LexicalHit, p.key, p.score)) return;
      [h[parent], h[i]] = [h[i] as LexicalHit, p];
      i = parent;
    }
  }

  private down(i: number): void {
    const h = this.hits;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let worst = i;
      for (const child of [left, right]) {
        const c = h[child];
        if (c && worse(c, (h[worst] as LexicalHit).key, (h[worst] as LexicalHit).score)) worst = child;
      }
      if (worst === i) return;
      [h[worst], h[i]] = [h[i] as LexicalHit, h[worst] as LexicalHit];
      i = worst;
    }
  }
}

/** Whether `hit` ranks below a document with this key and score. */
function worse(hit: LexicalHit, key: number, score: number): boolean {
  return hit.score < score || (hit.score === score && hit.key > key);
}

/** Lists of one segment for a resolved query; null when the segment cannot match. */
function segmentLists(snapshot: LexicalSnapshot, position: number, resolved: ResolvedQuery) {
  const segment = snapshot.segments[position] as Segment;
  const scoring: Cursor[] = [];
  for (const { term, weight } of resolved.scoring) {
    const ordinal = segment.ordinal(term);
    if (ordinal < 0) continue;
    const bound = snapshot.scorer.bound(segment.maxPseudo(ordinal), segment.buildAverages, weight);
    scoring.push(new Cursor(segment.postings(ordinal), weight, bound));
  }
  const required: Cursor[] = [];
  for (const term of resolved.required) {
    const ordinal = segment.ordinal(term);
    if (ordinal < 0) return null;
    required.push(new Cursor(segment.postings(ordinal), 0, 0));
  }
  const lists = (terms: readonly string[]) =>
    terms.flatMap((term) => {
      const ordinal = segment.ordinal(term);
      return ordinal < 0 ? [] : [new Cursor(segment.postings(ordinal), 0, 0)];
    });
  const excluded = lists(resolved.excluded);
  const categories = lists(resolved.anyOf);
  if (resolved.anyOf.length > 0 && categories.length === 0) return null;
  return { segment, scoring, required, excluded, categories };
}

export function lexicalSearch(
  snapshot: LexicalSnapshot,
  query: Query,
  options: LexicalOptions,
): LexicalHit[] {
  const resolved = resolveQuery(snapshot, query, options);
  if (resolved.impossible || resolved.scoring.length === 0) return [];
  const top = new TopK(options.k);
  for (let position = 0; position < snapshot.segments.length; position++) {
    searchSegment(snapshot, position, resolved, top);
  }
  return top.sorted().map((hit) => ({ key: hit.key, score: hit.score / SCORE_SCALE }));
}

function searchSegment(
  snapshot: LexicalSnapshot,
  position: number,
  resolved: ResolvedQuery,
  top: TopK,
): void {
  const lists = segmentLists(snapshot, position, resolved);
  if (!lists || lists.scoring.length === 0) return;
  const { segment, scoring, required, excluded, categories } = lists;
  const { keys, days, norms, tfTable } = segment;
  const { factors } = snapshot.scorer;
  const scorer = snapshot.scorer;
  const datesFiltered = resolved.fromDay !== NO_DAY || resolved.toDay !== 2147483647;
  const contribution = (list: Cursor, doc: number) =>
    scorer.contribution(
      pseudoTf(factors, tfTable[list.codes[list.position] as number] as number, norms, doc),
      list.weight,
    );

  const passesFilters = (doc: number): boolean => {
    if (datesFiltered) {
      const day = days[doc] as number;
      if (day === NO_DAY || day < resolved.fromDay || day > resolved.toDay) return false;
    }
    for (const list of excluded) if (list.seek(doc) === doc) return false;
    if (categories.length > 0 && !categories.some((list) => list.seek(doc) === doc)) return false;
    return snapshot.isLive(position, doc);
  };
  const offer = (doc: number, score: number) => {
    if (score > 0 && score >= top.threshold && passesFilters(doc)) top.offer(keys[doc] as number, score);
  };

  // Lists in increasing order of their best contribution; bounds[i] = best possible from lists 0..i.
  scoring.sort((a, b) => a.bound - b.bound);
  const bounds: number[] = [];
  scoring.reduce((sum, list, i) => (bounds[i] = sum + list.bound), 0);

  if (required.length > 0) {
    required.sort((a, b) => a.end - b.end);
    const [driver, ...others] = required as [Cursor, ...Cursor[]];
    for (let doc = driver.doc; doc !== Infinity; doc = driver.seek(doc + 1)) {
      if (!others.every((list) => list.seek(doc) === doc)) continue;
      let score = 0;
      for (let i = scoring.length - 1; i >= 0; i--) {
        if (score + (bounds[i] as number) < top.threshold) break;
        const list = scoring[i] as Cursor;
        if (list.seek(doc) === doc) score += contribution(list, doc);
      }
      offer(doc, score);
    }
    return;
  }

  // MaxScore: lists from `essential` up must be walked; those below it can only complete a score.
  let essential = 0;
  for (;;) {
    while (essential < scoring.length && (bounds[essential] as number) < top.threshold) essential++;
    if (essential >= scoring.length) break;
    let doc = Infinity;
    for (let i = essential; i < scoring.length; i++) doc = Math.min(doc, (scoring[i] as Cursor).doc);
    if (doc === Infinity) break;

    let score = 0;
    for (let i = essential; i < scoring.length; i++) {
      const list = scoring[i] as Cursor;
      if (list.doc === doc) {
        score += contribution(list, doc);
        list.position++;
      }
    }
    for (let i = essential - 1; i >= 0; i--) {
      if (score + (bounds[i] as number) < top.threshold) break;
      const list = scoring[i] as Cursor;
      if (list.seek(doc) === doc) score += contribution(list, doc);
    }
    offer(doc, score);
  }
}

/** Exact scores of given papers (by key) for a query's scoring terms, for fusing with another ranking. */
export function lexicalScores(
  snapshot: LexicalSnapshot,
  query: Query,
  keys: readonly number[],
  today: string,
): Float64Array {
  const { scoring } = resolveQuery(snapshot, query, { today });
  const scores = new Float64Array(keys.length);
  const { factors } = snapshot.scorer;
  const bySegment = new Map<number, { doc: number; i: number }[]>();
  keys.forEach((key, i) => {
    const position = snapshot.positionOf(key);
    if (position < 0) return;
    const list = bySegment.get(position) ?? [];
    list.push({ doc: snapshot.docOf(key), i });
    bySegment.set(position, list);
  });
  for (const [position, docs] of bySegment) {
    const segment = snapshot.segments[position] as Segment;
    docs.sort((a, b) => a.doc - b.doc);
    for (const { term, weight } of scoring) {
      const ordinal = segment.ordinal(term);
      if (ordinal < 0) continue;
      const list = new Cursor(segment.postings(ordinal), weight, 0);
      for (const { doc, i } of docs) {
        if (list.seek(doc) !== doc) continue;
        const tf = segment.tfTable[list.codes[list.position] as number] as number;
        scores[i]! += snapshot.scorer.contribution(pseudoTf(factors, tf, segment.norms, doc), weight);
      }
    }
  }
  return scores.map((score) => score / SCORE_SCALE);
}

/** Queries of filters alone (`category:cs.CL since:7d`): the newest matching papers first. */
export function browse(
  snapshot: LexicalSnapshot,
  accept: ((key: number) => boolean) | null,
  k: number,
): LexicalHit[] {
  const hits: { key: number; day: number; id: string; position: number; doc: number }[] = [];
  snapshot.segments.forEach((segment, position) => {
    for (let doc = 0; doc < segment.docCount; doc++) {
      const key = segment.keys[doc] as number;
      if (!snapshot.isLive(position, doc) || (accept && !accept(key))) continue;
      hits.push({ key, day: segment.days[doc] as number, id: '', position, doc });
    }
  });
  hits.sort((a, b) => b.day - a.day || a.key - b.key);
  // Within a day, newest id first, as the daily lists order papers: ids are read for the papers kept.
  const cut = hits.length > k ? hits[k - 1]?.day : undefined;
  const kept = hits.filter((hit, i) => i < k || hit.day === cut);
  for (const hit of kept) hit.id = (snapshot.segments[hit.position] as Segment).paperId(hit.doc);
  kept.sort((a, b) => b.day - a.day || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  return kept.slice(0, k).map(({ key }) => ({ key, score: 0 }));
}

/**
 * The query's constraints as a predicate on keys, for rankings that do not come from the posting lists
 * (semantic neighbours): dates, categories, required and excluded words, authors.
 */
export function makeDocFilter(
  snapshot: LexicalSnapshot,
  resolved: ResolvedQuery,
): ((key: number) => boolean) | null {
  const dated = resolved.fromDay !== NO_DAY || resolved.toDay !== 2147483647;
  if (
    !dated &&
    resolved.required.length === 0 &&
    resolved.excluded.length === 0 &&
    resolved.anyOf.length === 0
  ) {
    return resolved.impossible ? () => false : null;
  }
  if (resolved.impossible) return () => false;
  const contains = (segment: Segment, term: string, doc: number): boolean => {
    const ordinal = segment.ordinal(term);
    if (ordinal < 0) return false;
    const { docs } = segment.postings(ordinal);
    let low = 0;
    let high = docs.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const value = docs[mid] as number;
      if (value === doc) return true;
      if (value < doc) low = mid + 1;
      else high = mid;
    }
    return false;
  };
  return (key) => {
    const position = snapshot.positionOf(key);
    if (position < 0) return false;
    const segment = snapshot.segments[position] as Segment;
    const doc = snapshot.docOf(key);
    if (dated) {
      const day = segment.days[doc] as number;
      if (day === NO_DAY || day < resolved.fromDay || day > resolved.toDay) return false;
    }
    if (!resolved.required.every((term) => contains(segment, term, doc))) return false;
    if (resolved.excluded.some((term) => contains(segment, term, doc))) return false;
    if (resolved.anyOf.length > 0 && !resolved.anyOf.some((term) => contains(segment, term, doc)))
      return false;
    return true;
  };
}
