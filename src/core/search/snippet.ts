/**
 * Snippets: the part of a text where the query's words are densest, cut at word boundaries, with the
 * places of the matched words so that each view highlights them its own way (bold on a terminal, <mark> in
 * HTML). Matching uses the same analysis as the index, so "models" highlights "model" and "modelling".
 */
import { foldWord, termOf, WORD_PATTERN } from './tokenize.js';

export interface Snippet {
  text: string;
  /** [start, end) offsets into `text`. */
  highlights: [number, number][];
}

interface Match {
  start: number;
  end: number;
  term: string;
}

/**
 * The words of a text whose terms are among `terms`. Stemming keeps a word's first letter, so only words
 * that begin as some term begins are analysed: most words of an abstract are skipped unstemmed.
 */
function matches(text: string, terms: ReadonlySet<string>): Match[] {
  const found: Match[] = [];
  if (terms.size === 0) return found;
  const initials = new Set([...terms].map((term) => term[0]));
  const word = new RegExp(WORD_PATTERN, 'gu');
  for (let match = word.exec(text); match !== null; match = word.exec(text)) {
    const code = text.charCodeAt(match.index);
    // ASCII letters fold by setting the lower-case bit; other initials go through the full folding.
    const initial =
      code < 128 ? String.fromCharCode(code >= 65 && code <= 90 ? code | 32 : code) : foldWord(match[0])[0];
    if (!initials.has(initial)) continue;
    const term = termOf(match[0]);
    if (term !== null && terms.has(term)) found.push({ start: match.index, end: word.lastIndex, term });
  }
  return found;
}

const WORD_CHARACTER = /[\p{L}\p{N}]/u;

/** Where the first word that starts at or after `from` starts, if before `limit`; else `limit`. */
function firstWordFrom(text: string, from: number, limit: number): number {
  // A word cut by `from` does not start there.
  while (from > 0 && from < limit && WORD_CHARACTER.test(text[from - 1] as string)) from++;
  const word = new RegExp(WORD_PATTERN, 'gu');
  word.lastIndex = from;
  const match = word.exec(text);
  return match && match.index < limit ? match.index : limit;
}

export function highlight(text: string, terms: ReadonlySet<string>): Snippet {
  return { text, highlights: matches(text, terms).map((m) => [m.start, m.end]) };
}

export function makeSnippet(text: string, terms: ReadonlySet<string>, maxChars = 300): Snippet {
  const found = matches(text, terms);
  let bestStart = 0;
  if (found.length > 0 && text.length > maxChars) {
    // The window (of maxChars) starting at a match that covers the most distinct terms, then the most matches.
    let best = -1;
    for (const { start } of found) {
      const inWindow = found.filter((m) => m.start >= start && m.start < start + maxChars - 20);
      const value = new Set(inWindow.map((m) => m.term)).size * 1000 + inWindow.length;
      if (value > best) {
        best = value;
        bestStart = start;
      }
    }
    // Start a little before the first match, at a word boundary, so it is read in context.
    bestStart = firstWordFrom(text, Math.max(0, bestStart - 60), bestStart);
  }
  let end = Math.min(text.length, bestStart + maxChars);
  if (end < text.length) {
    const lastSpace = text.lastIndexOf(' ', end);
    if (lastSpace > bestStart) end = lastSpace;
  }
  const prefix = bestStart > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const shift = prefix.length - bestStart;
  return {
    text: `${prefix}${text.slice(bestStart, end)}${suffix}`,
    highlights: found
      .filter((m) => m.start >= bestStart && m.end <= end)
      .map((m) => [m.start + shift, m.end + shift]),
  };
}

/** Whether the words of a phrase occur in this order, next to each other (stop words aside), in the text. */
export function containsPhrase(textTerms: readonly string[], phraseTerms: readonly string[]): boolean {
  if (phraseTerms.length === 0) return true;
  outer: for (let i = 0; i + phraseTerms.length <= textTerms.length; i++) {
    for (let j = 0; j < phraseTerms.length; j++) if (textTerms[i + j] !== phraseTerms[j]) continue outer;
    return true;
  }
  return false;
}
