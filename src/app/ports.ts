/** The narrow interfaces the use cases need from the outside world. Adapters implement them. */
import type { Frequency } from '../core/digest/select.js';
import type { MergeOutcome } from '../core/merge.js';
import type { Paper, PaperRecord } from '../core/paper.js';
import type { LexicalIndex } from '../core/search/lexical-index.js';
import type { EmbeddingModelSettings } from '../core/search/model-settings.js';
import type { VectorHit } from '../core/search/vectors.js';

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

export interface PaperStore {
  /**
   * Merges each record into the stored paper with the same id (core/merge), in order, atomically: either the
   * whole batch is stored or none of it. Returns one outcome per record.
   */
  upsertPapers(records: readonly PaperRecord[], now: string): Promise<MergeOutcome[]>;
  getPaper(id: string): Promise<Paper | null>;
  /** Newest day first, then by id descending. */
  listPapers(query: ListQuery): Promise<Paper[]>;
  countPapers(filter: PaperFilter): Promise<number>;
  /** The newest day that has papers, or null for an empty store. */
  latestDay(): Promise<string | null>;
  /** The nearest days before and after this one that have papers. */
  adjacentDays(day: string): Promise<{ previous: string | null; next: string | null }>;
  stats(): Promise<StoreStats>;
  /** Every paper, ordered by id, read in pages so that memory stays bounded. */
  exportPapers(): AsyncIterable<Paper>;
  getPapers(ids: readonly string[]): Promise<Map<string, Paper>>;
  /** Grows with every write that changes a paper; derived indexes compare it with the one they were built at. */
  revision(): Promise<number>;

  /** Stored embeddings' text hashes for these papers under one model key. */
  embeddingHashes(model: string, paperIds: readonly string[]): Promise<Map<string, string>>;
  putEmbeddings(model: string, rows: readonly StoredEmbedding[]): Promise<void>;
  /** Grows with every write of embeddings under this model key. */
  embeddingsRevision(model: string): Promise<number>;
  getEmbedding(model: string, paperId: string): Promise<Float32Array | null>;
  /** Every embedding of one model key, ordered by paper id. */
  exportEmbeddings(model: string): AsyncIterable<{ paperId: string; vector: Float32Array }>;
  /** The embeddings of one model key written after that embeddings revision (0: all), each once. */
  embeddingsChangedSince(
    model: string,
    revision: number,
  ): AsyncIterable<{ paperId: string; vector: Float32Array }>;

  /** Adds (`up`) or takes back one voter's vote on a paper; false when that changed nothing. */
  setVote(paperId: string, voter: string, up: boolean, at: string): Promise<boolean>;
  voteCounts(paperIds: readonly string[]): Promise<Map<string, number>>;
  /** Grows with every change the community makes: votes, new submissions, comments. */
  communityRevision(): Promise<number>;
  /**
   * Every paper of the days from `fromDay` on, with its day, its number of votes, and how many of those came
   * from accounts younger than `newAccountDays` when they voted.
   */
  papersSince(fromDay: string, newAccountDays: number): Promise<TrendingRow[]>;
  /**
   * Records that a user submitted a paper on a day; the paper is listed on the day of its first submission.
   * A second submission by the same user changes nothing. Returns how many users have submitted it.
   */
  addSubmission(paperId: string, userId: string, at: string, day: string): Promise<number>;
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
  /** Which of these papers this voter has voted for. */
  votedBy(voter: string, paperIds: readonly string[]): Promise<Set<string>>;
  /** The papers this voter has voted for, the latest vote first. */
  votedPapers(voter: string, limit: number): Promise<string[]>;

  /** The user with this (normalised) email, created with `candidate`'s id and role if there is none. */
  ensureUser(candidate: User): Promise<User>;
  getUser(id: string): Promise<User | null>;
  getUserByEmail(email: string): Promise<User | null>;
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
  /** The paper with this DOI, compared without regard to case, or null. */
  paperIdByDoi(doi: string): Promise<string | null>;

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

  /**
   * Counts one event under `key` and says whether it is within the limit: fewer than `limit` events since
   * `windowStart`. An event over the limit is not counted.
   */
  takeRateLimit(key: string, now: string, windowStart: string, limit: number): Promise<boolean>;
  close(): Promise<void>;
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

/** Vector search over the documents of one lexical index build (document numbers are shared). */
export interface VectorIndex {
  readonly size: number;
  search(query: Float32Array, k: number, accept: ((doc: number) => boolean) | null): VectorHit[];
  /** Document d's vector, or null when it has none. */
  vector(doc: number): Float32Array | null;
}

/** The stored embeddings of one model, as a vector index reads them. */
export interface EmbeddingSource {
  revision: number;
  changedSince(revision: number): AsyncIterable<{ paperId: string; vector: Float32Array }>;
}

/** Where derived search indexes are kept between runs; each remembers what it was built from. */
export interface SearchIndexFiles {
  loadLexical(): Promise<{ index: LexicalIndex; revision: number } | null>;
  saveLexical(index: LexicalIndex, revision: number): Promise<void>;
  /**
   * The vector index of one model over the lexical index's documents, up to date with the embeddings:
   * `current` or the saved one updated in place when the numbering allows, else rebuilt.
   */
  openVectors(
    modelKey: string,
    lexical: LexicalIndex,
    embeddings: EmbeddingSource,
    current: VectorIndex | null,
  ): Promise<VectorIndex>;
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
