/**
 * Trending, as Hacker News ranks its front page: votes divided by a power of age, so that a paper needs
 * ever more votes to stay up as it gets older.
 *
 *   score = (votes + 1) / (ageHours + 2) ^ GRAVITY
 *
 * The + 1 counts the paper's appearance itself, so that before anyone votes the list is simply newest first;
 * the + 2 keeps brand-new papers from dividing by almost nothing. Votes from accounts younger than
 * NEW_ACCOUNT_DAYS count NEW_ACCOUNT_WEIGHT each, so that a batch of fresh accounts moves little.
 * docs/web.md and /about/trending explain the choice.
 */

export const GRAVITY = 1.8;
/** Papers older than this are not trending, whatever their votes. */
export const TRENDING_WINDOW_DAYS = 7;
export const NEW_ACCOUNT_DAYS = 7;
export const NEW_ACCOUNT_WEIGHT = 0.5;

/** The votes that count for trending: full for established accounts, less for new ones. */
export function weightedVotes(votes: number, newAccountVotes: number): number {
  return votes - newAccountVotes + newAccountVotes * NEW_ACCOUNT_WEIGHT;
}

export interface TrendingCandidate {
  id: string;
  /** When the paper appeared: its day's start, or the time it was submitted to this hub. */
  appearedAt: string;
  votes: number;
}

export function trendingScore(votes: number, ageHours: number): number {
  return (votes + 1) / Math.pow(Math.max(0, ageHours) + 2, GRAVITY);
}

/** Candidates ranked by trending score at `now`; ties go to the newer, then the higher id. */
export function rankTrending(
  candidates: readonly TrendingCandidate[],
  now: string,
): (TrendingCandidate & { score: number })[] {
  const nowMs = Date.parse(now);
  return candidates
    .map((candidate) => ({
      ...candidate,
      score: trendingScore(candidate.votes, (nowMs - Date.parse(candidate.appearedAt)) / 3_600_000),
    }))
    .sort(
      (a, b) =>
        b.score - a.score ||
        b.appearedAt.localeCompare(a.appearedAt) ||
        (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
    );
}
