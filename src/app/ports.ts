/** The narrow interfaces the use cases need from the outside world. Adapters implement them. */
import type { Frequency } from '../core/digest/select.js';
import type { MergeOutcome } from '../core/merge.js';
import type { Paper, PaperRecord } from '../core/paper.js';
import type { KeyFilter } from '../core/search/lexical-search.js';
import type { EmbeddingModelSettings } from '../core/search/model-settings.js';
import type { IndexableDoc } from '../core/search/segment.js';
import type { LexicalSnapshot } from '../core/search/snapshot.js';

export interface PaperFilter {
  /** Inclusive `YYYY-MM-DD` bounds on the paper's day (see paperDay) or the day it was first submitted. */
  from?: string;
  to?: string;
  /** Papers in this category, primary or cross-listed. */
  category?: string;
}

export interface ListQuery extends PaperFilter {
  limit: number;
  offset?: number;
}

export interface StoreStats {
  papers: number;
  /** `YYYY-MM` of the paper's day → papers; papers without a day are under `unknown`. */
  byMonth: Record<string, number>;
  byPrimaryCategory: Record<string, number>;
}

/** Papers: merged upserts, lists and counts, the change feed. */
export interface PaperCatalog {
  /**
   * Merges each record into the stored paper with the same id (core/merge), in order, atomically: either the
   * whole batch is stored or none of it. Returns one outcome per record.
   */
  upsertPapers(records: readonly PaperRecord[], now: string): Promise<MergeOutcome[]>;
  getPaper(id: string): Promise<Paper | null>;
  getPapers(ids: readonly string[]): Promise<Map<string, Paper>>;
  /** Newest day first, then by id descending. */
  listPapers(query: ListQuery): Promise<Paper[]>;
  countPapers(filter: PaperFilter): Promise<number>;
  /** The newest day that has announced papers, or null for an empty store. */
  latestDay(): Promise<string | null>;
  /** The nearest days before and after this one that have announced papers. */
  adjacentDays(day: string): Promise<{ previous: string | null; next: string | null }>;
  stats(): Promise<StoreStats>;
  /** Every paper, ordered by id, read in pages so that memory stays bounded. */
  exportPapers(): AsyncIterable<Paper>;
  /** The paper with this DOI, compared without regard to case, or null. */
  paperIdByDoi(doi: string): Promise<string | null>;
  /** Grows with every write that changes a paper; derived indexes compare it with the one they were built at. */
  revision(): Promise<number>;
  /**
   * The change feed: papers changed after `cursor` (null: from the start), oldest change first, at most
   * `limit`; each paper once, as it is now. A follower that keeps the returned cursor sees every later
   * change, including those of writers that committed after it read.
   */
  paperChanges(cursor: string | null, limit: number): Promise<PaperChanges>;
}

/** Named positions of long-running followers (index builders, embedding, harvest checkpoints). */
export interface CursorStore {
  /** A named position (a follower's cursor, a harvest checkpoint), or null when none is saved. */
  getCursor(name: string): Promise<string | null>;
  setCursor(name: string, value: string, at: string): Promise<void>;
  /** The saved positions whose names start with `prefix`, by name, with when each was last saved. */
  listCursors(prefix: string): Promise<{ name: string; value: string; updatedAt: string }[]>;
}

/** Embeddings per model key, and their change feed. */
export interface EmbeddingStore {
  /** Stored embeddings' text hashes for these papers under one model key. */
  embeddingHashes(model: string, paperIds: readonly string[]): Promise<Map<string, string>>;
  putEmbeddings(model: string, rows: readonly StoredEmbedding[]): Promise<void>;
  /** Grows with every write of embeddings under this model key. */
  embeddingsRevision(model: string): Promise<number>;
  getEmbedding(model: string, paperId: string): Promise<Float32Array | null>;
  /** Every embedding of one model key, ordered by paper id. */
  exportEmbeddings(model: string): AsyncIterable<{ paperId: string; vector: Float32Array }>;
  /** The embeddings of one model key written after `cursor` (null: all), oldest first, at most `limit`. */
  embeddingChanges(model: string, cursor: string | null, limit: number): Promise<EmbeddingChanges>;
}

