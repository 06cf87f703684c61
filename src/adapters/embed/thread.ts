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
import type {
  EmbedRequest,
  FailureMessage,
  ThreadInput,
  ThreadReply,
  ThreadRequest,
} from './thread-protocol.js';

const raise = (failure: FailureMessage) =>
  failure.code ? new OpenPapersError(failure.code, failure.message) : new Error(failure.message);

/** Starts the thread and resolves once its model is loaded (rejects as loading the model would). */
export function threadEmbedder(model: string, cacheDir: string): Promise<Embedder> {
  const worker = new Worker(new URL('./thread-main.js', import.meta.url), {
    workerData: { model, cacheDir } satisfies ThreadInput,
  });
  const pending = new Map<
    number,
    { resolve: (vectors: Float32Array[]) => void; reject: (error: Error) => void }
  >();
  let nextId = 0;
  let stopped: Error | null = null;
  let loading = true;
  // The thread keeps the process alive only while it loads or embeds: an idle one lets a command that is
  // done exit (a server's sockets keep the server running).
  const holdProcess = () => (loading || pending.size > 0 ? worker.ref() : worker.unref());
  const request = (message: EmbedRequest): Promise<Float32Array[]> => {
    if (stopped) return Promise.reject(stopped);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      holdProcess();
      worker.postMessage({ ...message, id } satisfies ThreadRequest);
    });
  };
  return new Promise((resolveLoaded, rejectLoaded) => {
    const stop = (error: Error) => {
      stopped ??= new OpenPapersError('OP_ERR_SEMANTIC', `the embedding thread stopped: ${error.message}`);
      for (const { reject } of pending.values()) reject(stopped);
      pending.clear();
      rejectLoaded(stopped);
    };
    worker.on('error', stop);
    worker.on('exit', (code) => stop(new Error(`exit ${code}`)));
    worker.on('message', (reply: ThreadReply) => {
      loading = false;
      holdProcess();
      if (reply.type === 'ready') {
        resolveLoaded({
          model: reply.model,
          key: reply.key,
          settings: reply.settings,
          embedDocuments: (texts) => request({ kind: 'documents', texts: [...texts] }),
          embedQuery: async (text) => (await request({ kind: 'query', text }))[0] as Float32Array,
        });
      } else if (reply.type === 'failed') {
        rejectLoaded(raise(reply.failure));
        void worker.terminate();
      } else {
        const waiting = pending.get(reply.id);
        pending.delete(reply.id);
        holdProcess();
        if (reply.type === 'vectors') waiting?.resolve(reply.vectors);
        else waiting?.reject(raise(reply.failure));
      }
    });
  });
}
