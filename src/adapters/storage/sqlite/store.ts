/** The embedded default store: one SQLite file in WAL mode, through better-sqlite3. */
import Database from 'better-sqlite3';
import { mergePaper, type MergeOutcome } from '../../../core/merge.js';
import type { Paper, PaperRecord } from '../../../core/paper.js';
import type {
  CollectionPaper,
  DigestClaim,
  Frequency,
  Subscriber,
  SubscriberStatus,
  ListQuery,
  ReportedComment,
  StoredCollection,
  PaperFilter,
  PaperStore,
  Role,
  StoredComment,
  StoredSession,
  TrendingRow,
  User,
  StoredEmbedding,
  StoreStats,
  PaperChanges,
  EmbeddingChanges,
  SimilarEntry,
  SimilarList,
  StoredSimilarList,
  SubmittedPaper,
} from '../../../app/ports.js';
import { SqliteDigests } from './digests.js';
import { SqliteJobs } from './jobs.js';
import { InListReads, PAPERS_BY_ID } from './in-lists.js';
import { migrate } from './migrations.js';
import { startPaperReader, type PaperReader } from './paper-reader.js';
import { BUSY_TIMEOUT_MS, immediate } from './write.js';
import { parseChangeCursor } from '../change-cursor.js';
import { fromRow, PAPER_COLUMNS, toRow, type PaperRow } from '../paper-rows.js';
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

const EXPORT_PAGE = 500;

export class SqliteStore implements PaperStore {
  private readonly db: Database.Database;
  private readonly statements;
  private readonly collections;
  private readonly digests: SqliteDigests;
  private readonly jobs: SqliteJobs;
  private readonly inLists: InListReads;
  private readonly paperReader: PaperReader | null;

