/**
 * Which papers a digest brings: candidates from each of the subscriber's topics, merged per paper (the first
 * reason kept: topics are asked in order of how personal they are), anything sent before left out, best
 * first. Digests look back further than their period (3 days for a daily one, 9 for a weekly one), so that a
 * weekend or a holiday without announcements loses nothing; the never-twice rule keeps the overlap out.
 */
import { addDays, isoWeekOf } from '../lists/periods.js';

export type Frequency = 'daily' | 'weekly';

export interface DigestPeriod {
  /** The send log's key: the day (`2026-07-01`) or ISO week (`2026-W27`) the digest is for. */
  key: string;
  /** Inclusive days of papers it may bring. */
  from: string;
  to: string;
}

export function digestPeriod(frequency: Frequency, now: string): DigestPeriod {
  const day = now.slice(0, 10);
  return frequency === 'daily'
    ? { key: day, from: addDays(day, -3), to: day }
    : { key: isoWeekOf(day), from: addDays(day, -9), to: day };
}

export interface Candidate {
  paperId: string;
  reason: string;
}

export const DIGEST_SIZE = 10;

/** Up to `limit` papers from the candidate lists, in order, each once, none already sent. */
export function selectDigest(
  lists: readonly (readonly Candidate[])[],
  alreadySent: ReadonlySet<string>,
  limit = DIGEST_SIZE,
): Candidate[] {
  const chosen = new Map<string, Candidate>();
  // Round-robin over the topics, so that one busy topic cannot crowd out the others.
  const depth = Math.max(0, ...lists.map((list) => list.length));
  for (let i = 0; i < depth && chosen.size < limit; i++) {
    for (const list of lists) {
      const candidate = list[i];
      if (!candidate || alreadySent.has(candidate.paperId) || chosen.has(candidate.paperId)) continue;
      chosen.set(candidate.paperId, candidate);
      if (chosen.size === limit) break;
    }
  }
  return [...chosen.values()];
}
