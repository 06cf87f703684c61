/**
 * The list use cases behind the daily, weekly and monthly pages and trending: which papers, in which
 * order, with their votes.
 */
import type { Paper } from '../core/paper.js';
import { addDays, shiftPeriod, type Period } from '../core/lists/periods.js';
import {
  NEW_ACCOUNT_DAYS,
  rankTrending,
  TRENDING_WINDOW_DAYS,
  weightedVotes,
} from '../core/lists/trending.js';
import type { PaperStore } from './ports.js';

export interface ListedPaper {
  paper: Paper;
  votes: number;
}

export interface PeriodList {
  period: Period;
  papers: ListedPaper[];
  total: number;
  /** The nearest periods of the same kind that have papers, for previous / next links. */
  previous: string | null;
  next: string | null;
}

export interface SubmittedListing extends ListedPaper {
  submittedOn: string;
  submitters: number;
}

export interface TrendingList {
  papers: (ListedPaper & { score: number })[];
  total: number;
  /** The time the ranking was computed for. */
  asOf: string;
}

export class ListService {
  constructor(private readonly store: PaperStore) {}

  async withVotes(papers: readonly Paper[]): Promise<ListedPaper[]> {
    const votes = await this.store.voteCounts(papers.map((paper) => paper.id));
    return papers.map((paper) => ({ paper, votes: votes.get(paper.id) ?? 0 }));
  }

  /** The latest day that has announced papers, or null when the store is empty. */
  latestDay(): Promise<string | null> {
    return this.store.latestDay();
  }

  /** Papers the community submitted on the days from `from` to `to`, the latest first. */
  async submitted(from: string, to: string, limit: number): Promise<SubmittedListing[]> {
    const rows = await this.store.submittedPapers(from, to, limit);
    const papers = await this.store.getPapers(rows.map((row) => row.paperId));
    const listed = await this.withVotes(rows.flatMap((row) => papers.get(row.paperId) ?? []));
    const byId = new Map(rows.map((row) => [row.paperId, row]));
    return listed.map((item) => {
      const row = byId.get(item.paper.id) as { day: string; submitters: number };
      return { ...item, submittedOn: row.day, submitters: row.submitters };
    });
  }

  async period(
    period: Period,
    options: { category?: string; limit: number; offset: number },
  ): Promise<PeriodList> {
    const filter = { from: period.from, to: period.to, category: options.category };
    const [papers, total] = await Promise.all([
      this.store.listPapers({ ...filter, limit: options.limit, offset: options.offset }),
      this.store.countPapers(filter),
    ]);
    const { previous, next } = await this.neighbours(period);
    return { period, papers: await this.withVotes(papers), total, previous, next };
  }

  /** Days step to the nearest day with papers; weeks and months step by one, when papers lie that way. */
  private async neighbours(period: Period): Promise<{ previous: string | null; next: string | null }> {
    if (period.kind === 'day') return this.store.adjacentDays(period.key);
    const before = await this.store.adjacentDays(period.from);
    const after = await this.store.adjacentDays(period.to);
    return {
      previous: before.previous ? shiftPeriod(period, -1).key : null,
      next: after.next ? shiftPeriod(period, 1).key : null,
    };
  }

  /**
   * Trending over the papers of the last TRENDING_WINDOW_DAYS days (core/lists/trending). The window ends
   * at `now`, or at the end of the newest day with papers when that is earlier, so that a hub that has not
   * harvested for a while still shows its last week rather than nothing.
   */
  async trending(now: string, options: { limit: number; offset: number }): Promise<TrendingList> {
    const latest = await this.store.latestDay();
    if (!latest) return { papers: [], total: 0, asOf: now };
    const endOfLatest = `${addDays(latest, 1)}T00:00:00.000Z`;
    const asOf = endOfLatest < now ? endOfLatest : now;
    const since = addDays(asOf.slice(0, 10), -TRENDING_WINDOW_DAYS);
    const rows = await this.store.papersSince(since, NEW_ACCOUNT_DAYS);
    const shownVotes = new Map(rows.map((row) => [row.id, row.votes]));
    // A paper's day here is its first submission's when that is later (the store's papersSince): a reader's
    // pick trends from the day it came, even on a hub that has not harvested since.
    const candidates = rows
      .filter((row) => row.day <= now.slice(0, 10))
      .map((row) => ({
        id: row.id,
        appearedAt: `${row.day}T00:00:00.000Z`,
        votes: weightedVotes(row.votes, row.newAccountVotes),
      }));
    const ranked = rankTrending(candidates, asOf);
    const page = ranked.slice(options.offset, options.offset + options.limit);
    const papers = await this.store.getPapers(page.map((entry) => entry.id));
    return {
      papers: page.flatMap((entry) => {
        const paper = papers.get(entry.id);
        return paper ? [{ paper, votes: shownVotes.get(entry.id) ?? 0, score: entry.score }] : [];
      }),
      total: ranked.length,
      asOf,
    };
  }
}
