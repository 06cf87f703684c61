/**
 * Building and sending digests. Each subscriber's digest for a period is claimed in the send log before it
 * is sent (with its papers, which then count as sent to them), so that however often the sender runs, and
 * whatever it is killed in the middle of, each digest goes out once and no paper twice. A claim is a lease:
 * a sender that dies leaves it to run out, and the next run takes it over. Temporary refusals (4xx, no
 * connection) are retried with backoff; a permanent one (5xx) pauses the address.
 */
import { digestPeriod, selectDigest, type Candidate, type DigestPeriod } from '../core/digest/select.js';
import { renderDigest, type DigestEntry } from '../core/digest/render.js';
import { OpenPapersError } from '../core/errors.js';
import { retryDelayMinutes } from '../core/schedule.js';
import { normalizeEmail } from '../core/accounts/email.js';
import type { ListService } from './lists.js';
import type { RecommendationService } from './recommendations.js';
import {
  MailDeliveryError,
  type DigestItem,
  type Frequency,
  type Mailer,
  type PaperStore,
  type Subscriber,
} from './ports.js';
import type { SearchService } from './search.js';

export interface DigestLinks {
  paper: (paperId: string) => string;
  feedback: (subscriber: Subscriber, paperId: string, up: boolean) => string;
  web: (subscriber: Subscriber, period: string) => string;
  unsubscribe: (subscriber: Subscriber) => string;
  subscribe: string;
}

/** The links of digests on a site reached at `origin()` (its public address). */
export function digestLinks(origin: () => string): DigestLinks {
  const token = (subscriber: Subscriber) => encodeURIComponent(subscriber.linkToken);
  return {
    paper: (paperId) => `${origin()}/papers/${encodeURIComponent(paperId)}`,
    feedback: (subscriber, paperId, up) =>
      `${origin()}/digest/${token(subscriber)}/feedback?paper=${encodeURIComponent(paperId)}&vote=${up ? 'up' : 'down'}`,
    web: (subscriber, period) => `${origin()}/digest/${token(subscriber)}/${encodeURIComponent(period)}`,
    unsubscribe: (subscriber) => `${origin()}/unsubscribe/${token(subscriber)}`,
    get subscribe() {
      return `${origin()}/subscribe`;
    },
  };
}

export interface DigestDependencies {
  store: PaperStore;
  lists: ListService;
  search: Pick<SearchService, 'search'>;
  recommendations: RecommendationService;
  mailer: Mailer;
  links: DigestLinks;
  now: () => string;
  /** How long a sender holds a claimed digest before another may take it over. */
  leaseSeconds?: number;
}

export interface SendCounts {
  sent: number;
  empty: number;
  /** Already sent (or being sent by another worker) this period. */
  skipped: number;
  retrying: number;
  paused: number;
}

export class DigestService {
  constructor(private readonly deps: DigestDependencies) {}

  /** Each topic's candidates, most personal first. */
  private async candidates(subscriber: Subscriber, period: DigestPeriod): Promise<Candidate[][]> {
    const lists: Candidate[][] = [];
    const { topics } = subscriber;
    if (topics.personal && subscriber.userId) lists.push(await this.personal(subscriber, period));
    for (const query of topics.searches) {
      const { hits } = await this.deps.search.search({
        query,
        mode: 'hybrid',
        limit: 20,
        from: period.from,
        to: period.to,
      });
      lists.push(hits.map((hit) => ({ paperId: hit.paper.id, reason: `matches your search "${query}"` })));
    }
    for (const category of topics.categories) {
      const papers = await this.deps.store.listPapers({
        from: period.from,
        to: period.to,
        category,
        limit: 30,
      });
      lists.push(papers.map((paper) => ({ paperId: paper.id, reason: `new in ${category}` })));
    }
    if (topics.trending) {
      const trending = await this.deps.lists.trending(this.deps.now(), { limit: 30, offset: 0 });
      lists.push(
        trending.papers
          .filter((item) => item.votes > 0)
          .map((item) => ({
            paperId: item.paper.id,
            reason: `trending: ${item.votes} vote${item.votes === 1 ? '' : 's'}`,
          })),
      );
    }
    return lists;
  }

  /** Recent papers ranked by the reader's model: their votes, collections and 👍 against their 👎. */
  private async personal(subscriber: Subscriber, period: DigestPeriod): Promise<Candidate[]> {
    const { recommendations } = this.deps;
    const library = await recommendations.library({ userId: subscriber.userId, subscriberId: subscriber.id });
    const picks = await recommendations.rank(library, period, 30);
    return picks.map((pick) => ({ paperId: pick.paper.id, reason: pick.reason }));
  }

  /** What this subscriber's next digest would bring, without sending or recording anything. */
  async preview(
    emailText: string,
  ): Promise<{ subscriber: Subscriber; period: DigestPeriod; items: DigestItem[] }> {
    const email = normalizeEmail(emailText);
    const subscriber = email ? await this.deps.store.getSubscriberByEmail(email) : null;
    if (!subscriber)
      throw new OpenPapersError('OP_ERR_NOT_FOUND', `no subscriber with the address "${emailText}"`);
    const period = digestPeriod(subscriber.frequency, this.deps.now());
    const existing = await this.deps.store.getDigest(subscriber.id, period.key);
    if (existing) return { subscriber, period, items: existing.papers };
    return { subscriber, period, items: await this.choose(subscriber, period) };
  }

