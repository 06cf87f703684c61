/** Versioned schema migrations, applied in order in one transaction. Never edit a shipped one. */
import type Database from 'better-sqlite3';

interface Migration {
  version: number;
  name: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'papers',
    sql: `
      CREATE TABLE papers (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        abstract TEXT NOT NULL,
        authors TEXT NOT NULL,          -- JSON array, in order
        categories TEXT NOT NULL,       -- JSON array, primary first
        primary_category TEXT,
        classes TEXT NOT NULL,          -- JSON array of ACM / MSC classes
        comments TEXT,
        journal_ref TEXT,
        doi TEXT,
        report_no TEXT,
        license TEXT,
        versions TEXT NOT NULL,         -- JSON array of {version, date}
        published TEXT,
        updated TEXT,
        announced TEXT,
        day TEXT,                       -- announced, else the published day: what daily lists sort by
        sources TEXT NOT NULL,          -- JSON array
        first_seen TEXT NOT NULL
      ) STRICT;
      CREATE INDEX papers_by_day ON papers (day DESC, id DESC);
      CREATE INDEX papers_by_primary_category ON papers (primary_category);
      CREATE INDEX papers_by_doi ON papers (doi) WHERE doi IS NOT NULL;
      CREATE TABLE paper_categories (
        category TEXT NOT NULL,
        paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        PRIMARY KEY (paper_id, category)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX paper_categories_by_category ON paper_categories (category, paper_id);
    `,
  },
  {
    version: 2,
    name: 'revision and embeddings',
    sql: `
      -- A counter bumped by every write that changes papers, so derived indexes know when they are stale.
      CREATE TABLE store_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;
      INSERT INTO store_meta (key, value) VALUES ('revision', (SELECT count(*) FROM papers));
      CREATE TABLE embeddings (
        paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        model TEXT NOT NULL,            -- the model key: model id and the settings that change vectors
        text_hash TEXT NOT NULL,        -- of the embedded text; a changed paper is embedded again
        vector BLOB NOT NULL,           -- float32, little-endian
        PRIMARY KEY (model, paper_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'embedding revisions',
    sql: `
      -- The model's embeddings revision that wrote each row, so a vector index reads only what changed since
      -- it was built. Rows written before this migration count as the first revision.
      ALTER TABLE embeddings ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX embeddings_by_revision ON embeddings (model, revision, paper_id);
    `,
  },
  {
    version: 4,
    name: 'votes',
    sql: `
      -- One upvote per voter and paper. The voter is an opaque key (an account id once there are accounts).
      CREATE TABLE votes (
        paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        voter TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (paper_id, voter)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX votes_by_voter ON votes (voter, created_at);
      INSERT INTO store_meta (key, value) VALUES ('votes', 0);
    `,
  },
  {
    version: 5,
    name: 'accounts',
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,     -- normalised: trimmed, lower-case
        role TEXT NOT NULL CHECK (role IN ('user', 'moderator', 'admin')),
        created_at TEXT NOT NULL
      ) STRICT;
      -- Tokens are stored as SHA-256 hashes: a copy of the database signs nobody in.
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sessions_by_user ON sessions (user_id);
      CREATE TABLE sign_in_tokens (
        token_hash TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        expires_at TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX sign_in_tokens_by_email ON sign_in_tokens (email);
      -- Events counted by rate limits, shared by every app server that uses this database.
      CREATE TABLE rate_events (
        key TEXT NOT NULL,
        at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX rate_events_by_key ON rate_events (key, at);
    `,
  },
  {
    version: 6,
    name: 'submissions',
    sql: `
      -- Who submitted which paper when. A paper is listed on the day of its first submission too (as on
      -- Hugging Face's daily papers); later submissions of it merge into that one.
      CREATE TABLE submissions (
        paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        submitted_at TEXT NOT NULL,
        day TEXT NOT NULL,
        PRIMARY KEY (paper_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX submissions_by_day ON submissions (day, paper_id);
      CREATE VIEW first_submissions AS SELECT paper_id, min(day) AS day FROM submissions GROUP BY paper_id;
    `,
  },
  {
    version: 7,
    name: 'comments',
    sql: `
      -- Threads under papers. A deleted comment keeps its place (its replies stay readable) without its text;
      -- deleting an account deletes its comments and their replies.
      CREATE TABLE comments (
        id TEXT PRIMARY KEY,
        paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        parent_id TEXT REFERENCES comments (id) ON DELETE CASCADE,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        edited_at TEXT,
        deleted INTEGER NOT NULL DEFAULT 0,
        hidden INTEGER NOT NULL DEFAULT 0
      ) STRICT;
      CREATE INDEX comments_by_paper ON comments (paper_id, created_at);
      CREATE INDEX comments_by_parent ON comments (parent_id);
      CREATE INDEX comments_by_user ON comments (user_id);
      CREATE TABLE comment_reports (
        comment_id TEXT NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        reason TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (comment_id, user_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'collections and passwords',
    sql: `
      -- Named lists of papers, each owned by one account, private unless made public; a note per paper.
      CREATE TABLE collections (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        public INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX collections_by_user ON collections (user_id, created_at);
      CREATE TABLE collection_papers (
        collection_id TEXT NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
        paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        note TEXT NOT NULL DEFAULT '',
        added_at TEXT NOT NULL,
        PRIMARY KEY (collection_id, paper_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX collection_papers_by_paper ON collection_papers (paper_id);
      -- DOIs are case-insensitive; imports look them up as written by any reference manager.
      CREATE INDEX papers_by_doi_nocase ON papers (lower(doi)) WHERE doi IS NOT NULL;
      -- An argon2id hash (PHC string), for accounts that chose to sign in by password too.
      ALTER TABLE users ADD COLUMN password_hash TEXT;
    `,
  },
  {
    version: 9,
    name: 'digests',
    sql: `
      -- Mail subscriptions: pending until the emailed link is used (double opt-in), then active; paused when
      -- the address bounces for good. link_token makes the links in every digest (unsubscribe, feedback, web
      -- view) work without signing in.
      CREATE TABLE subscribers (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
        link_token TEXT NOT NULL UNIQUE,
        confirm_hash TEXT UNIQUE,
        confirm_expires TEXT,
        frequency TEXT NOT NULL CHECK (frequency IN ('daily', 'weekly')),
        topics TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'paused')),
        status_reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX subscribers_by_status ON subscribers (status, frequency, id);
      -- The send log: one row per subscriber and digest period, so that a digest goes out once however often
      -- the worker runs or restarts. The chosen papers are kept with it, so a retry sends the same digest.
      CREATE TABLE digest_sends (
        subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        period TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'empty', 'failed')),
        message_id TEXT NOT NULL,
        papers TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        lease_until TEXT,
        next_attempt_at TEXT,
        last_error TEXT,
        sent_at TEXT,
        PRIMARY KEY (subscriber_id, period)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX digest_sends_pending ON digest_sends (status, next_attempt_at);
      -- Every paper a subscriber has been sent, ever: no paper goes to anyone twice.
      CREATE TABLE digest_papers (
        subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        paper_id TEXT NOT NULL,
        period TEXT NOT NULL,
        PRIMARY KEY (subscriber_id, paper_id)
      ) STRICT, WITHOUT ROWID;
      -- 👍 / 👎 from digests, for the personal model.
      CREATE TABLE digest_feedback (
        subscriber_id TEXT NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        paper_id TEXT NOT NULL,
        up INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (subscriber_id, paper_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 10,
    name: 'job runs',
    sql: `
      -- The worker's record: one row per scheduled job and slot (the time it was scheduled for), so that each
      -- slot runs once however many workers there are. A running row is leased to its worker; a worker that
      -- dies leaves the lease to run out and another takes the run over. In the retry state, lease_until is
      -- when it is tried again.
      CREATE TABLE job_runs (
        id INTEGER PRIMARY KEY,
        job TEXT NOT NULL,
        slot TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running', 'retry', 'done', 'failed')),
        attempts INTEGER NOT NULL,
        worker TEXT,
        lease_until TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        summary TEXT,
        last_error TEXT,
        UNIQUE (job, slot)
      ) STRICT;
      CREATE INDEX job_runs_pending ON job_runs (job, status, lease_until);
    `,
  },
  {
    version: 11,
    name: 'change feed and cursors',
    sql: `
      -- The store revision that last changed each paper: search indexes (and embedding) follow papers in
      -- (revision, id) order from a cursor. SQLite has one writer at a time, so revisions become visible in
      -- the order they are given out. Papers stored before this migration come first, at revision 0.
      ALTER TABLE papers ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX papers_by_revision ON papers (revision, id);
      -- Named positions of long-running followers: how far embedding has read the change feed, harvest
      -- checkpoints.
      CREATE TABLE cursors (
        name TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 12,
    name: 'rate events by time',
    sql: `
      -- Expired rate-limit events of every key are removed as new events come. Keys are hashes from now on;
      -- the events of the last hour stored in the clear go with their age.
      CREATE INDEX rate_events_by_time ON rate_events (at);
    `,
  },
  {
    version: 13,
    name: 'similar papers',
    sql: `
      CREATE TABLE similar_papers (
        model TEXT NOT NULL,
        paper_id TEXT NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        neighbours TEXT NOT NULL,       -- JSON array of {paperId, score}, best first
        updated_at TEXT NOT NULL,
        PRIMARY KEY (model, paper_id)
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`);
  // One write transaction, taken before reading the version: a second process opening the same new
  // database waits here (busy_timeout) and then finds the migrations done, instead of running them again.
  db.transaction(() => {
    const current =
      (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    if (current > LATEST_SCHEMA_VERSION) {
      throw new Error(
        `the database has schema version ${current}, newer than this program's ${LATEST_SCHEMA_VERSION}; upgrade OpenPapers`,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        new Date().toISOString(),
      );
    }
  }).immediate();
}
