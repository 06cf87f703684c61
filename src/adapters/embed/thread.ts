/**
 * A local embedding model run on a worker thread, for servers. ONNX Runtime's `run` is synchronous in Node
 * (onnxruntime-node calls it inside a setImmediate), so a model on the main thread holds up every other
 * request while it embeds a query; on a thread of its own it embeds while the server ranks and answers. The
 * thread embeds the queries that arrive while it is busy in one call, which costs little more than one
 * (USE-lite on 2 cores: 1.5 ms for a query alone, 0.65 ms each in eights).
 */
import { Worker } from 'node:worker_threads';
import type { Embedder } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { threadRequests } from '../threads/requests.js';
import type {
  EmbedReply,
  EmbedRequest,
  FailureMessage,
  ThreadInput,
  ThreadNotice,
} from './thread-protocol.js';

const raise = (failure: FailureMessage) =>
  failure.code ? new OpenPapersError(failure.code, failure.message) : new Error(failure.message);

/** Starts the thread and resolves once its model is loaded (rejects as loading the model would). */
export function threadEmbedder(model: string, cacheDir: string): Promise<Embedder> {
  const worker = new Worker(new URL('./thread-main.js', import.meta.url), {
    workerData: { model, cacheDir } satisfies ThreadInput,
  });
  return new Promise((resolveLoaded, rejectLoaded) => {
    let loading = true;
    const thread = threadRequests<EmbedRequest, EmbedReply, Float32Array[]>(worker, {
      settle: (reply) => (reply.type === 'vectors' ? reply.vectors : raise(reply.failure)),
      stopped: (cause) =>
        new OpenPapersError('OP_ERR_SEMANTIC', `the embedding thread stopped: ${cause.message}`),
      onStop: rejectLoaded,
      // Loading holds the process too: a command waits for its model.
      busy: () => loading,
      onNotice: (message) => {
        const notice = message as ThreadNotice;
        loading = false;
        if (notice.type === 'ready') {
          resolveLoaded({
            model: notice.model,
            key: notice.key,
            settings: notice.settings,
            embedDocuments: (texts) => thread.request({ kind: 'documents', texts: [...texts] }),
            embedQuery: async (text) => (await thread.request({ kind: 'query', text }))[0] as Float32Array,
          });
        } else {
          rejectLoaded(raise(notice.failure));
          void worker.terminate();
        }
      },
    });
  });
}