/**
 * Each paper's similar papers, computed ahead of time per embedding model key as the index follows the
 * store (app/similar-lists.ts), so that a paper page reads them instead of searching for them.
 */
export interface SimilarStore {
  /** Replaces the lists of these papers under one model key. */
  putSimilarPapers(model: string, lists: readonly SimilarList[], at: string): Promise<void>;
  /** The stored lists of these papers under one model key, best first; a paper without one is absent. */
  similarPapers(model: string, paperIds: readonly string[]): Promise<Map<string, StoredSimilarList>>;
}

/** Votes, submissions and comments: what the community adds to papers. */
export interface CommunityStore {
  /** Adds (`up`) or takes back one voter's vote on a paper; false when that changed nothing. */
  setVote(paperId: string, voter: string, up: boolean, at: string): Promise<boolean>;
  voteCounts(paperIds: readonly string[]): Promise<Map<string, number>>;
  /** Which of these papers this voter has voted for. */
  votedBy(voter: string, paperIds: readonly string[]): Promise<Set<string>>;
  /** The papers this voter has voted for, the latest vote first. */
  votedPapers(voter: string, limit: number): Promise<string[]>;
  /** Grows with every change the community makes: votes, new submissions, comments. */
  communityRevision(): Promise<number>;
  /**
   * Every paper of the days from `fromDay` on, with its day, its number of votes, and how many of those came
   * from accounts younger than `newAccountDays` when they voted.
   */
  papersSince(fromDay: string, newAccountDays: number): Promise<TrendingRow[]>;
  /**
   * Records that a user submitted a paper on a day; it is listed among the community's submissions of the
   * day of its first submission (its own day does not move). A second submission by the same user changes
   * nothing. Returns how many users have submitted it.
   */
  addSubmission(paperId: string, userId: string, at: string, day: string): Promise<number>;
  /** Papers first submitted by the community on the days from `from` to `to`, the latest first. */
  submittedPapers(from: string, to: string, limit: number): Promise<SubmittedPaper[]>;
  addComment(comment: StoredComment): Promise<void>;
  getComment(id: string): Promise<StoredComment | null>;
  /** A paper's comments, oldest first. */
  listComments(paperId: string): Promise<StoredComment[]>;
  editComment(id: string, body: string, at: string): Promise<void>;
  /** Marks a comment deleted (its text is dropped) or hidden (by a moderator, or shown again). */
  setCommentState(id: string, state: { deleted?: true; hidden?: boolean }): Promise<void>;
  /** One report per user and comment; returns how many users have reported it. */
  reportComment(commentId: string, userId: string, reason: string, at: string): Promise<number>;
  /** Reported comments that are not deleted, most reported first, with their reports' reasons. */
  reportedComments(limit: number): Promise<ReportedComment[]>;
}

/** Accounts, sign-in tokens, sessions and passwords. */
export interface AccountStore {
  /** The user with this (normalised) email, created with `candidate`'s id and role if there is none. */
  ensureUser(candidate: User): Promise<User>;
  getUser(id: string): Promise<User | null>;
  getUserByEmail(email: string): Promise<User | null>;
  /** Accounts in the order they were made, with how many papers each has voted for. */
  listUsers(options: { role?: Role; limit: number; offset: number }): Promise<(User & { votes: number })[]>;
  setUserRole(id: string, role: Role): Promise<void>;
  /** Removes the user and everything personal: sessions, sign-in tokens, votes. */
  deleteUser(id: string): Promise<void>;
  putSignInToken(tokenHash: string, email: string, expiresAt: string): Promise<void>;
  /** The email a sign-in token was made for, once: the token is gone after this. Null when unknown or expired. */
  takeSignInToken(tokenHash: string, now: string): Promise<string | null>;
  putSession(session: StoredSession): Promise<void>;
  /** The session with this token hash, unless it has expired. */
  getSession(tokenHash: string, now: string): Promise<StoredSession | null>;
  deleteSession(tokenHash: string): Promise<void>;
  deleteSessions(userId: string): Promise<void>;
  /** The argon2id hash of the user's password, or null when they sign in by email link only. */
  getPasswordHash(userId: string): Promise<string | null>;
  setPasswordHash(userId: string, hash: string | null): Promise<void>;
}

