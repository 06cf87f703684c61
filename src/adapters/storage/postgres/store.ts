/**
 * The PostgreSQL store, for hubs that outgrow one machine: several app servers and workers on one database,
 * through node-postgres. The same port as the SQLite file and the same conformance suite; what SQLite gets
 * from its single writer, this gets from row locks, ON CONFLICT, SKIP LOCKED and advisory locks (see
 * docs/architecture.md).
 */
import { mergePaper, type MergeOutcome } from '../../../core/merge.js';
import type { Paper, PaperRecord } from '../../../core/paper.js';
import type {
  CollectionPaper,
  DigestClaim,
  EmbeddingChanges,
  Frequency,
  ListQuery,
  PaperChanges,
  PaperFilter,
  PaperStore,
  ReportedComment,
  SimilarEntry,
  SimilarList,
  StoredSimilarList,
  Role,
  StoredCollection,
  StoredComment,
  StoredEmbedding,
  StoredSession,
  StoreStats,
  Subscriber,
  SubmittedPaper,
  SubscriberStatus,
  TrendingRow,
  User,
} from '../../../app/ports.js';
import { fromRow, PAPER_COLUMNS, toRow, type PaperRow } from '../paper-rows.js';
import { parseChangeCursor } from '../change-cursor.js';
import { PgDatabase, type Queryable } from './database.js';
import { PgDigests } from './digests.js';
import { PgJobs } from './jobs.js';
import { migrate } from './migrations.js';
import {
  toCollection,
  toComment,
  toSession,
  toUser,
  toVector,
  type CollectionRow,
  type CommentRow,
  type SessionRow,
  type UserRow,
} from '../records.js';

const EXPORT_PAGE = 1000;

export class PostgresStore implements PaperStore {
  private readonly digests: PgDigests;
  private readonly jobs: PgJobs;

  private constructor(private readonly db: PgDatabase) {
    this.digests = new PgDigests(db);
    this.jobs = new PgJobs(db);
  }

  /** Connects and brings the schema up to date (one process at a time, under an advisory lock). */
  static async open(url: string): Promise<PostgresStore> {
    const db = new PgDatabase(url);
    try {
      await db.transaction((client) => migrate(client));
    } catch (error) {
      await db.close();
      throw error;
    }
    return new PostgresStore(db);
  }

  get description(): string {
    return this.db.description;
  }

  // ------------------------------------------------------------------------------------------------ papers

