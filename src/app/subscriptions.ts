/**
 * Subscribing to digests: with just an email address (double opt-in: nothing is sent until the emailed
 * link is used) or from a signed-in account (its address is already proven). The answer is the same whether
 * or not the address is subscribed. Unsubscribing and feedback work from the digest's own links, without
 * signing in.
 */
import { randomUUID } from 'node:crypto';
import { normalizeEmail } from '../core/accounts/email.js';
import { isCategory } from '../core/categories.js';
import { OpenPapersError } from '../core/errors.js';
import { escapeHtml } from '../core/text.js';
import { hashToken, newToken } from './accounts.js';
import type { DigestTopics, Frequency, Mailer, PaperStore, Subscriber, User } from './ports.js';
import { emailKey, rateLimit } from './rate-limit.js';

export const CONFIRM_HOURS = 48;
const MAX_SEARCHES = 10;
const MAX_CATEGORIES = 20;

export interface SubscriptionRequest {
  email: string;
  frequency: Frequency;
  topics: DigestTopics;
}

function checkedTopics(topics: DigestTopics, signedIn: boolean): DigestTopics {
  const categories = [...new Set(topics.categories.map((c) => c.trim()).filter(Boolean))];
  const bad = categories.find((category) => !isCategory(category));
  if (bad)
    throw new OpenPapersError(
      'OP_ERR_BAD_REQUEST',
      `categories: "${bad.slice(0, 40)}" is not an arXiv category`,
    );
  if (categories.length > MAX_CATEGORIES) {
    throw new OpenPapersError('OP_ERR_BAD_REQUEST', `categories: at most ${MAX_CATEGORIES}`);
  }
  const searches = [...new Set(topics.searches.map((q) => q.trim()).filter(Boolean))];
  if (searches.length > MAX_SEARCHES || searches.some((q) => q.length > 300)) {
    throw new OpenPapersError(
      'OP_ERR_BAD_REQUEST',
      `searches: at most ${MAX_SEARCHES}, each under 300 characters`,
    );
  }
  const checked = { trending: topics.trending, personal: topics.personal && signedIn, categories, searches };
  if (!checked.trending && !checked.personal && categories.length === 0 && searches.length === 0) {
    throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'topics: choose at least one thing to get');
  }
  return checked;
}

/** A 👍 and a 👎 on one paper closer together than this come from a link-checking filter, not a reader. */
const SCANNER_WINDOW_MS = 60_000;

export class SubscriptionService {
  constructor(private readonly deps: { store: PaperStore; mailer: Mailer; now: () => string }) {}

