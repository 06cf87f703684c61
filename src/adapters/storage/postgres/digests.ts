/** The PostgreSQL side of mail digests: subscribers, the send log, papers sent, feedback. */
import type {
  DigestClaim,
  DigestOutcome,
  DigestSend,
  Frequency,
  Subscriber,
  SubscriberStatus,
} from '../../../app/ports.js';
import type { PgDatabase } from './database.js';
import { toSend, toSubscriber, type SendRow, type SubscriberRow } from '../records.js';

const SEND = 'SELECT * FROM digest_sends WHERE subscriber_id = $1 AND period = $2';

export class PgDigests {
  constructor(private readonly db: PgDatabase) {}

  async putSubscriber(subscriber: Subscriber, confirm: { hash: string; expires: string } | null) {
    const row = await this.db.one<SubscriberRow>(
      `INSERT INTO subscribers (id, email, user_id, link_token, confirm_hash, confirm_expires, frequency, topics,
                                status, status_reason, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11)
       ON CONFLICT (email) DO UPDATE SET
         user_id = coalesce(excluded.user_id, subscribers.user_id), frequency = excluded.frequency,
         topics = excluded.topics, confirm_hash = excluded.confirm_hash,
         confirm_expires = excluded.confirm_expires, status = excluded.status, status_reason = NULL,
         updated_at = excluded.updated_at
       RETURNING *`,
      [
        subscriber.id,
        subscriber.email,
        subscriber.userId,
        subscriber.linkToken,
        confirm?.hash ?? null,
        confirm?.expires ?? null,
        subscriber.frequency,
        JSON.stringify(subscriber.topics),
        subscriber.status,
        subscriber.createdAt,
        subscriber.updatedAt,
      ],
    );
    return toSubscriber(row as SubscriberRow);
  }

  async byEmail(email: string): Promise<Subscriber | null> {
    const row = await this.db.one<SubscriberRow>('SELECT * FROM subscribers WHERE email = $1', [email]);
    return row ? toSubscriber(row) : null;
  }

  async byLinkToken(token: string): Promise<Subscriber | null> {
    const row = await this.db.one<SubscriberRow>('SELECT * FROM subscribers WHERE link_token = $1', [token]);
    return row ? toSubscriber(row) : null;
  }

  async confirm(hash: string, now: string): Promise<Subscriber | null> {
    const row = await this.db.one<SubscriberRow>(
      `UPDATE subscribers SET status = 'active', confirm_hash = NULL, confirm_expires = NULL, updated_at = $1
       WHERE confirm_hash = $2 AND confirm_expires > $1 RETURNING *`,
      [now, hash],
    );
    return row ? toSubscriber(row) : null;
  }

  async setStatus(id: string, status: SubscriberStatus, reason: string | null, at: string): Promise<void> {
    await this.db.query(
      'UPDATE subscribers SET status = $1, status_reason = $2, updated_at = $3 WHERE id = $4',
      [status, reason, at, id],
    );
  }

