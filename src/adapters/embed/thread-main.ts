/**
 * The embedding thread's side (thread.ts starts it): loads the model, then answers requests in order.
 * Queries that came in while the model was busy are embedded together in its next call.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Embedder } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import type { FailureMessage, ThreadInput, ThreadReply, ThreadRequest } from './thread-protocol.js';
import { loadTransformersEmbedder } from './transformers.js';

/** Queries per model call at most (the model's micro-batch). */
const QUERY_BATCH = 16;

const port = parentPort;
if (!port) throw new Error('thread-main.ts runs on a worker thread');
const post = (reply: ThreadReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
const failure = (error: unknown): FailureMessage => ({
  code: error instanceof OpenPapersError ? error.code : null,
  message: (error as Error).message ?? String(error),
});

const { model, cacheDir } = workerData as ThreadInput;
const queries: { id: number; text: string }[] = [];
const documents: { id: number; texts: string[] }[] = [];
let embedder: Embedder | null = null;
let draining = false;

port.on('message', (request: ThreadRequest) => {
  if (request.kind === 'query') queries.push(request);
  else documents.push(request);
  if (embedder && !draining) {
    draining = true;
    // Later in this turn more requests may be queued: they join the batch.
    setImmediate(() => void drain(embedder as Embedder));
  }
});

try {
  embedder = await loadTransformersEmbedder(model, cacheDir, { threads: 1 });
  post({ type: 'ready', model: embedder.model, key: embedder.key, settings: embedder.settings });
  draining = true;
  void drain(embedder);
} catch (error) {
  post({ type: 'failed', failure: failure(error) });
}

async function drain(loaded: Embedder): Promise<void> {
  while (queries.length > 0 || documents.length > 0) {
    // Queries first: a person waits on each, while documents come in batches from batch work.
    const request = queries.length === 0 ? documents.shift() : undefined;
    if (request) await answerDocuments(loaded, request);
    else await answerQueries(loaded, queries.splice(0, QUERY_BATCH));
    // Lets the requests that came in during the call be queued before the next batch is taken.
    await new Promise((resolve) => setImmediate(resolve));
  }
  draining = false;
}

async function answerQueries(loaded: Embedder, batch: readonly { id: number; text: string }[]) {
  try {
    const prefix = loaded.settings.queryPrefix;
    const vectors = await loaded.embedDocuments(batch.map((query) => `${prefix}${query.text}`));
    batch.forEach((query, i) => {
      const vector = vectors[i] as Float32Array;
      post({ type: 'vectors', id: query.id, vectors: [vector] }, [vector.buffer as ArrayBuffer]);
    });
  } catch (error) {
    for (const { id } of batch) post({ type: 'error', id, failure: failure(error) });
  }
}

async function answerDocuments(loaded: Embedder, request: { id: number; texts: string[] }) {
  try {
    post({ type: 'vectors', id: request.id, vectors: await loaded.embedDocuments(request.texts) });
  } catch (error) {
    post({ type: 'error', id: request.id, failure: failure(error) });
  }
}
