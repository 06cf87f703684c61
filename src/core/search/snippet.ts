/**
 * Snippets: the part of a text where the query's words are densest, cut at word boundaries, with the
 * places of the matched words so that each view highlights them its own way (bold on a terminal, <mark> in
 * HTML). Matching uses the same analysis as the index, so "models" highlights "model" and "modelling".
 */
import { termOf, wordsWithOffsets } from './tokenize.js';

export interface Snippet {
  text: string;
  /** [start, end) offsets into `text`. */
  highlights: [number, number][];
}

export function highlight(text: string, terms: ReadonlySet<string>): Snippet {
  const highlights: [number, number][] = [];
  if (terms.size === 0) return { text, highlights };
  for (const { word, start, end } of wordsWithOffsets(text)) {
    const term = termOf(word);
    if (term !== null && terms.has(term)) highlights.push([start, end]);
  }
  return { text, highlights };
}

export function makeSnippet(text: string, terms: ReadonlySet<string>, maxChars = 300): Snippet {
  // Without terms (similar papers) the snippet is the start of the text: no need to analyse it.
  const words = terms.size === 0 ? [] : [...wordsWithOffsets(text)];
  const matches = words.flatMap((w, i) => {
    const term = termOf(w.word);
    return term !== null && terms.has(term) ? [{ i, term }] : [];
  });
  let bestStart = 0;
  if (matches.length > 0 && text.length > maxChars) {
    // The window (of maxChars) starting at a match that covers the most distinct terms, then the most matches.
    let best = -1;
    for (const { i } of matches) {
      const startOffset = (words[i] as { start: number }).start;
      const inWindow = matches.filter((m) => {
        const offset = (words[m.i] as { start: number }).start;
        return offset >= startOffset && offset < startOffset + maxChars - 20;
      });
      const value = new Set(inWindow.map((m) => m.term)).size * 1000 + inWindow.length;
      if (value > best) {
        best = value;
        bestStart = startOffset;
      }
    }
    // Start a little before the first match, at a word boundary, so it is read in context.
    const before = words.filter((w) => w.start < bestStart && w.start >= bestStart - 60);
    bestStart = before[0]?.start ?? bestStart;
  }
  let end = Math.min(text.length, bestStart + maxChars);
  if (end < text.length) {
    const lastSpace = text.lastIndexOf(' ', end);
    if (lastSpace > bestStart) end = lastSpace;
  }
  const prefix = bestStart > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const body = text.slice(bestStart, end);
  const inner = highlight(body, terms);
  return {
    text: `${prefix}${body}${suffix}`,
    highlights: inner.highlights.map(([s, e]) => [s + prefix.length, e + prefix.length]),
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
