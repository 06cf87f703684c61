/** Messages between the main thread and the thread that runs a local embedding model (thread.ts). */
import type { ErrorCode } from '../../core/errors.js';
import type { EmbeddingModelSettings } from '../../core/search/model-settings.js';

export interface ThreadInput {
  model: string;
  cacheDir: string;
}

/** What the main thread asks for; each request carries an id that its reply repeats. */
export type EmbedRequest = { kind: 'query'; text: string } | { kind: 'documents'; texts: string[] };
export type ThreadRequest = EmbedRequest & { id: number };

export interface FailureMessage {
  /** Set when the failure was an OpenPapersError, so that it is raised again as one. */
  code: ErrorCode | null;
  message: string;
}

/** What the thread says of itself, once: its model loaded, or failed to. */
export type ThreadNotice =
  | { type: 'ready'; model: string; key: string; settings: EmbeddingModelSettings }
  | { type: 'failed'; failure: FailureMessage };

export type EmbedReply =
  | { type: 'vectors'; id: number; vectors: Float32Array[] }
  | { type: 'error'; id: number; failure: FailureMessage };

export type ThreadReply = ThreadNotice | EmbedReply;
