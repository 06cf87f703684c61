/**
 * Spelling correction from the index's own vocabulary: a query word whose term no live paper holds is
 * replaced by the likeliest word near it whose term papers do hold, weighted by how many do.
 */
import type { Query } from './query.js';
import { termLowerBound } from './segment.js';
import type { LexicalSnapshot } from './snapshot.js';
import { foldWord, termOf, words } from './tokenize.js';

/** Words of fewer letters are too ambiguous to correct. */
const MIN_LENGTH = 4;

export interface SpellingCorrection {
  /** The query as typed. */
  readonly original: string;
  /** The query with its unknown words corrected. */
  readonly corrected: string;
}

/** The query with every correctable unknown word corrected, or null when there is nothing to correct. */
export function correctQuery(
  snapshot: LexicalSnapshot,
  text: string,
  query: Query,
): SpellingCorrection | null {
  let corrected = text;
  for (const clause of query.clauses) {
    if (clause.kind !== 'word' || clause.occur === 'mustNot') continue;
    for (const [word] of words(clause.words[0] as string)) {
      const replacement = correctWord(snapshot, word);
      if (replacement === null) continue;
      corrected = corrected.replace(
        new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'u'),
        replacement,
      );
    }
  }
  return corrected === text ? null : { original: text, corrected };
}

/** Written in capitals: a name or an acronym (DEEPMED, SUMO), which is meant as typed. */
const isAcronym = (word: string) => /^\p{Lu}{2,}$/u.test(word);

/** The word as it was probably meant, or null when it is known, too short, an acronym, or nothing is near. */
export function correctWord(snapshot: LexicalSnapshot, word: string): string | null {
  const term = termOf(word);
  const folded = foldWord(word);
  if (term === null || folded.length < MIN_LENGTH || !/^\p{L}+$/u.test(folded) || isAcronym(word))
    return null;
  if (snapshot.df(term) > 0) return null;
  return nearbyWord(snapshot, folded) ?? nearbyTerm(snapshot, folded, term);
}

/**
 * One edit away from the word as typed (Norvig's corrector over the index's terms), each variant scored by
 * how many papers hold its term (log) and how common its kind of slip is: a letter left out or two swapped
 * more than one struck for another. Edits of the word, not of its stem, so that "segmentaton" finds
 * "segmentation" although their stems ("segmentaton", "segment") are far apart, and the suggestion is a
 * real word.
 */
function nearbyWord(snapshot: LexicalSnapshot, word: string): string | null {
  const dfOf = new Map<string, number>();
  let best: { word: string; score: number } | null = null;
  for (const [variant, likelihood] of oneEditAway(word)) {
    const term = termOf(variant);
    if (term === null) continue;
    let df = dfOf.get(term);
    if (df === undefined) dfOf.set(term, (df = snapshot.df(term)));
    if (df < 2) continue;
    const score = Math.log(df) + likelihood;
    if (!best || score > best.score) best = { word: variant, score };
  }
  return best?.word ?? null;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
/** Log-odds bonus of each kind of slip (typing-error studies: omissions and transpositions lead). */
const SLIP = { transposed: 2, omitted: 2, extra: 1, struck: 0 } as const;

/** Every word one edit away, with the likelihood bonus of that edit. */
function* oneEditAway(word: string): Generator<[string, number]> {
  for (let i = 0; i + 1 < word.length; i++)
    yield [
      word.slice(0, i) + (word[i + 1] as string) + (word[i] as string) + word.slice(i + 2),
      SLIP.transposed,
    ];
  for (let i = 0; i <= word.length; i++)
    for (const letter of LETTERS) yield [word.slice(0, i) + letter + word.slice(i), SLIP.omitted];
  for (let i = 0; i < word.length; i++) yield [word.slice(0, i) + word.slice(i + 1), SLIP.extra];
  for (let i = 0; i < word.length; i++)
    for (const letter of LETTERS)
      if (letter !== word[i]) yield [word.slice(0, i) + letter + word.slice(i + 1), SLIP.struck];
}

/**
 * Further away: the index's terms within two edits of the word's stem (one for short stems), starting with
 * its first two letters or those swapped, found by binary search in each segment's sorted dictionary; the
 * nearest, then the most frequent. Shown as the word typed with its stem replaced when that reads back to
 * the same term, else as the term.
 */
function nearbyTerm(snapshot: LexicalSnapshot, word: string, term: string): string | null {
  if (term.length < MIN_LENGTH) return null;
  const maxDistance = term.length >= 8 ? 2 : 1;
  const prefixes = new Set([term.slice(0, 2), `${term[1] as string}${term[0] as string}`]);
  const candidates = new Map<string, number>();
  for (const segment of snapshot.segments)
    for (const prefix of prefixes)
      for (
        let ordinal = termLowerBound(segment.termCount, (t) => segment.term(t), prefix);
        ordinal < segment.termCount;
        ordinal++
      ) {
        const candidate = segment.term(ordinal);
        if (!candidate.startsWith(prefix)) break;
        if (candidates.has(candidate) || Math.abs(candidate.length - term.length) > maxDistance) continue;
        const distance = editDistance(term, candidate, maxDistance);
        if (distance <= maxDistance) candidates.set(candidate, distance);
      }
  let best: { term: string; distance: number; df: number } | null = null;
  for (const [candidate, distance] of candidates) {
    const df = snapshot.df(candidate);
    if (df < 2) continue;
    if (!best || distance < best.distance || (distance === best.distance && df > best.df))
      best = { term: candidate, distance, df };
  }
  if (!best) return null;
  const guess = word.startsWith(term) ? best.term + word.slice(term.length) : best.term;
  return termOf(guess) === best.term ? guess : best.term;
}

/**
 * Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), or more than `limit`
 * as soon as every alignment has passed it.
 */
export function editDistance(a: string, b: string, limit: number): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = new Array<number>(b.length + 1);
    current[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        value = Math.min(value, (before[j - 2] as number) + 1);
      current[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    before = previous;
    previous = current;
  }
  return previous[b.length] as number;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
