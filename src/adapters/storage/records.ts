/**
 * Stored rows and the records of the port they map to, the same in every SQL backend. Flags are SQLite's
 * 0/1 or PostgreSQL's booleans.
 */
import type {
  DigestItem,
  DigestSend,
  Frequency,
  JobRun,
  Role,
  StoredCollection,
  StoredComment,
  StoredSession,
  Subscriber,
  SubscriberStatus,
  User,
} from '../../app/ports.js';

type Flag = number | boolean;

export interface SubscriberRow {
  id: string;
  email: string;
  user_id: string | null;
  link_token: string;
  frequency: Frequency;
  topics: string;
  status: SubscriberStatus;
  status_reason: string | null;
  created_at: string;
  updated_at: string;
}

export function toSubscriber(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    email: row.email,
    userId: row.user_id,
    linkToken: row.link_token,
    frequency: row.frequency,
    topics: JSON.parse(row.topics) as Subscriber['topics'],
    status: row.status,
    statusReason: row.status_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface SendRow {
  subscriber_id: string;
  period: string;
  status: DigestSend['status'];
  message_id: string;
  papers: string;
  attempts: number;
  lease_until: string | null;
  last_error: string | null;
  sent_at: string | null;
}

export function toSend(row: SendRow): DigestSend {
  return {
    subscriberId: row.subscriber_id,
    period: row.period,
    status: row.status,
    messageId: row.message_id,
    papers: JSON.parse(row.papers) as DigestItem[],
    attempts: row.attempts,
    leaseUntil: row.lease_until,
    lastError: row.last_error,
    sentAt: row.sent_at,
  };
}

export interface JobRunRow {
  id: number;
  job: string;
  slot: string;
  status: JobRun['status'];
  attempts: number;
  worker: string | null;
  lease_until: string | null;
  started_at: string;
  finished_at: string | null;
  summary: string | null;
  last_error: string | null;
}

export function toJobRun(row: JobRunRow): JobRun {
  return {
    id: row.id,
    job: row.job,
    slot: row.slot,
    status: row.status,
    attempts: row.attempts,
    worker: row.worker,
    leaseUntil: row.lease_until,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    summary: row.summary,
    lastError: row.last_error,
  };
}

export interface UserRow {
  id: string;
  email: string;
  role: Role;
  created_at: string;
}

export function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, role: row.role, createdAt: row.created_at };
}

export interface CommentRow {
  id: string;
  paper_id: string;
  user_id: string;
  parent_id: string | null;
  body: string;
  created_at: string;
  edited_at: string | null;
  deleted: Flag;
  hidden: Flag;
}

export function toComment(row: CommentRow): StoredComment {
  return {
    id: row.id,
    paperId: row.paper_id,
    userId: row.user_id,
    parentId: row.parent_id,
    body: row.body,
    createdAt: row.created_at,
    editedAt: row.edited_at,
    deleted: Boolean(row.deleted),
    hidden: Boolean(row.hidden),
  };
}

export interface CollectionRow {
  id: string;
  user_id: string;
  name: string;
  description: string;
  public: Flag;
  created_at: string;
  updated_at: string;
}

export function toCollection(row: CollectionRow): StoredCollection {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    description: row.description,
    public: Boolean(row.public),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export interface SessionRow {
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export function toSession(row: SessionRow): StoredSession {
  return {
    tokenHash: row.token_hash,
    userId: row.user_id,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}

/** A copy, so the vector is aligned and owns its memory. */
export function toVector(bytes: Buffer): Float32Array {
  const vector = new Float32Array(bytes.length / 4);
  new Uint8Array(vector.buffer).set(bytes);
  return vector;
}
