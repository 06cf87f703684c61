/**
 * Text analysis for lexical search: LaTeX commands dropped, accents folded, lower-cased, split into words,
 * stop words removed, English words stemmed (Porter). The same analysis runs on documents and queries.
 */
import { stemmer } from 'stemmer';

// A common English stop-word list, plus words that carry no meaning in scientific abstracts.
const STOP_WORDS = new Set(
  `a about above after again against all am an and any are as at be because been before being below between
  both but by can could did do does doing down during each few for from further had has have having he her
  here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
  now of off on once only or other our ours ourselves out over own same she should so some such than that the
  their theirs them themselves then there these they this those through to too under until up very was we
  were what when where which while who whom why will with would you your yours yourself yourselves also via
  using use used based paper propose proposed show shows shown however thus e g eg ie et al`.split(/\s+/),
);

/** What a word is: a run of letters and digits. */
export const WORD_PATTERN = '[\\p{L}\\p{N}]+';
const WORD = new RegExp(WORD_PATTERN, 'gu');
const LATEX_COMMAND = /\\[a-zA-Z]+/g;
/** Each word as written → its term (null for a stop word): most words repeat, and the same string comes back. */
const termCache = new Map<string, string | null>();
const TERM_CACHE_SIZE = 1_000_000;

/** Lower-cased, accent-folded form of one word. */
export function foldWord(word: string): string {
  const lower = word.toLowerCase();
  // Plain ASCII needs no Unicode folding; most words are.
  return /^[ -~]*$/.test(lower) ? lower : lower.normalize('NFKD').replace(/\p{M}/gu, '');
}

/** The index term for one word, or null for a stop word. */
export function termOf(word: string): string | null {
  const cached = termCache.get(word);
  if (cached !== undefined) return cached;
  const folded = foldWord(word);
  const term = STOP_WORDS.has(folded) ? null : /^\p{L}+$/u.test(folded) ? stemmer(folded) : folded;
  if (termCache.size < TERM_CACHE_SIZE) termCache.set(word, term);
  return term;
}

/** The words of a text, as written, in order (what analyze() turns into terms). */
export function words(text: string): IterableIterator<RegExpMatchArray> {
  return text.replace(LATEX_COMMAND, ' ').matchAll(WORD);
}

export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.replace(LATEX_COMMAND, ' ').matchAll(WORD)) {
    const term = termOf(match[0]);
    if (term !== null) terms.push(term);
  }
  return terms;
}