  async active(frequency: Frequency, afterId: string, limit: number): Promise<Subscriber[]> {
    const rows = await this.db.query<SubscriberRow>(
      `SELECT * FROM subscribers WHERE status = 'active' AND frequency = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [frequency, afterId, limit],
    );
    return rows.map(toSubscriber);
  }

  /**
   * The first claim inserts the send (ON CONFLICT: of two racing workers one inserts, the other finds it);
   * taking over an expired lease happens under the row's lock, so one worker wins it.
   */
  async claim(claim: DigestClaim, now: string): Promise<{ send: DigestSend; owned: boolean }> {
    return this.db.transaction(async (client) => {
      const sending = claim.papers.length > 0;
      const inserted = await client.query<SendRow>(
        `INSERT INTO digest_sends (subscriber_id, period, status, message_id, papers, attempts, lease_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (subscriber_id, period) DO NOTHING RETURNING *`,
        [
          claim.subscriberId,
          claim.period,
          sending ? 'sending' : 'empty',
          claim.messageId,
          JSON.stringify(claim.papers),
          sending ? 1 : 0,
          sending ? claim.leaseUntil : null,
        ],
      );
      const created = inserted.rows[0];
      if (created) {
        await client.query(
          `INSERT INTO digest_papers (subscriber_id, paper_id, period)
           SELECT $1, paper_id, $2 FROM unnest($3::text[]) AS paper_id ON CONFLICT DO NOTHING`,
          [claim.subscriberId, claim.period, claim.papers.map((item) => item.paperId)],
        );
        return { send: toSend(created), owned: created.status === 'sending' };
      }
      const existing = (await client.query<SendRow>(`${SEND} FOR UPDATE`, [claim.subscriberId, claim.period]))
        .rows[0] as SendRow;
      // A claim whose lease ran out belongs to a worker that died or is waiting to retry: take it over.
      if (existing.status === 'sending' && (existing.lease_until ?? '') <= now) {
        const taken = await client.query<SendRow>(
          `UPDATE digest_sends SET lease_until = $1, attempts = attempts + 1
           WHERE subscriber_id = $2 AND period = $3 RETURNING *`,
          [claim.leaseUntil, claim.subscriberId, claim.period],
        );
        return { send: toSend(taken.rows[0] as SendRow), owned: true };
      }
      return { send: toSend(existing), owned: false };
    });
  }

  async get(subscriberId: string, period: string): Promise<DigestSend | null> {
    const row = await this.db.one<SendRow>(SEND, [subscriberId, period]);
    return row ? toSend(row) : null;
  }

  async finish(subscriberId: string, period: string, outcome: DigestOutcome): Promise<void> {
    const where = 'WHERE subscriber_id = $2 AND period = $3';
    if (outcome.status === 'sent') {
      await this.db.query(
        `UPDATE digest_sends SET status = 'sent', sent_at = $1, lease_until = NULL, last_error = NULL ${where}`,
        [outcome.at, subscriberId, period],
      );
    } else if (outcome.status === 'retry') {
      // The lease doubles as the retry time: no worker takes the digest before it.
      await this.db.query(`UPDATE digest_sends SET last_error = $1, lease_until = $4 ${where}`, [
        outcome.error,
        subscriberId,
        period,
        outcome.at,
      ]);
    } else {
      await this.db.query(
        `UPDATE digest_sends SET status = 'failed', last_error = $1, lease_until = NULL ${where}`,
        [outcome.error, subscriberId, period],
      );
    }
  }

  async sentPapers(subscriberId: string, paperIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.query<{ paper_id: string }>(
      'SELECT paper_id FROM digest_papers WHERE subscriber_id = $1 AND paper_id = ANY($2::text[])',
      [subscriberId, paperIds],
    );
    return new Set(rows.map((row) => row.paper_id));
  }

  async putFeedback(subscriberId: string, paperId: string, up: boolean, at: string): Promise<void> {
    await this.db.query(
      `INSERT INTO digest_feedback (subscriber_id, paper_id, up, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (subscriber_id, paper_id) DO UPDATE SET up = excluded.up, created_at = excluded.created_at`,
      [subscriberId, paperId, up, at],
    );
  }

  async getFeedback(subscriberId: string, paperId: string): Promise<{ up: boolean; at: string } | null> {
    const row = await this.db.one<{ up: boolean; created_at: string }>(
      'SELECT up, created_at FROM digest_feedback WHERE subscriber_id = $1 AND paper_id = $2',
      [subscriberId, paperId],
    );
    return row ? { up: row.up, at: row.created_at } : null;
  }

  async deleteFeedback(subscriberId: string, paperId: string): Promise<void> {
    await this.db.query('DELETE FROM digest_feedback WHERE subscriber_id = $1 AND paper_id = $2', [
      subscriberId,
      paperId,
    ]);
  }

  async feedback(subscriberId: string): Promise<{ paperId: string; up: boolean }[]> {
    const rows = await this.db.query<{ paper_id: string; up: boolean }>(
      'SELECT paper_id, up FROM digest_feedback WHERE subscriber_id = $1 ORDER BY created_at, paper_id',
      [subscriberId],
    );
    return rows.map((row) => ({ paperId: row.paper_id, up: row.up }));
  }
}