  /**
   * The paper revision counter's row is locked first: paper writers take turns (as on SQLite), so the
   * read-merge-write of each paper sees the latest version, and revisions commit in the order given out.
   */
  async upsertPapers(records: readonly PaperRecord[], now: string): Promise<MergeOutcome[]> {
    if (records.length === 0) return [];
    return this.db.transaction(async (client) => {
      const counter = await client.query<{ value: number }>(
        "SELECT value FROM store_meta WHERE key = 'revision' FOR UPDATE",
      );
      const ids = [...new Set(records.map((record) => record.id))];
      const stored = new Map<string, Paper>();
      for (const row of (
        await client.query<PaperRow>('SELECT * FROM papers WHERE id = ANY($1::text[])', [ids])
      ).rows)
        stored.set(row.id, fromRow(row));
      const changed = new Map<string, { paper: Paper; categoriesChanged: boolean }>();
      const outcomes = records.map((record) => {
        const before = stored.get(record.id) ?? null;
        const { paper, outcome } = mergePaper(before, record, now);
        if (outcome === 'unchanged') return outcome;
        const categoriesChanged =
          (changed.get(paper.id)?.categoriesChanged ?? false) ||
          before === null ||
          before.categories.join(' ') !== paper.categories.join(' ');
        stored.set(paper.id, paper);
        changed.set(paper.id, { paper, categoriesChanged });
        return outcome;
      });
      if (changed.size === 0) return outcomes;
      const revision = (counter.rows[0]?.value ?? 0) + 1;
      await client.query("UPDATE store_meta SET value = $1 WHERE key = 'revision'", [revision]);
      await writePapers(
        client,
        [...changed.values()].map((c) => c.paper),
        revision,
      );
      const recategorised = [...changed.values()].filter((c) => c.categoriesChanged).map((c) => c.paper);
      if (recategorised.length > 0) {
        await client.query('DELETE FROM paper_categories WHERE paper_id = ANY($1::text[])', [
          recategorised.map((p) => p.id),
        ]);
        const pairs = recategorised.flatMap((p) => [...new Set(p.categories)].map((c) => [c, p.id] as const));
        await client.query(
          `INSERT INTO paper_categories (category, paper_id)
           SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
          [pairs.map((pair) => pair[0]), pairs.map((pair) => pair[1])],
        );
      }
      return outcomes;
    });
  }

  async getPaper(id: string): Promise<Paper | null> {
    const row = await this.db.one<PaperRow>('SELECT * FROM papers WHERE id = $1', [id]);
    return row ? fromRow(row) : null;
  }

  async getPapers(ids: readonly string[]): Promise<Map<string, Paper>> {
    const rows = await this.db.query<PaperRow>('SELECT * FROM papers WHERE id = ANY($1::text[])', [ids]);
    const byId = new Map(rows.map((row) => [row.id, fromRow(row)]));
    const found = new Map<string, Paper>();
    for (const id of ids) {
      const paper = byId.get(id);
      if (paper) found.set(id, paper);
    }
    return found;
  }

  async listPapers(query: ListQuery): Promise<Paper[]> {
    const { where, params } = filterSql(query);
    const rows = await this.db.query<PaperRow>(
      `SELECT p.* FROM papers p ${where} ORDER BY p.day DESC NULLS LAST, p.id DESC
       LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, query.limit, query.offset ?? 0],
    );
    return rows.map(fromRow);
  }

  async countPapers(filter: PaperFilter): Promise<number> {
    const { where, params } = filterSql(filter);
    return (await this.db.one<{ n: number }>(`SELECT count(*) AS n FROM papers p ${where}`, params))?.n ?? 0;
  }

  async latestDay(): Promise<string | null> {
    return (await this.db.one<{ day: string | null }>('SELECT max(day) AS day FROM papers'))?.day ?? null;
  }

  async adjacentDays(day: string): Promise<{ previous: string | null; next: string | null }> {
    const row = await this.db.one<{ previous: string | null; next: string | null }>(
      `SELECT (SELECT max(day) FROM papers WHERE day < $1) AS previous,
              (SELECT min(day) FROM papers WHERE day > $1) AS next`,
      [day],
    );
    return { previous: row?.previous ?? null, next: row?.next ?? null };
  }

  async stats(): Promise<StoreStats> {
    const papers = (await this.db.one<{ n: number }>('SELECT count(*) AS n FROM papers'))?.n ?? 0;
    const byMonth = await this.db.query<{ k: string; n: number }>(
      "SELECT coalesce(substr(day, 1, 7), 'unknown') AS k, count(*) AS n FROM papers GROUP BY k ORDER BY k",
    );
    const byPrimary = await this.db.query<{ k: string; n: number }>(
      "SELECT coalesce(primary_category, 'none') AS k, count(*) AS n FROM papers GROUP BY k ORDER BY n DESC, k",
    );
    const toObject = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));
    return { papers, byMonth: toObject(byMonth), byPrimaryCategory: toObject(byPrimary) };
  }

  async *exportPapers(): AsyncIterable<Paper> {
    let after = '';
    for (;;) {
      const rows = await this.db.query<PaperRow>('SELECT * FROM papers WHERE id > $1 ORDER BY id LIMIT $2', [
        after,
        EXPORT_PAGE,
      ]);
      for (const row of rows) yield fromRow(row);
      if (rows.length < EXPORT_PAGE) return;
      after = (rows.at(-1) as PaperRow).id;
    }
  }

  async paperIdByDoi(doi: string): Promise<string | null> {
    const row = await this.db.one<{ id: string }>(
      'SELECT id FROM papers WHERE lower(doi) = lower($1) AND doi IS NOT NULL ORDER BY id LIMIT 1',
      [doi],
    );
    return row?.id ?? null;
  }

  async revision(): Promise<number> {
    return this.counter('revision');
  }

  async paperChanges(after: string | null, limit: number): Promise<PaperChanges> {
    const [revision, id] = parseChangeCursor(after);
    const rows = await this.db.query<PaperRow & { revision: number }>(
      'SELECT * FROM papers WHERE (revision, id) > ($1, $2) ORDER BY revision, id LIMIT $3',
      [revision, id, limit],
    );
    const last = rows.at(-1);
    return { papers: rows.map(fromRow), removed: [], cursor: last ? `${last.revision}:${last.id}` : after };
  }