  /**
   * `readPapersOnThread`: reads of papers by id (a paper's page, a page of results) go to a thread of their
   * own, so that a read from disk never holds this thread's event loop (servers).
   */
  constructor(path: string, options: { readPapersOnThread?: boolean } = {}) {
    this.db = new Database(path);
    this.inLists = new InListReads(this.db);
    this.db.pragma('journal_mode = WAL');
    // NORMAL is durable across process crashes in WAL mode; only a power loss can drop the last commits.
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    migrate(this.db);

    const columns = PAPER_COLUMNS.join(', ');
    const updates = PAPER_COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.statements = {
      get: this.db.prepare<[string], PaperRow>('SELECT * FROM papers WHERE id = ?'),
      upsert: this.db.prepare<PaperRow & { revision: number }>(
        `INSERT INTO papers (${columns}, revision) VALUES (${PAPER_COLUMNS.map((c) => `@${c}`).join(', ')}, @revision)
         ON CONFLICT (id) DO UPDATE SET ${updates}, revision = excluded.revision`,
      ),
      paperChanges: this.db.prepare<[number, string, number], PaperRow & { revision: number }>(
        'SELECT * FROM papers WHERE (revision, id) > (?, ?) ORDER BY revision, id LIMIT ?',
      ),
      getCursor: this.db.prepare<[string], { value: string }>('SELECT value FROM cursors WHERE name = ?'),
      listCursors: this.db.prepare<[number, string], { name: string; value: string; updatedAt: string }>(
        'SELECT name, value, updated_at AS updatedAt FROM cursors WHERE substr(name, 1, ?) = ? ORDER BY name',
      ),
      setCursor: this.db.prepare<[string, string, string]>(
        `INSERT INTO cursors (name, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      ),
      deleteCategories: this.db.prepare<[string]>('DELETE FROM paper_categories WHERE paper_id = ?'),
      insertCategory: this.db.prepare<[string, string]>(
        'INSERT OR IGNORE INTO paper_categories (category, paper_id) VALUES (?, ?)',
      ),
      exportPage: this.db.prepare<[string, number], PaperRow>(
        'SELECT * FROM papers WHERE id > ? ORDER BY id LIMIT ?',
      ),
      revision: this.db.prepare<[], { value: number }>("SELECT value FROM store_meta WHERE key = 'revision'"),
      // Days with announced papers; community submissions are listed apart and never move a paper's day.
      latestDay: this.db.prepare<[], { day: string | null }>('SELECT max(day) AS day FROM papers'),
      previousDay: this.db.prepare<[string], { day: string | null }>(
        'SELECT max(day) AS day FROM papers WHERE day < ?',
      ),
      nextDay: this.db.prepare<[string], { day: string | null }>(
        'SELECT min(day) AS day FROM papers WHERE day > ?',
      ),
      submitted: this.db.prepare<[string, string, number], SubmittedRow>(
        `SELECT paper_id, min(day) AS day, min(submitted_at) AS first, count(*) AS submitters FROM submissions
         GROUP BY paper_id HAVING min(day) BETWEEN ? AND ? ORDER BY first DESC, paper_id LIMIT ?`,
      ),
      addSubmission: this.db.prepare<[string, string, string, string]>(
        `INSERT INTO submissions (paper_id, user_id, submitted_at, day) VALUES (?, ?, ?, ?)
         ON CONFLICT (paper_id, user_id) DO NOTHING`,
      ),
      submissionCount: this.db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM submissions WHERE paper_id = ?',
      ),
      addVote: this.db.prepare<[string, string, string]>(
        'INSERT OR IGNORE INTO votes (paper_id, voter, created_at) VALUES (?, ?, ?)',
      ),
      removeVote: this.db.prepare<[string, string]>('DELETE FROM votes WHERE paper_id = ? AND voter = ?'),
      // The counter is called 'votes' in the database: votes were the first community changes it counted.
      bumpCommunityRevision: this.db.prepare("UPDATE store_meta SET value = value + 1 WHERE key = 'votes'"),
      communityRevision: this.db.prepare<[], { value: number }>(
        "SELECT value FROM store_meta WHERE key = 'votes'",
      ),
      addComment: this.db.prepare<[string, string, string, string | null, string, string]>(
        `INSERT INTO comments (id, paper_id, user_id, parent_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      getComment: this.db.prepare<[string], CommentRow>('SELECT * FROM comments WHERE id = ?'),
      listComments: this.db.prepare<[string], CommentRow>(
        'SELECT * FROM comments WHERE paper_id = ? ORDER BY created_at, id',
      ),
      editComment: this.db.prepare<[string, string, string]>(
        'UPDATE comments SET body = ?, edited_at = ? WHERE id = ? AND deleted = 0',
      ),
      deleteComment: this.db.prepare<[string]>("UPDATE comments SET deleted = 1, body = '' WHERE id = ?"),
      hideComment: this.db.prepare<[number, string]>('UPDATE comments SET hidden = ? WHERE id = ?'),
      reportComment: this.db.prepare<[string, string, string, string]>(
        `INSERT INTO comment_reports (comment_id, user_id, reason, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (comment_id, user_id) DO NOTHING`,
      ),
      reportCount: this.db.prepare<[string], { n: number }>(
        'SELECT count(*) AS n FROM comment_reports WHERE comment_id = ?',
      ),
      votedBy: this.db.prepare<[string, string], { paper_id: string }>(
        'SELECT paper_id FROM votes WHERE voter = ? AND paper_id = ?',
      ),
      votedPapers: this.db.prepare<[string, number], { paper_id: string }>(
        'SELECT paper_id FROM votes WHERE voter = ? ORDER BY created_at DESC, paper_id LIMIT ?',
      ),
      insertUser: this.db.prepare<[string, string, string, string]>(
        'INSERT INTO users (id, email, role, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (email) DO NOTHING',
      ),
      userById: this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
      userByEmail: this.db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?'),
      setRole: this.db.prepare<[string, string]>('UPDATE users SET role = ? WHERE id = ?'),
      deleteUser: this.db.prepare<[string]>('DELETE FROM users WHERE id = ?'),
      deleteVotesOf: this.db.prepare<[string]>('DELETE FROM votes WHERE voter = ?'),
      deleteTokensOf: this.db.prepare<[string]>('DELETE FROM sign_in_tokens WHERE email = ?'),
      putToken: this.db.prepare<[string, string, string]>(
        'INSERT INTO sign_in_tokens (token_hash, email, expires_at) VALUES (?, ?, ?)',
      ),
      takeToken: this.db.prepare<[string], { email: string; expires_at: string }>(
        'DELETE FROM sign_in_tokens WHERE token_hash = ? RETURNING email, expires_at',
      ),
      dropExpiredTokens: this.db.prepare<[string]>('DELETE FROM sign_in_tokens WHERE expires_at <= ?'),
      putSession: this.db.prepare<[string, string, string, string, string]>(
        `INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
      ),
      getSession: this.db.prepare<[string, string], SessionRow>(
        'SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?',
      ),
      deleteSession: this.db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?'),
      deleteSessions: this.db.prepare<[string]>('DELETE FROM sessions WHERE user_id = ?'),
      countEvents: this.db.prepare<[string, string], { n: number }>(
        'SELECT count(*) AS n FROM rate_events WHERE key = ? AND at >= ?',
      ),
      addEvent: this.db.prepare<[string, string]>('INSERT INTO rate_events (key, at) VALUES (?, ?)'),
      dropOldEvents: this.db.prepare<[string, string]>('DELETE FROM rate_events WHERE key = ? AND at < ?'),
      dropExpiredEvents: this.db.prepare<[string]>('DELETE FROM rate_events WHERE at < ?'),
      dropEventsOf: this.db.prepare<[string]>('DELETE FROM rate_events WHERE key = ?'),
      papersSince: this.db.prepare<[number, string, string], TrendingRow>(
        `SELECT p.id, max(coalesce(p.day, ''), coalesce(f.day, '')) AS day, count(v.voter) AS votes,
                count(CASE WHEN julianday(v.created_at) - julianday(u.created_at) < ? THEN 1 END) AS newAccountVotes
         FROM papers p
         LEFT JOIN first_submissions f ON f.paper_id = p.id
         LEFT JOIN votes v ON v.paper_id = p.id
         LEFT JOIN users u ON u.id = v.voter
         WHERE p.day >= ? OR f.day >= ?
         GROUP BY p.id`,
      ),
      bumpRevision: this.db.prepare("UPDATE store_meta SET value = value + 1 WHERE key = 'revision'"),
      embeddingsRevision: this.db.prepare<[string], { value: number }>(
        'SELECT value FROM store_meta WHERE key = ?',
      ),
      bumpEmbeddingsRevision: this.db.prepare<[string]>(
        `INSERT INTO store_meta (key, value) VALUES (?, 1) ON CONFLICT (key) DO UPDATE SET value = value + 1`,
      ),
      putEmbedding: this.db.prepare<[string, string, string, Buffer, number]>(
        `INSERT INTO embeddings (model, paper_id, text_hash, vector, revision) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (model, paper_id) DO UPDATE
         SET text_hash = excluded.text_hash, vector = excluded.vector, revision = excluded.revision`,
      ),
      getEmbedding: this.db.prepare<[string, string], { vector: Buffer }>(
        'SELECT vector FROM embeddings WHERE model = ? AND paper_id = ?',
      ),
      embeddingPage: this.db.prepare<[string, string, number], { paper_id: string; vector: Buffer }>(
        'SELECT paper_id, vector FROM embeddings WHERE model = ? AND paper_id > ? ORDER BY paper_id LIMIT ?',
      ),
      // Two statements, so that each page is one seek in embeddings_by_revision: with both conditions in one,
      // SQLite ranges over `revision > ?` and filters, which makes reading everything quadratic.
      firstEmbeddingChanges: this.db.prepare<
        [string, number, number],
        { paper_id: string; vector: Buffer; revision: number }
      >(
        `SELECT paper_id, vector, revision FROM embeddings WHERE model = ? AND revision > ?
         ORDER BY revision, paper_id LIMIT ?`,
      ),
      nextEmbeddingChanges: this.db.prepare<
        [string, number, string, number],
        { paper_id: string; vector: Buffer; revision: number }
      >(
        `SELECT paper_id, vector, revision FROM embeddings WHERE model = ? AND (revision, paper_id) > (?, ?)
         ORDER BY revision, paper_id LIMIT ?`,
      ),
    };
    this.digests = new SqliteDigests(this.db);
    this.jobs = new SqliteJobs(this.db);
    this.collections = {
      create: this.db.prepare<[string, string, string, string, number, string, string]>(
        `INSERT INTO collections (id, user_id, name, description, public, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      get: this.db.prepare<[string], CollectionRow>('SELECT * FROM collections WHERE id = ?'),
      list: this.db.prepare<[string], CollectionRow & { papers: number }>(
        `SELECT c.*, (SELECT count(*) FROM collection_papers p WHERE p.collection_id = c.id) AS papers
         FROM collections c WHERE user_id = ? ORDER BY created_at, c.rowid`,
      ),
      update: this.db.prepare<[string, string, number, string, string]>(
        'UPDATE collections SET name = ?, description = ?, public = ?, updated_at = ? WHERE id = ?',
      ),
      touch: this.db.prepare<[string, string]>('UPDATE collections SET updated_at = ? WHERE id = ?'),
      delete: this.db.prepare<[string]>('DELETE FROM collections WHERE id = ?'),
      add: this.db.prepare<[string, string, string, string]>(
        `INSERT INTO collection_papers (collection_id, paper_id, note, added_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (collection_id, paper_id) DO NOTHING`,
      ),
      setNote: this.db.prepare<[string, string, string]>(
        'UPDATE collection_papers SET note = ? WHERE collection_id = ? AND paper_id = ?',
      ),
      remove: this.db.prepare<[string, string]>(
        'DELETE FROM collection_papers WHERE collection_id = ? AND paper_id = ?',
      ),
      papers: this.db.prepare<[string], { paper_id: string; note: string; added_at: string }>(
        `SELECT paper_id, note, added_at FROM collection_papers WHERE collection_id = ?
         ORDER BY added_at DESC, paper_id`,
      ),
      withPaper: this.db.prepare<[string, string], { id: string }>(
        `SELECT c.id FROM collections c JOIN collection_papers p ON p.collection_id = c.id
         WHERE c.user_id = ? AND p.paper_id = ?`,
      ),
      byDoi: this.db.prepare<[string], { id: string }>(
        'SELECT id FROM papers WHERE lower(doi) = lower(?) AND doi IS NOT NULL ORDER BY id LIMIT 1',
      ),
      getPassword: this.db.prepare<[string], { password_hash: string | null }>(
        'SELECT password_hash FROM users WHERE id = ?',
      ),
      setPassword: this.db.prepare<[string | null, string]>(
        'UPDATE users SET password_hash = ? WHERE id = ?',
      ),
      reported: this.db.prepare<[number], CommentRow & { reports: number; reasons: string; last: string }>(
        `SELECT c.*, count(*) AS reports, json_group_array(r.reason) AS reasons, max(r.created_at) AS last
         FROM comment_reports r JOIN comments c ON c.id = r.comment_id
         WHERE c.deleted = 0 GROUP BY c.id ORDER BY reports DESC, last DESC LIMIT ?`,
      ),
    };
    this.paperReader = options.readPapersOnThread ? startPaperReader(path) : null;
  }

  async upsertPapers(records: readonly PaperRecord[], now: string): Promise<MergeOutcome[]> {
    return immediate(this.db, () => {
      // The batch's revision, taken at its first change: every paper it changes is at that revision.
      let revision: number | null = null;
      const nextRevision = () => {
        if (revision === null) {
          this.statements.bumpRevision.run();
          revision = this.statements.revision.get()?.value ?? 0;
        }
        return revision;
      };
      return records.map((record) => this.upsertOne(record, now, nextRevision));
    });
  }

  private upsertOne(record: PaperRecord, now: string, revision: () => number): MergeOutcome {
    const row = this.statements.get.get(record.id);
    const stored = row ? fromRow(row) : null;
    const { paper, outcome } = mergePaper(stored, record, now);
    if (outcome === 'unchanged') return outcome;
    this.statements.upsert.run({ ...toRow(paper), revision: revision() });
    if (stored === null || stored.categories.join(' ') !== paper.categories.join(' ')) {
      this.statements.deleteCategories.run(paper.id);
      for (const category of paper.categories) this.statements.insertCategory.run(category, paper.id);
    }
    return outcome;
  }

  async getPaper(id: string): Promise<Paper | null> {
    const [row] = await this.paperRows([id]);
    return row ? fromRow(row) : null;
  }

  async listPapers(query: ListQuery): Promise<Paper[]> {
    const { where, params } = filterSql(query);
    const sql = `SELECT p.* FROM papers p ${where} ORDER BY p.day DESC, p.id DESC LIMIT @limit OFFSET @offset`;
    return this.db
      .prepare<Record<string, string | number>, PaperRow>(sql)
      .all({ ...params, limit: query.limit, offset: query.offset ?? 0 })
      .map(fromRow);
  }

  async countPapers(filter: PaperFilter): Promise<number> {
    const { where, params } = filterSql(filter);
    const sql = `SELECT count(*) AS n FROM papers p ${where}`;
    return (this.db.prepare<Record<string, string>, { n: number }>(sql).get(params) as { n: number }).n;
  }

  async latestDay(): Promise<string | null> {
    return this.statements.latestDay.get()?.day ?? null;
  }

  async adjacentDays(day: string): Promise<{ previous: string | null; next: string | null }> {
    return {
      previous: this.statements.previousDay.get(day)?.day ?? null,
      next: this.statements.nextDay.get(day)?.day ?? null,
    };
  }

  async submittedPapers(from: string, to: string, limit: number): Promise<SubmittedPaper[]> {
    return this.statements.submitted.all(from, to, limit).map((row) => ({
      paperId: row.paper_id,
      day: row.day,
      submittedAt: row.first,
      submitters: row.submitters,
    }));
  }

  async setVote(paperId: string, voter: string, up: boolean, at: string): Promise<boolean> {
    return immediate(this.db, () => {
      const changes = up
        ? this.statements.addVote.run(paperId, voter, at).changes
        : this.statements.removeVote.run(paperId, voter).changes;
      if (changes > 0) this.statements.bumpCommunityRevision.run();
      return changes > 0;
    });
  }

  async voteCounts(paperIds: readonly string[]): Promise<Map<string, number>> {
    const counts = new Map<string, number>(paperIds.map((id) => [id, 0]));
    const rows = this.inLists.rows<{ paper_id: string; n: number }>(
      'SELECT paper_id, count(*) AS n FROM votes WHERE paper_id IN',
      paperIds,
      [],
      'GROUP BY paper_id',
    );
    for (const row of rows) counts.set(row.paper_id, row.n);
    return counts;
  }

  async communityRevision(): Promise<number> {
    return this.statements.communityRevision.get()?.value ?? 0;
  }

  async papersSince(fromDay: string, newAccountDays: number): Promise<TrendingRow[]> {
    return this.statements.papersSince.all(newAccountDays, fromDay, fromDay);
  }

  async addSubmission(paperId: string, userId: string, at: string, day: string): Promise<number> {
    return immediate(this.db, () => {
      if (this.statements.addSubmission.run(paperId, userId, at, day).changes > 0) {
        this.statements.bumpCommunityRevision.run();
      }
      return this.statements.submissionCount.get(paperId)?.n ?? 0;
    });
  }

  async addComment(comment: StoredComment): Promise<void> {
    immediate(this.db, () => {
      const { id, paperId, userId, parentId, body, createdAt } = comment;
      this.statements.addComment.run(id, paperId, userId, parentId, body, createdAt);
      this.statements.bumpCommunityRevision.run();
    });
  }

  async getComment(id: string): Promise<StoredComment | null> {
    const row = this.statements.getComment.get(id);
    return row ? toComment(row) : null;
  }

  async listComments(paperId: string): Promise<StoredComment[]> {
    return this.statements.listComments.all(paperId).map(toComment);
  }

  async editComment(id: string, body: string, at: string): Promise<void> {
    immediate(this.db, () => {
      if (this.statements.editComment.run(body, at, id).changes > 0)
        this.statements.bumpCommunityRevision.run();
    });
  }

  async setCommentState(id: string, state: { deleted?: true; hidden?: boolean }): Promise<void> {
    immediate(this.db, () => {
      if (state.deleted) this.statements.deleteComment.run(id);
      if (state.hidden !== undefined) this.statements.hideComment.run(state.hidden ? 1 : 0, id);
      this.statements.bumpCommunityRevision.run();
    });
  }

  async reportComment(commentId: string, userId: string, reason: string, at: string): Promise<number> {
    this.statements.reportComment.run(commentId, userId, reason, at);
    return this.statements.reportCount.get(commentId)?.n ?? 0;
  }

  async votedBy(voter: string, paperIds: readonly string[]): Promise<Set<string>> {
    return new Set(paperIds.filter((id) => this.statements.votedBy.get(voter, id)));
  }

  async votedPapers(voter: string, limit: number): Promise<string[]> {
    return this.statements.votedPapers.all(voter, limit).map((row) => row.paper_id);
  }

  async ensureUser(candidate: User): Promise<User> {
    this.statements.insertUser.run(candidate.id, candidate.email, candidate.role, candidate.createdAt);
    return toUser(this.statements.userByEmail.get(candidate.email) as UserRow);
  }

  async getUser(id: string): Promise<User | null> {
    const row = this.statements.userById.get(id);
    return row ? toUser(row) : null;
  }

  async listUsers(options: {
    role?: Role;
    limit: number;
    offset: number;
  }): Promise<(User & { votes: number })[]> {
    const rows = this.db
      .prepare<[string | null, string | null, number, number], UserRow & { votes: number }>(
        `SELECT u.*, (SELECT count(*) FROM votes v WHERE v.voter = u.id) AS votes FROM users u
         WHERE (? IS NULL OR u.role = ?) ORDER BY u.created_at, u.id LIMIT ? OFFSET ?`,
      )
      .all(options.role ?? null, options.role ?? null, options.limit, options.offset);
    return rows.map((row) => ({ ...toUser(row), votes: row.votes }));
  }

  async getUserByEmail(email: string): Promise<User | null> {
    const row = this.statements.userByEmail.get(email);
    return row ? toUser(row) : null;
  }

  async setUserRole(id: string, role: Role): Promise<void> {
    this.statements.setRole.run(role, id);
  }

  async deleteUser(id: string): Promise<void> {
    immediate(this.db, () => {
      const user = this.statements.userById.get(id);
      if (!user) return;
      // Votes and comments go with the account (comments by foreign-key cascade): pages change.
      this.statements.deleteVotesOf.run(id);
      this.statements.bumpCommunityRevision.run();
      this.statements.deleteTokensOf.run(user.email);
      this.statements.deleteUser.run(id);
    });
  }

  async reportedComments(limit: number): Promise<ReportedComment[]> {
    return this.collections.reported.all(limit).map((row) => ({
      comment: toComment(row),
      reports: row.reports,
      reasons: JSON.parse(row.reasons) as string[],
      lastReportedAt: row.last,
    }));
  }

  async getPasswordHash(userId: string): Promise<string | null> {
    return this.collections.getPassword.get(userId)?.password_hash ?? null;
  }

  async setPasswordHash(userId: string, hash: string | null): Promise<void> {
    this.collections.setPassword.run(hash, userId);
  }

  // Collections change public pages and feeds, so each change counts as a community change.
  async createCollection(collection: StoredCollection): Promise<void> {
    immediate(this.db, () => {
      const { id, userId, name, description, createdAt, updatedAt } = collection;
      this.collections.create.run(
        id,
        userId,
        name,
        description,
        collection.public ? 1 : 0,
        createdAt,
        updatedAt,
      );
      this.statements.bumpCommunityRevision.run();
    });
  }

  async getCollection(id: string): Promise<StoredCollection | null> {
    const row = this.collections.get.get(id);
    return row ? toCollection(row) : null;
  }

  async listCollections(userId: string): Promise<(StoredCollection & { papers: number })[]> {
    return this.collections.list.all(userId).map((row) => ({ ...toCollection(row), papers: row.papers }));
  }

  async updateCollection(
    id: string,
    changes: Pick<StoredCollection, 'name' | 'description' | 'public'>,
    at: string,
  ): Promise<void> {
    immediate(this.db, () => {
      this.collections.update.run(changes.name, changes.description, changes.public ? 1 : 0, at, id);
      this.statements.bumpCommunityRevision.run();
    });
  }

  async deleteCollection(id: string): Promise<void> {
    immediate(this.db, () => {
      this.collections.delete.run(id);
      this.statements.bumpCommunityRevision.run();
    });
  }

  async addToCollection(
    collectionId: string,
    entries: readonly { paperId: string; note?: string }[],
    at: string,
  ): Promise<void> {
    immediate(this.db, () => {
      for (const entry of entries) {
        this.collections.add.run(collectionId, entry.paperId, entry.note ?? '', at);
        if (entry.note !== undefined) this.collections.setNote.run(entry.note, collectionId, entry.paperId);
      }
      this.collections.touch.run(at, collectionId);
      this.statements.bumpCommunityRevision.run();
    });
  }

  async removeFromCollection(collectionId: string, paperId: string): Promise<void> {
    immediate(this.db, () => {
      this.collections.remove.run(collectionId, paperId);
      this.statements.bumpCommunityRevision.run();
    });
  }

  async collectionPapers(collectionId: string): Promise<CollectionPaper[]> {
    return this.collections.papers
      .all(collectionId)
      .map((row) => ({ paperId: row.paper_id, note: row.note, addedAt: row.added_at }));
  }

  async collectionsWithPaper(userId: string, paperId: string): Promise<Set<string>> {
    return new Set(this.collections.withPaper.all(userId, paperId).map((row) => row.id));
  }

  async paperIdByDoi(doi: string): Promise<string | null> {
    return this.collections.byDoi.get(doi)?.id ?? null;
  }

  async putSubscriber(subscriber: Subscriber, confirm: { hash: string; expires: string } | null) {
    return this.digests.putSubscriber(subscriber, confirm);
  }

  async getSubscriberByEmail(email: string) {
    return this.digests.byEmail(email);
  }

  async getSubscriberByLinkToken(linkToken: string) {
    return this.digests.byLinkToken(linkToken);
  }

  async confirmSubscriber(confirmHash: string, now: string) {
    return this.digests.confirm(confirmHash, now);
  }

  async setSubscriberStatus(id: string, status: SubscriberStatus, reason: string | null, at: string) {
    this.digests.setStatus(id, status, reason, at);
  }

  async activeSubscribers(frequency: Frequency, afterId: string, limit: number) {
    return this.digests.active(frequency, afterId, limit);
  }

  async claimDigest(claim: DigestClaim, now: string) {
    return this.digests.claim(claim, now);
  }

  async getDigest(subscriberId: string, period: string) {
    return this.digests.get(subscriberId, period);
  }

  async finishDigest(...args: Parameters<PaperStore['finishDigest']>) {
    this.digests.finish(...args);
  }

  async sentPapers(subscriberId: string, paperIds: readonly string[]) {
    return this.digests.sentPapers(subscriberId, paperIds);
  }

  async putFeedback(subscriberId: string, paperId: string, up: boolean, at: string) {
    this.digests.putFeedback(subscriberId, paperId, up, at);
  }

  async feedback(subscriberId: string) {
    return this.digests.feedback(subscriberId);
  }

  async getFeedback(subscriberId: string, paperId: string) {
    return this.digests.getFeedback(subscriberId, paperId);
  }

  async deleteFeedback(subscriberId: string, paperId: string) {
    this.digests.deleteFeedback(subscriberId, paperId);
  }

  async claimJobRun(...args: Parameters<PaperStore['claimJobRun']>) {
    return this.jobs.claim(...args);
  }

  async renewJobRun(...args: Parameters<PaperStore['renewJobRun']>) {
    return this.jobs.renew(...args);
  }

  async finishJobRun(...args: Parameters<PaperStore['finishJobRun']>) {
    return this.jobs.finish(...args);
  }

  async jobRuns(options: { job?: string; limit: number }) {
    return this.jobs.recent(options);
  }

  async putSignInToken(tokenHash: string, email: string, expiresAt: string): Promise<void> {
    this.statements.putToken.run(tokenHash, email, expiresAt);
  }

  async takeSignInToken(tokenHash: string, now: string): Promise<string | null> {
    return immediate(this.db, () => {
      const row = this.statements.takeToken.get(tokenHash);
      this.statements.dropExpiredTokens.run(now);
      return row && row.expires_at > now ? row.email : null;
    });
  }

  async putSession(session: StoredSession): Promise<void> {
    this.statements.putSession.run(
      session.tokenHash,
      session.userId,
      session.csrfToken,
      session.createdAt,
      session.expiresAt,
    );
  }

  async getSession(tokenHash: string, now: string): Promise<StoredSession | null> {
    const row = this.statements.getSession.get(tokenHash, now);
    return row ? toSession(row) : null;
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.statements.deleteSession.run(tokenHash);
  }

  async deleteSessions(userId: string): Promise<void> {
    this.statements.deleteSessions.run(userId);
  }

  async takeRateLimit(
    key: string,
    now: string,
    windowStart: string,
    limit: number,
    expired: string,
  ): Promise<boolean> {
    return immediate(this.db, () => {
      this.statements.dropExpiredEvents.run(expired);
      this.statements.dropOldEvents.run(key, windowStart);
      if ((this.statements.countEvents.get(key, windowStart)?.n ?? 0) >= limit) return false;
      this.statements.addEvent.run(key, now);
      return true;
    });
  }

  async deleteRateEvents(keys: readonly string[]): Promise<void> {
    immediate(this.db, () => {
      for (const key of keys) this.statements.dropEventsOf.run(key);
    });
  }

  async stats(): Promise<StoreStats> {
    const papers = (this.db.prepare('SELECT count(*) AS n FROM papers').get() as { n: number }).n;
    const byMonth = this.db
      .prepare(
        "SELECT coalesce(substr(day, 1, 7), 'unknown') AS k, count(*) AS n FROM papers GROUP BY k ORDER BY k",
      )
      .all() as { k: string; n: number }[];
    const byPrimary = this.db
      .prepare(
        "SELECT coalesce(primary_category, 'none') AS k, count(*) AS n FROM papers GROUP BY k ORDER BY n DESC, k",
      )
      .all() as { k: string; n: number }[];
    const toObject = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, r.n]));
    return { papers, byMonth: toObject(byMonth), byPrimaryCategory: toObject(byPrimary) };
  }

  async *exportPapers(): AsyncIterable<Paper> {
    let after = '';
    for (;;) {
      const rows = this.statements.exportPage.all(after, EXPORT_PAGE);
      for (const row of rows) yield fromRow(row);
      if (rows.length < EXPORT_PAGE) return;
      after = (rows.at(-1) as PaperRow).id;
    }
  }

  async getPapers(ids: readonly string[]): Promise<Map<string, Paper>> {
    // One statement per list: each statement opens its own read of the WAL, which costs more than a row.
    const rows = new Map((await this.paperRows(ids)).map((row) => [row.id, row]));
    // In the order asked for, as the PostgreSQL store gives them.
    const found = new Map<string, Paper>();
    for (const id of ids) {
      const row = rows.get(id);
      if (row && !found.has(id)) found.set(id, fromRow(row));
    }
    return found;
  }

  /** On the reader thread when there is one; here once it has stopped, as before it. */
  private async paperRows(ids: readonly string[]): Promise<PaperRow[]> {
    if (this.paperReader && !this.paperReader.stopped && ids.length > 0) {
      return this.paperReader.read(ids);
    }
    return this.inLists.rows<PaperRow>(PAPERS_BY_ID, ids);
  }

  async revision(): Promise<number> {
    return this.statements.revision.get()?.value ?? 0;
  }

  async paperChanges(after: string | null, limit: number): Promise<PaperChanges> {
    const [revision, id] = parseChangeCursor(after);
    const rows = this.statements.paperChanges.all(revision, id, limit);
    const last = rows.at(-1);
    return {
      papers: rows.map(fromRow),
      removed: [],
      cursor: last ? `${last.revision}:${last.id}` : after,
    };
  }

  async getCursor(name: string): Promise<string | null> {
    return this.statements.getCursor.get(name)?.value ?? null;
  }

  async setCursor(name: string, value: string, at: string): Promise<void> {
    this.statements.setCursor.run(name, value, at);
  }

  async listCursors(prefix: string): Promise<{ name: string; value: string; updatedAt: string }[]> {
    return this.statements.listCursors.all(prefix.length, prefix);
  }

  async embeddingHashes(model: string, paperIds: readonly string[]): Promise<Map<string, string>> {
    const rows = this.inLists.rows<{ paper_id: string; text_hash: string }>(
      'SELECT paper_id, text_hash FROM embeddings WHERE model = ? AND paper_id IN',
      paperIds,
      [model],
    );
    return new Map(rows.map((row) => [row.paper_id, row.text_hash]));
  }

  async putEmbeddings(model: string, rows: readonly StoredEmbedding[]): Promise<void> {
    if (rows.length === 0) return;
    immediate(this.db, () => {
      const key = `embeddings:${model}`;
      this.statements.bumpEmbeddingsRevision.run(key);
      const revision = this.statements.embeddingsRevision.get(key)?.value as number;
      for (const row of rows) {
        const bytes = Buffer.from(row.vector.buffer, row.vector.byteOffset, row.vector.byteLength);
        this.statements.putEmbedding.run(model, row.paperId, row.textHash, bytes, revision);
      }
    });
  }

  async embeddingsRevision(model: string): Promise<number> {
    return this.statements.embeddingsRevision.get(`embeddings:${model}`)?.value ?? 0;
  }

  async getEmbedding(model: string, paperId: string): Promise<Float32Array | null> {
    const row = this.statements.getEmbedding.get(model, paperId);
    return row ? toVector(row.vector) : null;
  }

  async embeddingChanges(model: string, after: string | null, limit: number): Promise<EmbeddingChanges> {
    const [revision, paperId] = parseChangeCursor(after);
    const rows =
      after === null
        ? this.statements.firstEmbeddingChanges.all(model, revision, limit)
        : this.statements.nextEmbeddingChanges.all(model, revision, paperId, limit);
    const last = rows.at(-1);
    return {
      embeddings: rows.map((row) => ({ paperId: row.paper_id, vector: toVector(row.vector) })),
      cursor: last ? `${last.revision}:${last.paper_id}` : after,
    };
  }

  async putSimilarPapers(model: string, lists: readonly SimilarList[], at: string): Promise<void> {
    if (lists.length === 0) return;
    // A paper removed meanwhile gets no list (the SELECT finds no row), rather than failing the batch.
    const put = this.db.prepare(
      `INSERT INTO similar_papers (model, paper_id, neighbours, updated_at) SELECT ?, id, ?, ? FROM papers WHERE id = ?
       ON CONFLICT (model, paper_id) DO UPDATE SET neighbours = excluded.neighbours, updated_at = excluded.updated_at`,
    );
    immediate(this.db, () => {
      for (const list of lists) put.run(model, JSON.stringify(list.similar), at, list.paperId);
    });
  }

  async similarPapers(model: string, paperIds: readonly string[]): Promise<Map<string, StoredSimilarList>> {
    const rows = this.inLists.rows<{ paper_id: string; neighbours: string; updated_at: string }>(
      'SELECT paper_id, neighbours, updated_at FROM similar_papers WHERE model = ? AND paper_id IN',
      paperIds,
      [model],
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
      const rows = this.statements.embeddingPage.all(model, after, EXPORT_PAGE);
      for (const row of rows) yield { paperId: row.paper_id, vector: toVector(row.vector) };
      if (rows.length < EXPORT_PAGE) return;
      after = (rows.at(-1) as { paper_id: string }).paper_id;
    }
  }

  async close(): Promise<void> {
    await this.paperReader?.close();
    if (this.db.open) this.db.close();
  }
}

interface SubmittedRow {
  paper_id: string;
  day: string;
  first: string;
  submitters: number;
}

function filterSql(filter: PaperFilter): { where: string; params: Record<string, string> } {
  const conditions: string[] = [];
  const params: Record<string, string> = {};
  if (filter.from || filter.to) {
    const within = (column: string) =>
      [filter.from ? `${column} >= @from` : null, filter.to ? `${column} <= @to` : null]
        .filter(Boolean)
        .join(' AND ');
    conditions.push(within('p.day'));
    if (filter.from) params.from = filter.from;
    if (filter.to) params.to = filter.to;
  }
  if (filter.category) {
    conditions.push('p.id IN (SELECT paper_id FROM paper_categories WHERE category = @category)');
    params.category = filter.category;
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', params };
}