/** Collections of papers, with notes. */
export interface CollectionStore {
  createCollection(collection: StoredCollection): Promise<void>;
  getCollection(id: string): Promise<StoredCollection | null>;
  /** A user's collections, oldest first, with how many papers each holds. */
  listCollections(userId: string): Promise<(StoredCollection & { papers: number })[]>;
  updateCollection(
    id: string,
    changes: Pick<StoredCollection, 'name' | 'description' | 'public'>,
    at: string,
  ): Promise<void>;
  deleteCollection(id: string): Promise<void>;
  /** Adds papers to a collection; a paper already there keeps its place, and its note unless one is given. */
  addToCollection(
    collectionId: string,
    entries: readonly { paperId: string; note?: string }[],
    at: string,
  ): Promise<void>;
  removeFromCollection(collectionId: string, paperId: string): Promise<void>;
  /** A collection's papers, the latest added first. */
  collectionPapers(collectionId: string): Promise<CollectionPaper[]>;
  /** Which of a user's collections hold this paper. */
  collectionsWithPaper(userId: string, paperId: string): Promise<Set<string>>;
}

/** Mail subscriptions, the send log, papers sent, and feedback from digests. */
export interface DigestStore {
  /**
   * Adds a subscription, or updates the one of the same email (keeping its id and link token). `confirmHash`
   * (with its expiry) is set for a subscription that waits for its confirmation link.
   */
  putSubscriber(
    subscriber: Subscriber,
    confirm: { hash: string; expires: string } | null,
  ): Promise<Subscriber>;
  getSubscriberByEmail(email: string): Promise<Subscriber | null>;
  getSubscriberByLinkToken(linkToken: string): Promise<Subscriber | null>;
  /** Activates the subscription of an unexpired confirmation, once; null when unknown or expired. */
  confirmSubscriber(confirmHash: string, now: string): Promise<Subscriber | null>;
  setSubscriberStatus(id: string, status: SubscriberStatus, reason: string | null, at: string): Promise<void>;
  /** Active subscribers of one frequency, by id, a page at a time. */
  activeSubscribers(frequency: Frequency, afterId: string, limit: number): Promise<Subscriber[]>;
  /**
   * Claims the digest of one subscriber and period: records it with its papers (which then count as sent to
   * them, so no later digest repeats one), or takes over a claim whose lease ran out. Returns the stored
   * digest, and whether this caller now holds it (and should send it).
   */
  claimDigest(claim: DigestClaim, now: string): Promise<{ send: DigestSend; owned: boolean }>;
  getDigest(subscriberId: string, period: string): Promise<DigestSend | null>;
  /** Records how a claimed digest's delivery went. */
  finishDigest(subscriberId: string, period: string, outcome: DigestOutcome): Promise<void>;
  /** Which of these papers the subscriber has been sent already. */
  sentPapers(subscriberId: string, paperIds: readonly string[]): Promise<Set<string>>;
  putFeedback(subscriberId: string, paperId: string, up: boolean, at: string): Promise<void>;
  feedback(subscriberId: string): Promise<{ paperId: string; up: boolean }[]>;
  /** One paper's feedback from a subscriber, with when it was given; null when there is none. */
  getFeedback(subscriberId: string, paperId: string): Promise<{ up: boolean; at: string } | null>;
  deleteFeedback(subscriberId: string, paperId: string): Promise<void>;
}