  async getCursor(name: string): Promise<string | null> {
    return (
      (await this.db.one<{ value: string }>('SELECT value FROM cursors WHERE name = $1', [name]))?.value ??
      null
    );
  }

  async setCursor(name: string, value: string, at: string): Promise<void> {
    await this.db.query(
      `INSERT INTO cursors (name, value, updated_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      [name, value, at],
    );
  }

  async listCursors(prefix: string): Promise<{ name: string; value: string; updatedAt: string }[]> {
    return this.db.query(
      'SELECT name, value, updated_at AS "updatedAt" FROM cursors WHERE left(name, $1) = $2 ORDER BY name',
      [prefix.length, prefix],
    );
  }

  // ------------------------------------------------------------------------------------------- embeddings

  async embeddingHashes(model: string, paperIds: readonly string[]): Promise<Map<string, string>> {
    const rows = await this.db.query<{ paper_id: string; text_hash: string }>(
      'SELECT paper_id, text_hash FROM embeddings WHERE model = $1 AND paper_id = ANY($2::text[])',
      [model, paperIds],
    );
    return new Map(rows.map((row) => [row.paper_id, row.text_hash]));
  }

  /** The model's counter row stays locked until commit, so its revisions become visible in order. */
  async putEmbeddings(model: string, rows: readonly StoredEmbedding[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction(async (client) => {
      const counter = await client.query<{ value: number }>(
        `INSERT INTO store_meta (key, value) VALUES ($1, 1)
         ON CONFLICT (key) DO UPDATE SET value = store_meta.value + 1 RETURNING value`,
        [`embeddings:${model}`],
      );
      const revision = counter.rows[0]?.value as number;
      await client.query(
        `INSERT INTO embeddings (model, paper_id, text_hash, vector, revision)
         SELECT $1, paper_id, text_hash, vector, $2 FROM unnest($3::text[], $4::text[], $5::bytea[])
           AS given (paper_id, text_hash, vector)
         ON CONFLICT (model, paper_id) DO UPDATE
         SET text_hash = excluded.text_hash, vector = excluded.vector, revision = excluded.revision`,
        [
          model,
          revision,
          rows.map((row) => row.paperId),
          rows.map((row) => row.textHash),
          rows.map((row) => Buffer.from(row.vector.buffer, row.vector.byteOffset, row.vector.byteLength)),
        ],
      );
    });
  }

  async embeddingsRevision(model: string): Promise<number> {
    return this.counter(`embeddings:${model}`);
  }

  async getEmbedding(model: string, paperId: string): Promise<Float32Array | null> {
    const row = await this.db.one<{ vector: Buffer }>(
      'SELECT vector FROM embeddings WHERE model = $1 AND paper_id = $2',
      [model, paperId],
    );
    return row ? toVector(row.vector) : null;
  }

  async embeddingChanges(model: string, after: string | null, limit: number): Promise<EmbeddingChanges> {
    const [revision, paperId] = parseChangeCursor(after);
    const rows = await this.db.query<{ paper_id: string; vector: Buffer; revision: number }>(
      `SELECT paper_id, vector, revision FROM embeddings WHERE model = $1 AND (revision, paper_id) > ($2, $3)
       ORDER BY revision, paper_id LIMIT $4`,
      [model, revision, paperId, limit],
    );
    const last = rows.at(-1);
    return {
      embeddings: rows.map((row) => ({ paperId: row.paper_id, vector: toVector(row.vector) })),
      cursor: last ? `${last.revision}:${last.paper_id}` : after,
    };
  }

  async putSimilarPapers(model: string, lists: readonly SimilarList[], at: string): Promise<void> {
    // One row per paper (ON CONFLICT may touch a row once per statement): the last list given wins.
    const byPaper = new Map(lists.map((list) => [list.paperId, JSON.stringify(list.similar)]));
    if (byPaper.size === 0) return;
    await this.db.query(
      `INSERT INTO similar_papers (model, paper_id, neighbours, updated_at)
       SELECT $1, papers.id, given.neighbours, $4
       FROM unnest($2::text[], $3::text[]) AS given (paper_id, neighbours) JOIN papers ON papers.id = given.paper_id
       ON CONFLICT (model, paper_id) DO UPDATE SET neighbours = EXCLUDED.neighbours, updated_at = EXCLUDED.updated_at`,
      [model, [...byPaper.keys()], [...byPaper.values()], at],
    );
  }

  async similarPapers(model: string, paperIds: readonly string[]): Promise<Map<string, StoredSimilarList>> {
    const rows = await this.db.query<{ paper_id: string; neighbours: string; updated_at: string }>(
      'SELECT paper_id, neighbours, updated_at FROM similar_papers WHERE model = $1 AND paper_id = ANY($2)',
      [model, paperIds],
    );
    return new Map(
      rows.map((row) => [
        row.paper_id,
        { similar: JSON.parse(row.neighbours) as SimilarEntry[], updatedAt: row.updated_at },
      ]),
    );
  }

  async *exportEmbeddings(model: string): AsyncIterable<{ paperId: string; vector: Float32Array }> {
    let after = '';
    for (;;) {
      const rows = await this.db.query<{ paper_id: string; vector: Buffer }>(
        'SELECT paper_id, vector FROM embeddings WHERE model = $1 AND paper_id > $2 ORDER BY paper_id LIMIT $3',
        [model, after, EXPORT_PAGE],
      );
      for (const row of rows) yield { paperId: row.paper_id, vector: toVector(row.vector) };
      if (rows.length < EXPORT_PAGE) return;
      after = (rows.at(-1) as { paper_id: string }).paper_id;
    }
  }

  // -------------------------------------------------------------------------------------------- community

  /** A community write and the bump of the community revision, in one transaction. */
  private async communityWrite<T>(work: (client: Queryable) => Promise<{ result: T; changed: boolean }>) {
    return this.db.transaction(async (client) => {
      const { result, changed } = await work(client);
      if (changed) await client.query("UPDATE store_meta SET value = value + 1 WHERE key = 'votes'");
      return result;
    });
  }

  async setVote(paperId: string, voter: string, up: boolean, at: string): Promise<boolean> {
    return this.communityWrite(async (client) => {
      const { rowCount } = up
        ? await client.query(
            'INSERT INTO votes (paper_id, voter, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
            [paperId, voter, at],
          )
        : await client.query('DELETE FROM votes WHERE paper_id = $1 AND voter = $2', [paperId, voter]);
      const changed = (rowCount ?? 0) > 0;
      return { result: changed, changed };
    });
  }

  async voteCounts(paperIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.db.query<{ paper_id: string; n: number }>(
      'SELECT paper_id, count(*) AS n FROM votes WHERE paper_id = ANY($1::text[]) GROUP BY paper_id',
      [paperIds],
    );
    const counted = new Map(rows.map((row) => [row.paper_id, row.n]));
    return new Map(paperIds.map((id) => [id, counted.get(id) ?? 0]));
  }

  async communityRevision(): Promise<number> {
    return this.counter('votes');
  }

  async papersSince(fromDay: string, newAccountDays: number): Promise<TrendingRow[]> {
    return this.db.query<TrendingRow>(
      `WITH first_submissions AS (SELECT paper_id, min(day) AS day FROM submissions GROUP BY paper_id)
       SELECT p.id, greatest(coalesce(p.day, ''), coalesce(f.day, '')) AS day, count(v.voter) AS votes,
              count(*) FILTER (WHERE extract(epoch FROM v.created_at::timestamptz - u.created_at::timestamptz)
                                     < $1::float8 * 86400) AS "newAccountVotes"
       FROM papers p
       LEFT JOIN first_submissions f ON f.paper_id = p.id
       LEFT JOIN votes v ON v.paper_id = p.id
       LEFT JOIN users u ON u.id = v.voter
       WHERE p.day >= $2 OR f.day >= $2
       GROUP BY p.id, p.day, f.day`,
      [newAccountDays, fromDay],
    );
  }

  async submittedPapers(from: string, to: string, limit: number): Promise<SubmittedPaper[]> {
    const rows = await this.db.query<{ paper_id: string; day: string; first: string; submitters: number }>(
      `SELECT paper_id, min(day) AS day, min(submitted_at) AS first, count(*) AS submitters FROM submissions
       GROUP BY paper_id HAVING min(day) BETWEEN $1 AND $2 ORDER BY first DESC, paper_id LIMIT $3`,
      [from, to, limit],
    );
    return rows.map((row) => ({
      paperId: row.paper_id,
      day: row.day,
      submittedAt: row.first,
      submitters: row.submitters,
    }));
  }

  async addSubmission(paperId: string, userId: string, at: string, day: string): Promise<number> {
    return this.communityWrite(async (client) => {
      const { rowCount } = await client.query(
        `INSERT INTO submissions (paper_id, user_id, submitted_at, day) VALUES ($1, $2, $3, $4)
         ON CONFLICT (paper_id, user_id) DO NOTHING`,
        [paperId, userId, at, day],
      );
      const count = await client.query<{ n: number }>(
        'SELECT count(*) AS n FROM submissions WHERE paper_id = $1',
        [paperId],
      );
      return { result: count.rows[0]?.n ?? 0, changed: (rowCount ?? 0) > 0 };
    });
  }

  async addComment(comment: StoredComment): Promise<void> {
    await this.communityWrite(async (client) => {
      const { id, paperId, userId, parentId, body, createdAt } = comment;
      await client.query(
        `INSERT INTO comments (id, paper_id, user_id, parent_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [id, paperId, userId, parentId, body, createdAt],
      );
      return { result: undefined, changed: true };
    });
  }

  async getComment(id: string): Promise<StoredComment | null> {
    const row = await this.db.one<CommentRow>('SELECT * FROM comments WHERE id = $1', [id]);
    return row ? toComment(row) : null;
  }

  async listComments(paperId: string): Promise<StoredComment[]> {
    const rows = await this.db.query<CommentRow>(
      'SELECT * FROM comments WHERE paper_id = $1 ORDER BY created_at, id',
      [paperId],
    );
    return rows.map(toComment);
  }

  async editComment(id: string, body: string, at: string): Promise<void> {
    await this.communityWrite(async (client) => {
      const { rowCount } = await client.query(
        'UPDATE comments SET body = $1, edited_at = $2 WHERE id = $3 AND NOT deleted',
        [body, at, id],
      );
      return { result: undefined, changed: (rowCount ?? 0) > 0 };
    });
  }

  async setCommentState(id: string, state: { deleted?: true; hidden?: boolean }): Promise<void> {
    await this.communityWrite(async (client) => {
      if (state.deleted)
        await client.query("UPDATE comments SET deleted = true, body = '' WHERE id = $1", [id]);
      if (state.hidden !== undefined)
        await client.query('UPDATE comments SET hidden = $1 WHERE id = $2', [state.hidden, id]);
      return { result: undefined, changed: true };
    });
  }

  async reportComment(commentId: string, userId: string, reason: string, at: string): Promise<number> {
    return this.db.transaction(async (client) => {
      await client.query(
        `INSERT INTO comment_reports (comment_id, user_id, reason, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (comment_id, user_id) DO NOTHING`,
        [commentId, userId, reason, at],
      );
      const count = await client.query<{ n: number }>(
        'SELECT count(*) AS n FROM comment_reports WHERE comment_id = $1',
        [commentId],
      );
      return count.rows[0]?.n ?? 0;
    });
  }

  async reportedComments(limit: number): Promise<ReportedComment[]> {
    const rows = await this.db.query<CommentRow & { reports: number; reasons: string[]; last: string }>(
      `SELECT c.*, count(*) AS reports, json_agg(r.reason ORDER BY r.created_at, r.user_id) AS reasons,
              max(r.created_at) AS last
       FROM comment_reports r JOIN comments c ON c.id = r.comment_id
       WHERE NOT c.deleted GROUP BY c.id ORDER BY reports DESC, last DESC LIMIT $1`,
      [limit],
    );
    return rows.map((row) => ({
      comment: toComment(row),
      reports: row.reports,
      reasons: row.reasons,
      lastReportedAt: row.last,
    }));
  }

  async votedBy(voter: string, paperIds: readonly string[]): Promise<Set<string>> {
    const rows = await this.db.query<{ paper_id: string }>(
      'SELECT paper_id FROM votes WHERE voter = $1 AND paper_id = ANY($2::text[])',
      [voter, paperIds],
    );
    return new Set(rows.map((row) => row.paper_id));
  }

  async votedPapers(voter: string, limit: number): Promise<string[]> {
    const rows = await this.db.query<{ paper_id: string }>(
      'SELECT paper_id FROM votes WHERE voter = $1 ORDER BY created_at DESC, paper_id LIMIT $2',
      [voter, limit],
    );
    return rows.map((row) => row.paper_id);
  }

  // --------------------------------------------------------------------------------------------- accounts

  async ensureUser(candidate: User): Promise<User> {
    await this.db.query(
      'INSERT INTO users (id, email, role, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING',
      [candidate.id, candidate.email, candidate.role, candidate.createdAt],
    );
    return (await this.getUserByEmail(candidate.email)) as User;
  }

  async getUser(id: string): Promise<User | null> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
    return row ? toUser(row) : null;
  }

  async getUserByEmail(email: string): Promise<User | null> {
    const row = await this.db.one<UserRow>('SELECT * FROM users WHERE email = $1', [email]);
    return row ? toUser(row) : null;
  }

  async listUsers(options: {
    role?: Role;
    limit: number;
    offset: number;
  }): Promise<(User & { votes: number })[]> {
    const rows = await this.db.query<UserRow & { votes: number }>(
      `SELECT u.*, (SELECT count(*) FROM votes v WHERE v.voter = u.id) AS votes FROM users u
       WHERE ($1::text IS NULL OR u.role = $1) ORDER BY u.created_at, u.id LIMIT $2 OFFSET $3`,
      [options.role ?? null, options.limit, options.offset],
    );
    return rows.map((row) => ({ ...toUser(row), votes: row.votes }));
  }

  async setUserRole(id: string, role: Role): Promise<void> {
    await this.db.query('UPDATE users SET role = $1 WHERE id = $2', [role, id]);
  }

  async deleteUser(id: string): Promise<void> {
    await this.communityWrite(async (client) => {
      const user = (await client.query<UserRow>('SELECT * FROM users WHERE id = $1 FOR UPDATE', [id]))
        .rows[0];
      if (!user) return { result: undefined, changed: false };
      // Votes and comments go with the account (comments by foreign-key cascade): pages change.
      await client.query('DELETE FROM votes WHERE voter = $1', [id]);
      await client.query('DELETE FROM sign_in_tokens WHERE email = $1', [user.email]);
      await client.query('DELETE FROM users WHERE id = $1', [id]);
      return { result: undefined, changed: true };
    });
  }

  async putSignInToken(tokenHash: string, email: string, expiresAt: string): Promise<void> {
    await this.db.query('INSERT INTO sign_in_tokens (token_hash, email, expires_at) VALUES ($1, $2, $3)', [
      tokenHash,
      email,
      expiresAt,
    ]);
  }

  async takeSignInToken(tokenHash: string, now: string): Promise<string | null> {
    return this.db.transaction(async (client) => {
      const taken = await client.query<{ email: string; expires_at: string }>(
        'DELETE FROM sign_in_tokens WHERE token_hash = $1 RETURNING email, expires_at',
        [tokenHash],
      );
      await client.query('DELETE FROM sign_in_tokens WHERE expires_at <= $1', [now]);
      const row = taken.rows[0];
      return row && row.expires_at > now ? row.email : null;
    });
  }

  async putSession(session: StoredSession): Promise<void> {
    await this.db.query(
      `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [session.tokenHash, session.userId, session.csrfToken, session.createdAt, session.expiresAt],
    );
  }

  async getSession(tokenHash: string, now: string): Promise<StoredSession | null> {
    const row = await this.db.one<SessionRow>(
      'SELECT * FROM sessions WHERE token_hash = $1 AND expires_at > $2',
      [tokenHash, now],
    );
    return row ? toSession(row) : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE token_hash = $1', [tokenHash]);
  }

  async deleteSessions(userId: string): Promise<void> {
    await this.db.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  async getPasswordHash(userId: string): Promise<string | null> {
    const row = await this.db.one<{ password_hash: string | null }>(
      'SELECT password_hash FROM users WHERE id = $1',
      [userId],
    );
    return row?.password_hash ?? null;
  }

  async setPasswordHash(userId: string, hash: string | null): Promise<void> {
    await this.db.query('UPDATE users SET password_hash = $1 WHERE id = $2', [hash, userId]);
  }

  // ------------------------------------------------------------------------------------------ collections

  // Collections change public pages and feeds, so each change counts as a community change.
  async createCollection(collection: StoredCollection): Promise<void> {
    await this.communityWrite(async (client) => {
      const { id, userId, name, description, createdAt, updatedAt } = collection;
      await client.query(
        `INSERT INTO collections (id, user_id, name, description, public, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, userId, name, description, collection.public, createdAt, updatedAt],
      );
      return { result: undefined, changed: true };
    });
  }

  async getCollection(id: string): Promise<StoredCollection | null> {
    const row = await this.db.one<CollectionRow>('SELECT * FROM collections WHERE id = $1', [id]);
    return row ? toCollection(row) : null;
  }

  async listCollections(userId: string): Promise<(StoredCollection & { papers: number })[]> {
    const rows = await this.db.query<CollectionRow & { papers: number }>(
      `SELECT c.*, (SELECT count(*) FROM collection_papers p WHERE p.collection_id = c.id) AS papers
       FROM collections c WHERE user_id = $1 ORDER BY created_at, seq`,
      [userId],
    );
    return rows.map((row) => ({ ...toCollection(row), papers: row.papers }));
  }

  async updateCollection(
    id: string,
    changes: Pick<StoredCollection, 'name' | 'description' | 'public'>,
    at: string,
  ): Promise<void> {
    await this.communityWrite(async (client) => {
      await client.query(
        'UPDATE collections SET name = $1, description = $2, public = $3, updated_at = $4 WHERE id = $5',
        [changes.name, changes.description, changes.public, at, id],
      );
      return { result: undefined, changed: true };
    });
  }

  async deleteCollection(id: string): Promise<void> {
    await this.communityWrite(async (client) => {
      await client.query('DELETE FROM collections WHERE id = $1', [id]);
      return { result: undefined, changed: true };
    });
  }

  async addToCollection(
    collectionId: string,
    entries: readonly { paperId: string; note?: string }[],
    at: string,
  ): Promise<void> {
    await this.communityWrite(async (client) => {
      for (const entry of entries) {
        await client.query(
          `INSERT INTO collection_papers (collection_id, paper_id, note, added_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (collection_id, paper_id) DO UPDATE
           SET note = CASE WHEN $5 THEN excluded.note ELSE collection_papers.note END`,
          [collectionId, entry.paperId, entry.note ?? '', at, entry.note !== undefined],
        );
      }
      await client.query('UPDATE collections SET updated_at = $1 WHERE id = $2', [at, collectionId]);
      return { result: undefined, changed: true };
    });
  }

  async removeFromCollection(collectionId: string, paperId: string): Promise<void> {
    await this.communityWrite(async (client) => {
      await client.query('DELETE FROM collection_papers WHERE collection_id = $1 AND paper_id = $2', [
        collectionId,
        paperId,
      ]);
      return { result: undefined, changed: true };
    });
  }

  async collectionPapers(collectionId: string): Promise<CollectionPaper[]> {
    const rows = await this.db.query<{ paper_id: string; note: string; added_at: string }>(
      `SELECT paper_id, note, added_at FROM collection_papers WHERE collection_id = $1
       ORDER BY added_at DESC, paper_id`,
      [collectionId],
    );
    return rows.map((row) => ({ paperId: row.paper_id, note: row.note, addedAt: row.added_at }));
  }

  async collectionsWithPaper(userId: string, paperId: string): Promise<Set<string>> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT c.id FROM collections c JOIN collection_papers p ON p.collection_id = c.id
       WHERE c.user_id = $1 AND p.paper_id = $2`,
      [userId, paperId],
    );
    return new Set(rows.map((row) => row.id));
  }

  // -------------------------------------------------------------------------------------------- digests

  putSubscriber(subscriber: Subscriber, confirm: { hash: string; expires: string } | null) {
    return this.digests.putSubscriber(subscriber, confirm);
  }

  getSubscriberByEmail(email: string) {
    return this.digests.byEmail(email);
  }

  getSubscriberByLinkToken(linkToken: string) {
    return this.digests.byLinkToken(linkToken);
  }

  confirmSubscriber(confirmHash: string, now: string) {
    return this.digests.confirm(confirmHash, now);
  }

  setSubscriberStatus(id: string, status: SubscriberStatus, reason: string | null, at: string) {
    return this.digests.setStatus(id, status, reason, at);
  }

  activeSubscribers(frequency: Frequency, afterId: string, limit: number) {
    return this.digests.active(frequency, afterId, limit);
  }

  claimDigest(claim: DigestClaim, now: string) {
    return this.digests.claim(claim, now);
  }

  getDigest(subscriberId: string, period: string) {
    return this.digests.get(subscriberId, period);
  }

  finishDigest(...args: Parameters<PaperStore['finishDigest']>) {
    return this.digests.finish(...args);
  }

  sentPapers(subscriberId: string, paperIds: readonly string[]) {
    return this.digests.sentPapers(subscriberId, paperIds);
  }

  putFeedback(subscriberId: string, paperId: string, up: boolean, at: string) {
    return this.digests.putFeedback(subscriberId, paperId, up, at);
  }

  feedback(subscriberId: string) {
    return this.digests.feedback(subscriberId);
  }

  getFeedback(subscriberId: string, paperId: string) {
    return this.digests.getFeedback(subscriberId, paperId);
  }

  deleteFeedback(subscriberId: string, paperId: string) {
    return this.digests.deleteFeedback(subscriberId, paperId);
  }

  // ----------------------------------------------------------------------------------------------- jobs

  claimJobRun(...args: Parameters<PaperStore['claimJobRun']>) {
    return this.jobs.claim(...args);
  }

  renewJobRun(...args: Parameters<PaperStore['renewJobRun']>) {
    return this.jobs.renew(...args);
  }

  finishJobRun(...args: Parameters<PaperStore['finishJobRun']>) {
    return this.jobs.finish(...args);
  }

  jobRuns(options: { job?: string; limit: number }) {
    return this.jobs.recent(options);
  }

  // ---------------------------------------------------------------------------------------- rate limits

  /** Under the key's advisory lock: two servers counting the same key take turns, so none passes the limit. */
  async takeRateLimit(key: string, now: string, windowStart: string, limit: number, expired: string) {
    return this.db.transaction(async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('openpapers rate ' || $1))", [key]);
      await client.query('DELETE FROM rate_events WHERE at < $1', [expired]);
      await client.query('DELETE FROM rate_events WHERE key = $1 AND at < $2', [key, windowStart]);
      const counted = await client.query<{ n: number }>(
        'SELECT count(*) AS n FROM rate_events WHERE key = $1 AND at >= $2',
        [key, windowStart],
      );
      if ((counted.rows[0]?.n ?? 0) >= limit) return false;
      await client.query('INSERT INTO rate_events (key, at) VALUES ($1, $2)', [key, now]);
      return true;
    });
  }

  async deleteRateEvents(keys: readonly string[]): Promise<void> {
    await this.db.query('DELETE FROM rate_events WHERE key = ANY($1::text[])', [keys]);
  }

  private async counter(key: string): Promise<number> {
    return (
      (await this.db.one<{ value: number }>('SELECT value FROM store_meta WHERE key = $1', [key]))?.value ?? 0
    );
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/** One multi-row upsert: a column of values per array. */
async function writePapers(client: Queryable, papers: readonly Paper[], revision: number): Promise<void> {
  const rows = papers.map(toRow);
  const columns = PAPER_COLUMNS.join(', ');
  const arrays = PAPER_COLUMNS.map((column, i) => `$${i + 1}::text[]`).join(', ');
  const updates = PAPER_COLUMNS.filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  await client.query(
    `INSERT INTO papers (${columns}, revision)
     SELECT *, $${PAPER_COLUMNS.length + 1}::bigint FROM unnest(${arrays})
     ON CONFLICT (id) DO UPDATE SET ${updates}, revision = excluded.revision`,
    [...PAPER_COLUMNS.map((column) => rows.map((row) => row[column])), revision],
  );
}

function filterSql(filter: PaperFilter): { where: string; params: string[] } {
  const conditions: string[] = [];
  const params: string[] = [];
  const param = (value: string) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.from) conditions.push(`p.day >= ${param(filter.from)}`);
  if (filter.to) conditions.push(`p.day <= ${param(filter.to)}`);
  if (filter.category) {
    conditions.push(
      `p.id IN (SELECT paper_id FROM paper_categories WHERE category = ${param(filter.category)})`,
    );
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}