  private async choose(subscriber: Subscriber, period: DigestPeriod): Promise<DigestItem[]> {
    const lists = await this.candidates(subscriber, period);
    const ids = [...new Set(lists.flat().map((candidate) => candidate.paperId))];
    return selectDigest(lists, await this.deps.store.sentPapers(subscriber.id, ids));
  }

  /** The mail of a digest, as sent and as its web view shows it. */
  async render(subscriber: Subscriber, send: { period: string; papers: readonly DigestItem[] }) {
    const papers = await this.deps.store.getPapers(send.papers.map((item) => item.paperId));
    const { links } = this.deps;
    const entries: DigestEntry[] = send.papers.flatMap((item) => {
      const paper = papers.get(item.paperId);
      return paper
        ? [
            {
              paper,
              reason: item.reason,
              links: {
                paper: links.paper(paper.id),
                up: links.feedback(subscriber, paper.id, true),
                down: links.feedback(subscriber, paper.id, false),
              },
            },
          ]
        : [];
    });
    const heading = `Your ${subscriber.frequency} papers, ${send.period}`;
    return renderDigest({
      heading,
      entries,
      links: {
        web: links.web(subscriber, send.period),
        unsubscribe: links.unsubscribe(subscriber),
        subscribe: links.subscribe,
      },
    });
  }

  /** Sends the due digests of one frequency to every active subscriber. */
  async sendDue(
    frequency: Frequency,
    options: { dryRun?: boolean; onProgress?: (done: number, counts: SendCounts) => void } = {},
  ): Promise<SendCounts> {
    const counts: SendCounts = { sent: 0, empty: 0, skipped: 0, retrying: 0, paused: 0 };
    let after = '';
    let done = 0;
    for (;;) {
      const page = await this.deps.store.activeSubscribers(frequency, after, 200);
      for (const subscriber of page) {
        const outcome = options.dryRun ? await this.dryRun(subscriber) : await this.sendOne(subscriber);
        counts[outcome]++;
        options.onProgress?.(++done, counts);
      }
      if (page.length < 200) return counts;
      after = (page.at(-1) as Subscriber).id;
    }
  }

  private async dryRun(subscriber: Subscriber): Promise<keyof SendCounts> {
    const period = digestPeriod(subscriber.frequency, this.deps.now());
    if (await this.deps.store.getDigest(subscriber.id, period.key)) return 'skipped';
    return (await this.choose(subscriber, period)).length > 0 ? 'sent' : 'empty';
  }

  /** Claims, sends and records one subscriber's digest for the current period. */
  async sendOne(subscriber: Subscriber): Promise<keyof SendCounts> {
    const now = this.deps.now();
    const period = digestPeriod(subscriber.frequency, now);
    const existing = await this.deps.store.getDigest(subscriber.id, period.key);
    if (existing && (existing.status !== 'sending' || (existing.leaseUntil ?? '') > now)) {
      return existing.status === 'sending' ? 'retrying' : 'skipped';
    }
    const papers = existing ? existing.papers : await this.choose(subscriber, period);
    const lease = new Date(Date.parse(now) + (this.deps.leaseSeconds ?? 300) * 1000).toISOString();
    const { send, owned } = await this.deps.store.claimDigest(
      {
        subscriberId: subscriber.id,
        period: period.key,
        messageId: `<digest.${period.key}.${subscriber.id}@${new URL(this.deps.links.subscribe).hostname}>`,
        papers,
        leaseUntil: lease,
      },
      now,
    );
    if (!owned) return send.status === 'empty' ? 'empty' : 'skipped';
    const mail = await this.render(subscriber, send);
    try {
      await this.deps.mailer.send({
        to: subscriber.email,
        ...mail,
        messageId: send.messageId,
        headers: {
          'List-Unsubscribe': `<${this.deps.links.unsubscribe(subscriber)}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    } catch (error) {
      if (!(error instanceof MailDeliveryError)) throw error;
      if (error.permanent) {
        await this.deps.store.finishDigest(subscriber.id, period.key, {
          status: 'failed',
          error: error.message,
        });
        await this.deps.store.setSubscriberStatus(
          subscriber.id,
          'paused',
          `delivery failed: ${error.message}`,
          now,
        );
        return 'paused';
      }
      const retryAt = new Date(Date.parse(now) + retryDelayMinutes(send.attempts) * 60_000).toISOString();
      await this.deps.store.finishDigest(subscriber.id, period.key, {
        status: 'retry',
        error: error.message,
        at: retryAt,
      });
      return 'retrying';
    }
    await this.deps.store.finishDigest(subscriber.id, period.key, { status: 'sent', at: this.deps.now() });
    return 'sent';
  }
}