/** The worker's record: runs of scheduled jobs, leased to one worker at a time. */
export interface JobStore {
  /**
   * Leases a run of a scheduled job to `lease.worker` until `lease.until`. First a run that is due again: one
   * waiting to retry whose time has come, or one whose worker's lease ran out (its attempts go up by one).
   * Else the run for `dueSlot`, if no run for that slot or a later one exists. Null when nothing is due.
   */
  claimJobRun(job: string, dueSlot: string | null, lease: JobLease): Promise<JobRun | null>;
  /** Extends a run's lease; false when the worker no longer holds it (another took it over). */
  renewJobRun(id: number, lease: JobLease): Promise<boolean>;
  /** Records how a run ended; false (and nothing recorded) when the worker no longer holds it. */
  finishJobRun(id: number, worker: string, outcome: JobOutcome): Promise<boolean>;
  /** The latest runs, newest slot first, of one job or of all. */
  jobRuns(options: { job?: string; limit: number }): Promise<JobRun[]>;
}

/** Events counted by rate limits, shared by every app server. */
export interface RateLimitStore {
  /**
   * Counts one event under `key` and says whether it is within the limit: fewer than `limit` events since
   * `windowStart`. An event over the limit is not counted. Events of any key from before `expired` are
   * removed.
   */
  takeRateLimit(
    key: string,
    now: string,
    windowStart: string,
    limit: number,
    expired: string,
  ): Promise<boolean>;
  /** Removes every event counted under these keys. */
  deleteRateEvents(keys: readonly string[]): Promise<void>;
}

/**
 * The whole store, one role interface per part; a backend implements them all, and each use case asks for
 * the roles it needs. New tables come as new roles.
 */
export interface PaperStore
  extends
    PaperCatalog,
    CursorStore,
    EmbeddingStore,
    SimilarStore,
    CommunityStore,
    AccountStore,
    CollectionStore,
    DigestStore,
    JobStore,
    RateLimitStore {
  close(): Promise<void>;
}

export interface SimilarEntry {
  paperId: string;
  score: number;
}

export interface SimilarList {
  paperId: string;
  similar: SimilarEntry[];
}

export interface StoredSimilarList {
  similar: SimilarEntry[];
  /** When the list was last written (computed, or a newer paper entered it). */
  updatedAt: string;
}

export interface PaperChanges {
  papers: Paper[];
  /** Ids of papers removed from the store. */
  removed: string[];
  /** Where the next read starts; unchanged when nothing was returned. */
  cursor: string | null;
}

export interface EmbeddingChanges {
  embeddings: VectorInput[];
  cursor: string | null;
}

export interface SubmittedPaper {
  paperId: string;
  /** The day it was first submitted. */
  day: string;
  submittedAt: string;
  /** How many readers have submitted it. */
  submitters: number;
}

export interface TrendingRow {
  id: string;
  day: string;
  votes: number;
  newAccountVotes: number;
}

export interface StoredComment {
  id: string;
  paperId: string;
  userId: string;
  parentId: string | null;
  body: string;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
  hidden: boolean;
}

export interface ReportedComment {
  comment: StoredComment;
  reports: number;
  reasons: string[];
  lastReportedAt: string;
}

