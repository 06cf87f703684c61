/** The SQLite side of mail digests: subscribers, the send log, papers sent, feedback. */
import type Database from 'better-sqlite3';
import { immediate } from './write.js';
import type {
  DigestClaim,
  DigestOutcome,
  DigestSend,
  Frequency,
  Subscriber,
  SubscriberStatus,
} from '../../../app/ports.js';
import { toSend, toSubscriber, type SendRow, type SubscriberRow } from '../records.js';

export class SqliteDigests {
  private readonly statements;

  constructor(private readonly db: Database.Database) {
    this.statements = {
      upsert: db.prepare(
        `INSERT INTO subscribers (id, email, user_id, link_token, confirm_hash, confirm_expires, frequency, topics,
                                  status, status_reason, created_at, updated_at)
         VALUES (@id, @email, @user_id, @link_token, @confirm_hash, @confirm_expires, @frequency, @topics,
                 @status, NULL, @created_at, @updated_at)
         ON CONFLICT (email) DO UPDATE SET
           user_id = coalesce(excluded.user_id, user_id), frequency = excluded.frequency, topics = excluded.topics,
           confirm_hash = excluded.confirm_hash, confirm_expires = excluded.confirm_expires,
           status = excluded.status, status_reason = NULL, updated_at = excluded.updated_at`,
      ),
      byEmail: db.prepare<[string], SubscriberRow>('SELECT * FROM subscribers WHERE email = ?'),
      byLinkToken: db.prepare<[string], SubscriberRow>('SELECT * FROM subscribers WHERE link_token = ?'),
      confirm: db.prepare<[string, string, string], SubscriberRow>(
        `UPDATE subscribers SET status = 'active', confirm_hash = NULL, confirm_expires = NULL, updated_at = ?
         WHERE confirm_hash = ? AND confirm_expires > ? RETURNING *`,
      ),
      setStatus: db.prepare<[SubscriberStatus, string | null, string, string]>(
        'UPDATE subscribers SET status = ?, status_reason = ?, updated_at = ? WHERE id = ?',
      ),
      active: db.prepare<[Frequency, string, number], SubscriberRow>(
        `SELECT * FROM subscribers WHERE status = 'active' AND frequency = ? AND id > ? ORDER BY id LIMIT ?`,
      ),
      getSend: db.prepare<[string, string], SendRow>(
        'SELECT * FROM digest_sends WHERE subscriber_id = ? AND period = ?',
      ),
      insertSend: db.prepare(
        `INSERT INTO digest_sends (subscriber_id, period, status, message_id, papers, attempts, lease_until)
         VALUES (@subscriber_id, @period, @status, @message_id, @papers, @attempts, @lease_until)`,
      ),
      takeOver: db.prepare<[string, string, string]>(
        `UPDATE digest_sends SET lease_until = ?, attempts = attempts + 1 WHERE subscriber_id = ? AND period = ?`,
      ),
      markSent: db.prepare<[string, string, string]>(
        `UPDATE digest_sends SET status = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL
         WHERE subscriber_id = ? AND period = ?`,
      ),
      markRetry: db.prepare<[string, string, string, string]>(
        `UPDATE digest_sends SET last_error = ?, lease_until = ? WHERE subscriber_id = ? AND period = ?`,
      ),
      markFailed: db.prepare<[string, string, string]>(
        `UPDATE digest_sends SET status = 'failed', last_error = ?, lease_until = NULL
         WHERE subscriber_id = ? AND period = ?`,
      ),
      addPaper: db.prepare<[string, string, string]>(
        'INSERT OR IGNORE INTO digest_papers (subscriber_id, paper_id, period) VALUES (?, ?, ?)',
      ),
      sentPaper: db.prepare<[string, string], { paper_id: string }>(
        'SELECT paper_id FROM digest_papers WHERE subscriber_id = ? AND paper_id = ?',
      ),
      putFeedback: db.prepare<[string, string, number, string]>(
        `INSERT INTO digest_feedback (subscriber_id, paper_id, up, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (subscriber_id, paper_id) DO UPDATE SET up = excluded.up, created_at = excluded.created_at`,
      ),
      getFeedback: db.prepare<[string, string], { up: number; created_at: string }>(
        'SELECT up, created_at FROM digest_feedback WHERE subscriber_id = ? AND paper_id = ?',
      ),
      deleteFeedback: db.prepare<[string, string]>(
        'DELETE FROM digest_feedback WHERE subscriber_id = ? AND paper_id = ?',
      ),
      feedback: db.prepare<[string], { paper_id: string; up: number }>(
        'SELECT paper_id, up FROM digest_feedback WHERE subscriber_id = ? ORDER BY created_at, paper_id',
      ),
    };
  }

