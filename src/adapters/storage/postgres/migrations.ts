/**
 * The PostgreSQL schema: the same tables as the SQLite file, in PostgreSQL's types. Timestamps and days stay
 * ISO-8601 text, as the port passes them, and every text column sorts bytewise (COLLATE "C") whatever the
 * server's locale, so that ids, days and cursors order as they do on SQLite. Versioned; never edit a
 * shipped migration.
 */
import type { Queryable } from './database.js';

const T = 'text COLLATE "C"';

const MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'papers, embeddings and cursors',
    sql: `
      CREATE TABLE papers (
        id ${T} PRIMARY KEY,
        title ${T} NOT NULL,
        abstract ${T} NOT NULL,
        authors ${T} NOT NULL,
        categories ${T} NOT NULL,
        primary_category ${T},
        classes ${T} NOT NULL,
        comments ${T},
        journal_ref ${T},
        doi ${T},
        report_no ${T},
        license ${T},
        versions ${T} NOT NULL,
        published ${T},
        updated ${T},
        announced ${T},
        day ${T},
        sources ${T} NOT NULL,
        first_seen ${T} NOT NULL,
        -- The store revision that last changed the paper: the change feed's order (see store_meta).
        revision bigint NOT NULL
      );
      CREATE INDEX papers_by_day ON papers (day DESC NULLS LAST, id DESC);
      CREATE INDEX papers_by_primary_category ON papers (primary_category);
      CREATE INDEX papers_by_doi_nocase ON papers (lower(doi)) WHERE doi IS NOT NULL;
      CREATE INDEX papers_by_revision ON papers (revision, id);
      CREATE TABLE paper_categories (
        category ${T} NOT NULL,
        paper_id ${T} NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        PRIMARY KEY (paper_id, category)
      );
      CREATE INDEX paper_categories_by_category ON paper_categories (category, paper_id);
      -- Counters: 'revision' (papers), 'votes' (community changes), 'embeddings:<model>'. A writer that
      -- changes papers or embeddings holds its counter's row lock until it commits, so revisions become
      -- visible in the order they are given out and a change-feed reader never passes one still in flight.
      CREATE TABLE store_meta (key ${T} PRIMARY KEY, value bigint NOT NULL);
      INSERT INTO store_meta (key, value) VALUES ('revision', 0), ('votes', 0);
      CREATE TABLE embeddings (
        model ${T} NOT NULL,
        paper_id ${T} NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        text_hash ${T} NOT NULL,
        vector bytea NOT NULL,
        revision bigint NOT NULL,
        PRIMARY KEY (model, paper_id)
      );
      CREATE INDEX embeddings_by_revision ON embeddings (model, revision, paper_id);
      CREATE TABLE cursors (name ${T} PRIMARY KEY, value ${T} NOT NULL, updated_at ${T} NOT NULL);
    `,
  },
  {
    version: 2,
    name: 'community and accounts',
    sql: `
      CREATE TABLE users (
        id ${T} PRIMARY KEY,
        email ${T} NOT NULL UNIQUE,
        role ${T} NOT NULL CHECK (role IN ('user', 'moderator', 'admin')),
        created_at ${T} NOT NULL,
        password_hash ${T},
        seq bigint GENERATED ALWAYS AS IDENTITY
      );
      CREATE TABLE votes (
        paper_id ${T} NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        voter ${T} NOT NULL,
        created_at ${T} NOT NULL,
        PRIMARY KEY (paper_id, voter)
      );
      CREATE INDEX votes_by_voter ON votes (voter, created_at);
      CREATE TABLE sessions (
        token_hash ${T} PRIMARY KEY,
        user_id ${T} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        csrf_token ${T} NOT NULL,
        created_at ${T} NOT NULL,
        expires_at ${T} NOT NULL
      );
      CREATE INDEX sessions_by_user ON sessions (user_id);
      CREATE TABLE sign_in_tokens (
        token_hash ${T} PRIMARY KEY,
        email ${T} NOT NULL,
        expires_at ${T} NOT NULL
      );
      CREATE INDEX sign_in_tokens_by_email ON sign_in_tokens (email);
      CREATE TABLE rate_events (key ${T} NOT NULL, at ${T} NOT NULL);
      CREATE INDEX rate_events_by_key ON rate_events (key, at);
      CREATE INDEX rate_events_by_time ON rate_events (at);
      CREATE TABLE submissions (
        paper_id ${T} NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        user_id ${T} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        submitted_at ${T} NOT NULL,
        day ${T} NOT NULL,
        PRIMARY KEY (paper_id, user_id)
      );
      CREATE INDEX submissions_by_day ON submissions (day, paper_id);
      CREATE TABLE comments (
        id ${T} PRIMARY KEY,
        paper_id ${T} NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        user_id ${T} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        parent_id ${T} REFERENCES comments (id) ON DELETE CASCADE,
        body ${T} NOT NULL,
        created_at ${T} NOT NULL,
        edited_at ${T},
        deleted boolean NOT NULL DEFAULT false,
        hidden boolean NOT NULL DEFAULT false
      );
      CREATE INDEX comments_by_paper ON comments (paper_id, created_at);
      CREATE INDEX comments_by_parent ON comments (parent_id);
      CREATE INDEX comments_by_user ON comments (user_id);
      CREATE TABLE comment_reports (
        comment_id ${T} NOT NULL REFERENCES comments (id) ON DELETE CASCADE,
        user_id ${T} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        reason ${T} NOT NULL,
        created_at ${T} NOT NULL,
        PRIMARY KEY (comment_id, user_id)
      );
      CREATE TABLE collections (
        id ${T} PRIMARY KEY,
        user_id ${T} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name ${T} NOT NULL,
        description ${T} NOT NULL DEFAULT '',
        public boolean NOT NULL DEFAULT false,
        created_at ${T} NOT NULL,
        updated_at ${T} NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY
      );
      CREATE INDEX collections_by_user ON collections (user_id, created_at);
      CREATE TABLE collection_papers (
        collection_id ${T} NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
        paper_id ${T} NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        note ${T} NOT NULL DEFAULT '',
        added_at ${T} NOT NULL,
        PRIMARY KEY (collection_id, paper_id)
      );
      CREATE INDEX collection_papers_by_paper ON collection_papers (paper_id);
    `,
  },
  {
    version: 3,
    name: 'digests and job runs',
    sql: `
      CREATE TABLE subscribers (
        id ${T} PRIMARY KEY,
        email ${T} NOT NULL UNIQUE,
        user_id ${T} REFERENCES users (id) ON DELETE CASCADE,
        link_token ${T} NOT NULL UNIQUE,
        confirm_hash ${T} UNIQUE,
        confirm_expires ${T},
        frequency ${T} NOT NULL CHECK (frequency IN ('daily', 'weekly')),
        topics ${T} NOT NULL,
        status ${T} NOT NULL CHECK (status IN ('pending', 'active', 'unsubscribed', 'paused')),
        status_reason ${T},
        created_at ${T} NOT NULL,
        updated_at ${T} NOT NULL
      );
      CREATE INDEX subscribers_by_status ON subscribers (status, frequency, id);
      CREATE TABLE digest_sends (
        subscriber_id ${T} NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        period ${T} NOT NULL,
        status ${T} NOT NULL CHECK (status IN ('sending', 'sent', 'empty', 'failed')),
        message_id ${T} NOT NULL,
        papers ${T} NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        lease_until ${T},
        last_error ${T},
        sent_at ${T},
        PRIMARY KEY (subscriber_id, period)
      );
      CREATE TABLE digest_papers (
        subscriber_id ${T} NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        paper_id ${T} NOT NULL,
        period ${T} NOT NULL,
        PRIMARY KEY (subscriber_id, paper_id)
      );
      CREATE TABLE digest_feedback (
        subscriber_id ${T} NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
        paper_id ${T} NOT NULL,
        up boolean NOT NULL,
        created_at ${T} NOT NULL,
        PRIMARY KEY (subscriber_id, paper_id)
      );
      CREATE TABLE job_runs (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job ${T} NOT NULL,
        slot ${T} NOT NULL,
        status ${T} NOT NULL CHECK (status IN ('running', 'retry', 'done', 'failed')),
        attempts integer NOT NULL,
        worker ${T},
        lease_until ${T},
        started_at ${T} NOT NULL,
        finished_at ${T},
        summary ${T},
        last_error ${T},
        UNIQUE (job, slot)
      );
      CREATE INDEX job_runs_pending ON job_runs (job, status, lease_until);
    `,
  },
  {
    version: 4,
    name: 'similar papers',
    sql: `
      CREATE TABLE similar_papers (
        model ${T} NOT NULL,
        paper_id ${T} NOT NULL REFERENCES papers (id) ON DELETE CASCADE,
        neighbours ${T} NOT NULL,
        updated_at ${T} NOT NULL,
        PRIMARY KEY (model, paper_id)
      );
    `,
  },
];

export const LATEST_PG_SCHEMA_VERSION = MIGRATIONS.at(-1)?.version ?? 0;

/** Every process that opens the store calls this; the advisory lock lets one of them migrate at a time. */
export const MIGRATION_LOCK = 0x6f70_6d67; // "opmg"

export async function migrate(db: Queryable): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`);
  const { rows } = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
  const current = rows[0]?.v ?? 0;
  if (current > LATEST_PG_SCHEMA_VERSION) {
    throw new Error(
      `the database has schema version ${current}, newer than this program's ${LATEST_PG_SCHEMA_VERSION}; upgrade OpenPapers`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    await db.query(migration.sql);
    await db.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
      migration.version,
      migration.name,
      new Date().toISOString(),
    ]);
  }
}