export interface StoredCollection {
  id: string;
  userId: string;
  name: string;
  description: string;
  public: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface CollectionPaper {
  paperId: string;
  note: string;
  addedAt: string;
}

export type { Frequency };
export type SubscriberStatus = 'pending' | 'active' | 'unsubscribed' | 'paused';

/** What a digest brings. */
export interface DigestTopics {
  trending: boolean;
  /** Papers for this reader, from their votes, collections and digest feedback (signed-up readers). */
  personal: boolean;
  categories: string[];
  /** Saved searches, in the search query language. */
  searches: string[];
}

export interface Subscriber {
  id: string;
  email: string;
  userId: string | null;
  /** The secret in every digest's links (unsubscribe, feedback, web view). */
  linkToken: string;
  frequency: Frequency;
  topics: DigestTopics;
  status: SubscriberStatus;
  statusReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface DigestItem {
  paperId: string;
  /** Why it was chosen, as the digest says it: "trending: 42 votes". */
  reason: string;
}

export interface DigestClaim {
  subscriberId: string;
  period: string;
  messageId: string;
  papers: DigestItem[];
  leaseUntil: string;
}

export type DigestOutcome =
  | { status: 'sent'; at: string }
  /** Refused for now: tried again from `at`. */
  | { status: 'retry'; error: string; at: string }
  | { status: 'failed'; error: string };

export interface DigestSend {
  subscriberId: string;
  period: string;
  /** `sending` until delivered (or given up); `empty` when there was nothing new to send. */
  status: 'sending' | 'sent' | 'empty' | 'failed';
  messageId: string;
  papers: DigestItem[];
  attempts: number;
  leaseUntil: string | null;
  lastError: string | null;
  sentAt: string | null;
}

export interface JobLease {
  worker: string;
  now: string;
  until: string;
}

export type JobOutcome =
  | { status: 'done'; summary: string; at: string }
  /** Failed for now: tried again from `retryAt`. */
  | { status: 'retry'; error: string; retryAt: string }
  | { status: 'failed'; error: string; at: string };

/** One run of a scheduled job: the job and the scheduled time (slot) it is for. */
export interface JobRun {
  id: number;
  job: string;
  slot: string;
  /** `running` while leased to a worker; `retry` while waiting for `leaseUntil` to try again. */
  status: 'running' | 'retry' | 'done' | 'failed';
  attempts: number;
  worker: string | null;
  leaseUntil: string | null;
  startedAt: string;
  finishedAt: string | null;
  summary: string | null;
  lastError: string | null;
}

export type Role = 'user' | 'moderator' | 'admin';

export interface User {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
}

export interface StoredSession {
  tokenHash: string;
  userId: string;
  /** The token that this session's forms must send back (CSRF protection). */
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface StoredEmbedding {
  paperId: string;
  textHash: string;
  vector: Float32Array;
}

/** One item read from a source file: a record, or the reason a record was rejected. */
export type SourceItem =
  { ok: true; record: PaperRecord; where: string } | { ok: false; reason: string; where: string };

/** Turns texts into vectors: a local ONNX model, or an OpenAI-compatible embeddings endpoint. */
export interface Embedder {
  /** The model as the user named it. */
  readonly model: string;
  /** The key embeddings are stored under (core/search/model-settings.ts). */
  readonly key: string;
  readonly settings: EmbeddingModelSettings;
  embedDocuments(texts: readonly string[]): Promise<Float32Array[]>;
  embedQuery(text: string): Promise<Float32Array>;
}

export interface VectorInput {
  paperId: string;
  vector: Float32Array;
}

/** How far an index has applied the store's change feeds. */
export interface IndexCursors {
  papers: string | null;
  /** Per embedding model key. */
  embeddings: Record<string, string | null>;
}

/**
 * The one writer of a search index: papers and vectors handed to it take effect, as new segments, at the
 * next commit, which publishes a new generation to every reader.
 */
export interface SearchIndexWriter {
  /** How far the published index has applied the change feeds: where following them resumes. */
  readonly cursors: IndexCursors;
  readonly generation: number;
  /** Adds papers, or replaces the indexed version of each. */
  putPapers(docs: readonly IndexableDoc[]): void;
  removePapers(ids: readonly string[]): void;
  /** Adds vectors of one model, read from its change feed up to `cursor`. */
  putVectors(model: string, vectors: readonly VectorInput[], cursor: string | null): void;
  /**
   * Writes the pending papers as a new segment and publishes a generation that has applied the paper
   * feed up to `papersCursor`. Vectors are written as they come and published when their segment is
   * finished: at `flushVectors`, or when it is full (its graph is then built in the background).
   */
  commit(
    papersCursor: string | null,
    storeRevision: number,
    options?: { flushVectors?: boolean },
  ): Promise<void>;
  /** Starts a merge in the background if the merge policy asks for one; false when none is needed or one runs. */
  scheduleMerges(): boolean;
  /** Whether background work (merges, large vector graphs) is in progress. */
  readonly busy: boolean;
  /** Resolves when the background work is done; rethrows its first failure. */
  settle(): Promise<void>;
  status(state: IndexStatus['state'], activity: string, done: number, total: number): void;
  /** After a rebuild has caught up: readers switch to the new index. */
  finishRebuild(): Promise<void>;
  close(): Promise<void>;
}

/** What the index writer is doing, for /metrics and `openpapers index status`. */
export interface IndexStatus {
  pid: number;
  state: 'starting' | 'indexing' | 'merging' | 'idle' | 'stopped';
  activity: string;
  done: number;
  total: number;
  updatedAt: string;
}

/** Vector search over one model's vectors in a snapshot, by the papers' index keys. */
export interface VectorSnapshot {
  readonly size: number;
  search(query: Float32Array, k: number, accept: KeyFilter | null): { key: number; score: number }[];
  /** The same ranking, with the graph walked off this thread where the reader has a thread for it. */
  searchAsync(
    query: Float32Array,
    k: number,
    accept: KeyFilter | null,
  ): Promise<{ key: number; score: number }[]>;
  vector(key: number): Float32Array | null;
  /** The vectors of these keys (null where a key has none), read all at once off the event loop. */
  vectorsAsync(keys: readonly number[]): Promise<(Float32Array | null)[]>;
}

/** One published generation of the search index, as searches read it. */
export interface IndexSnapshot {
  readonly generation: number;
  readonly lexical: LexicalSnapshot;
  vectors(model: string): VectorSnapshot | null;
  /**
   * Brings these terms' posting lists into memory without waiting on this thread, so that a search
   * ranking them next does not wait for the disk on the event loop.
   */
  prefetch(terms: readonly string[]): Promise<void>;
  readonly papersCursor: string | null;
  /** The store's paper revision when the index had applied its changes up to papersCursor. */
  readonly storeRevision: number;
  embeddingsCursor(model: string): string | null;
}

export interface SearchIndexReader {
  /** The generation being served; null before the first one is published. */
  current(): IndexSnapshot | null;
  /** Switches to the newest published generation; true when it switched. */
  refresh(): Promise<boolean>;
  /** Keeps switching to new generations in the background. */
  follow(intervalMs?: number): void;
  status(): Promise<IndexStatus | null>;
  close(): void;
}

/** Where a search index lives: one writer at a time, any number of readers. */
export interface SearchIndexLocation {
  readonly description: string;
  openReader(): SearchIndexReader;
  /** The writer, or null when another process holds it. */
  tryOpenWriter(options?: WriterOpening): Promise<SearchIndexWriter | null>;
  /** Waits for the writer until `signal` aborts (then null). */
  openWriter(options?: WriterOpening & { signal?: AbortSignal }): Promise<SearchIndexWriter | null>;
}

export interface WriterOpening {
  /** Start a new index from nothing, published only when finishRebuild() is called. */
  rebuild?: boolean;
}

/** Hashes passwords for storage (argon2id) and checks them in constant time. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Whether the password is the one `stored` was made from; false for a malformed hash. */
  verify(stored: string, password: string): Promise<boolean>;
}

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Set for mail that must keep its identity across retries (digests). */
  messageId?: string;
  headers?: Record<string, string>;
}

/** A delivery the SMTP server refused: for good (5xx), or for now (4xx, or no connection). */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** Papers from outside the store: the arXiv API for submissions. */
export interface PaperFetcher {
  /** The paper with this arXiv id (without version), or null when arXiv has none. */
  fetchPaper(id: string): Promise<PaperRecord | null>;
}

/** GET for harvesting: the body of a successful answer (waits and retries are the adapter's). */
export interface HarvestHttp {
  get(url: string): Promise<string>;
}