  putSubscriber(subscriber: Subscriber, confirm: { hash: string; expires: string } | null): Subscriber {
    this.statements.upsert.run({
      id: subscriber.id,
      email: subscriber.email,
      user_id: subscriber.userId,
      link_token: subscriber.linkToken,
      confirm_hash: confirm?.hash ?? null,
      confirm_expires: confirm?.expires ?? null,
      frequency: subscriber.frequency,
      topics: JSON.stringify(subscriber.topics),
      status: subscriber.status,
      created_at: subscriber.createdAt,
      updated_at: subscriber.updatedAt,
    });
    return toSubscriber(this.statements.byEmail.get(subscriber.email) as SubscriberRow);
  }

  byEmail(email: string): Subscriber | null {
    const row = this.statements.byEmail.get(email);
    return row ? toSubscriber(row) : null;
  }

  byLinkToken(token: string): Subscriber | null {
    const row = this.statements.byLinkToken.get(token);
    return row ? toSubscriber(row) : null;
  }

  confirm(hash: string, now: string): Subscriber | null {
    const row = this.statements.confirm.get(now, hash, now);
    return row ? toSubscriber(row) : null;
  }

  setStatus(id: string, status: SubscriberStatus, reason: string | null, at: string): void {
    this.statements.setStatus.run(status, reason, at, id);
  }

  active(frequency: Frequency, afterId: string, limit: number): Subscriber[] {
    return this.statements.active.all(frequency, afterId, limit).map(toSubscriber);
  }

  claim(claim: DigestClaim, now: string): { send: DigestSend; owned: boolean } {
    return immediate(this.db, () => {
      const existing = this.statements.getSend.get(claim.subscriberId, claim.period);
      if (!existing) {
        this.statements.insertSend.run({
          subscriber_id: claim.subscriberId,
          period: claim.period,
          status: claim.papers.length > 0 ? 'sending' : 'empty',
          message_id: claim.messageId,
          papers: JSON.stringify(claim.papers),
          attempts: claim.papers.length > 0 ? 1 : 0,
          lease_until: claim.papers.length > 0 ? claim.leaseUntil : null,
        });
        for (const item of claim.papers)
          this.statements.addPaper.run(claim.subscriberId, item.paperId, claim.period);
        const send = toSend(this.statements.getSend.get(claim.subscriberId, claim.period) as SendRow);
        return { send, owned: send.status === 'sending' };
      }
      // A claim whose lease ran out belongs to a worker that died or is waiting to retry: take it over.
      if (existing.status === 'sending' && (existing.lease_until ?? '') <= now) {
        this.statements.takeOver.run(claim.leaseUntil, claim.subscriberId, claim.period);
        return {
          send: toSend(this.statements.getSend.get(claim.subscriberId, claim.period) as SendRow),
          owned: true,
        };
      }
      return { send: toSend(existing), owned: false };
    });
  }

  get(subscriberId: string, period: string): DigestSend | null {
    const row = this.statements.getSend.get(subscriberId, period);
    return row ? toSend(row) : null;
  }

  finish(subscriberId: string, period: string, outcome: DigestOutcome): void {
    if (outcome.status === 'sent') this.statements.markSent.run(outcome.at, subscriberId, period);
    // The lease doubles as the retry time: no worker takes the digest before it.
    else if (outcome.status === 'retry')
      this.statements.markRetry.run(outcome.error, outcome.at, subscriberId, period);
    else this.statements.markFailed.run(outcome.error, subscriberId, period);
  }

  sentPapers(subscriberId: string, paperIds: readonly string[]): Set<string> {
    return new Set(paperIds.filter((id) => this.statements.sentPaper.get(subscriberId, id)));
  }

  putFeedback(subscriberId: string, paperId: string, up: boolean, at: string): void {
    this.statements.putFeedback.run(subscriberId, paperId, up ? 1 : 0, at);
  }

  getFeedback(subscriberId: string, paperId: string): { up: boolean; at: string } | null {
    const row = this.statements.getFeedback.get(subscriberId, paperId);
    return row ? { up: row.up === 1, at: row.created_at } : null;
  }

  deleteFeedback(subscriberId: string, paperId: string): void {
    this.statements.deleteFeedback.run(subscriberId, paperId);
  }

  feedback(subscriberId: string): { paperId: string; up: boolean }[] {
    return this.statements.feedback
      .all(subscriberId)
      .map((row) => ({ paperId: row.paper_id, up: row.up === 1 }));
  }
}
