/**
 * Submitting a paper by its arXiv id or URL, as on Hugging Face's daily papers: taken from the store, or
 * fetched from arXiv when the store does not have it; listed on the day it was first submitted; a second
 * submission of the same paper merges into the first.
 */
import { parseArxivId } from '../core/arxiv-id.js';
import { OpenPapersError } from '../core/errors.js';
import type { PaperFetcher, PaperStore, User } from './ports.js';
import { accountKey, rateLimit } from './rate-limit.js';

export const SUBMISSIONS_PER_HOUR = 10;

export interface SubmissionResult {
  paperId: string;
  /** How many accounts have submitted it, this one included. */
  submitters: number;
  /** Whether the paper came from arXiv just now. */
  fetched: boolean;
}

export class SubmissionService {
  constructor(private readonly deps: { store: PaperStore; fetcher: PaperFetcher; now: () => string }) {}

  async submit(user: User, text: string): Promise<SubmissionResult> {
    const parsed = parseArxivId(text.slice(0, 300));
    if (!parsed) {
      throw new OpenPapersError(
        'OP_ERR_BAD_REQUEST',
        'paper: give an arXiv id such as 2406.12345 or an arxiv.org abs or pdf link',
      );
    }
    const now = this.deps.now();
    await rateLimit(
      this.deps.store,
      accountKey('submit', user.id),
      { count: SUBMISSIONS_PER_HOUR, minutes: 60 },
      'submissions',
      now,
    );
    const id = parsed.id;
    let fetched = false;
    if (!(await this.deps.store.getPaper(id))) {
      const record = await this.deps.fetcher.fetchPaper(id);
      if (!record) throw new OpenPapersError('OP_ERR_NOT_FOUND', `arXiv has no paper with id "${id}"`);
      await this.deps.store.upsertPapers([{ ...record, sources: [...record.sources, 'submission'] }], now);
      fetched = true;
    }
    const submitters = await this.deps.store.addSubmission(id, user.id, now, now.slice(0, 10));
    return { paperId: id, submitters, fetched };
  }
}