  /**
   * Subscribes, or changes an existing subscription. A signed-in reader's own address is active at once;
   * any other address gets a confirmation link (`link(token)`) and stays pending until it is used.
   */
  async subscribe(
    request: SubscriptionRequest,
    viewer: User | null,
    client: string,
    link: (token: string) => string,
  ): Promise<'active' | 'confirm'> {
    const email = normalizeEmail(request.email);
    if (!email) throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'email: this is not an email address');
    const topics = checkedTopics(request.topics, viewer !== null);
    const now = this.deps.now();
    await rateLimit(
      this.deps.store,
      `subscribe:address:${client}`,
      { count: 20, minutes: 15 },
      'subscriptions from here',
      now,
    );
    await rateLimit(
      this.deps.store,
      emailKey('subscribe', email),
      { count: 5, minutes: 15 },
      'subscriptions for this address',
      now,
    );
    const own = viewer?.email === email;
    const existing = await this.deps.store.getSubscriberByEmail(email);
    if (existing?.status === 'active' && !own) {
      // Only the address's owner changes an active subscription: they get a note, nothing else changes.
      await this.deps.mailer.send({
        to: email,
        subject: 'Your OpenPapers digest',
        text:
          `Someone asked to change the OpenPapers digests of this address. It is subscribed already; sign in ` +
          `with this address to change what it gets, or unsubscribe from the link in any digest.\n`,
        html:
          `<p>Someone asked to change the OpenPapers digests of this address. It is subscribed already; sign in ` +
          `with this address to change what it gets, or unsubscribe from the link in any digest.</p>`,
      });
      return 'confirm';
    }
    const subscriber: Subscriber = {
      id: existing?.id ?? randomUUID(),
      email,
      userId: own ? (viewer?.id ?? null) : (existing?.userId ?? null),
      linkToken: existing?.linkToken ?? newToken(),
      frequency: request.frequency,
      topics,
      status: own ? 'active' : 'pending',
      statusReason: null,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    if (own) {
      await this.deps.store.putSubscriber(subscriber, null);
      return 'active';
    }
    const token = newToken();
    const expires = new Date(Date.parse(now) + CONFIRM_HOURS * 3_600_000).toISOString();
    await this.deps.store.putSubscriber(subscriber, { hash: hashToken(token), expires });
    const url = link(token);
    await this.deps.mailer.send({
      to: email,
      subject: 'Confirm your OpenPapers digest',
      text:
        `Someone (we hope you) asked for OpenPapers digests at this address, ${request.frequency}.\n\n` +
        `Confirm with this link (it works for ${CONFIRM_HOURS} hours):\n\n${url}\n\n` +
        `If it was not you, ignore this message: nothing will be sent.\n`,
      html:
        `<p>Someone (we hope you) asked for OpenPapers digests at this address, ${request.frequency}.</p>` +
        `<p><a href="${escapeHtml(url)}">Confirm your subscription</a> ` +
        `(the link works for ${CONFIRM_HOURS} hours).</p>` +
        `<p>If it was not you, ignore this message: nothing will be sent.</p>`,
    });
    return 'confirm';
  }

  async confirm(token: string): Promise<Subscriber> {
    const subscriber = await this.deps.store.confirmSubscriber(
      hashToken(token.slice(0, 200)),
      this.deps.now(),
    );
    if (!subscriber) {
      throw new OpenPapersError(
        'OP_ERR_SIGN_IN_LINK',
        'this confirmation link has been used or has expired; subscribe again for a new one',
      );
    }
    return subscriber;
  }

  /** The subscriber a digest link belongs to; 404 for a token that is not one. */
  async byLinkToken(token: string): Promise<Subscriber> {
    const subscriber = token.length <= 100 ? await this.deps.store.getSubscriberByLinkToken(token) : null;
    if (!subscriber)
      throw new OpenPapersError('OP_ERR_NOT_FOUND', 'this digest link is not valid (any more)');
    return subscriber;
  }

  async unsubscribe(token: string): Promise<Subscriber> {
    const subscriber = await this.byLinkToken(token);
    await this.deps.store.setSubscriberStatus(
      subscriber.id,
      'unsubscribed',
      'unsubscribed by link',
      this.deps.now(),
    );
    return { ...subscriber, status: 'unsubscribed' };
  }

  /**
   * Records a 👍 or 👎 from a digest's link. Link-checking mail filters open every link of a message within
   * seconds, so a 👍 and a 👎 on one paper that close together are taken for a filter, and both dropped.
   */
  async feedback(token: string, paperId: string, up: boolean): Promise<'recorded' | 'dropped'> {
    const subscriber = await this.byLinkToken(token);
    const { store } = this.deps;
    if (!(await store.getPaper(paperId))) {
      throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${paperId.slice(0, 200)}"`);
    }
    const now = this.deps.now();
    const previous = await store.getFeedback(subscriber.id, paperId);
    if (previous && previous.up !== up && Date.parse(now) - Date.parse(previous.at) < SCANNER_WINDOW_MS) {
      await store.deleteFeedback(subscriber.id, paperId);
      return 'dropped';
    }
    await store.putFeedback(subscriber.id, paperId, up, now);
    return 'recorded';
  }
}
