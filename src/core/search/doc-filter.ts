/**
 * The query's constraints as a predicate on document numbers, for rankings that do not come from the
 * posting lists (semantic neighbours): dates, categories, required and excluded words, authors.
 */
import { NO_DAY, type LexicalIndex } from './lexical-index.js';
import type { ResolvedQuery } from './lexical-search.js';

function contains(index: LexicalIndex, term: number, doc: number): boolean {
  let low = index.offsets[term] as number;
  let high = index.offsets[term + 1] as number;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const value = index.docs[mid] as number;
    if (value === doc) return true;
    if (value < doc) low = mid + 1;
    else high = mid;
  }
  return false;
}

export function makeDocFilter(
  index: LexicalIndex,
  resolved: ResolvedQuery,
): ((doc: number) => boolean) | null {
  const dated = resolved.fromDay !== NO_DAY || resolved.toDay !== 2147483647;
  if (
    !dated &&
    resolved.required.length === 0 &&
    resolved.excluded.length === 0 &&
    resolved.anyOf.length === 0
  ) {
    return resolved.impossible ? () => false : null;
  }
  return (doc) => {
    if (resolved.impossible) return false;
    if (dated) {
      const day = index.days[doc] as number;
      if (day === NO_DAY || day < resolved.fromDay || day > resolved.toDay) return false;
    }
    if (!resolved.required.every(([term]) => contains(index, term as number, doc))) return false;
    if (resolved.excluded.some((term) => contains(index, term, doc))) return false;
    if (resolved.anyOf.length > 0 && !resolved.anyOf.some((term) => contains(index, term, doc))) return false;
    return true;
  };
}
