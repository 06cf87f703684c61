/**
 * Requests to a worker thread, each answered by the one reply that repeats its id: the mechanism the
 * embedding, graph and paper reader threads share. The thread holds the process only while a request is
 * pending (or while `busy` says so), so that an idle thread never keeps a finished command or a stopping
 * server alive; once the thread stops, every pending request and every later one rejects.
 */
import type { Worker } from 'node:worker_threads';

export interface ThreadRequests<Request, Value> {
  /** Posts the request with a fresh id; settles with the reply that repeats it. */
  request(message: Request): Promise<Value>;
  /** Posts a message that no reply answers; dropped once the thread has stopped. */
  tell(message: unknown): void;
}

export interface ThreadRequestsOptions<Reply, Value> {
  /** A reply's value, or the error its request rejects with. */
  settle(reply: Reply): Value | Error;
  /** The error every request rejects with once the thread has stopped. */
  stopped(cause: Error): Error;
  /** Messages without an id: what the thread says of itself (it loaded, it failed to load). */
  onNotice?(message: unknown): void;
  onStop?(error: Error): void;
  /** Another reason to hold the process, such as a model still loading; asked after every message. */
  busy?(): boolean;
}

export function threadRequests<Request extends object, Reply extends { id: number }, Value>(
  worker: Worker,
  options: ThreadRequestsOptions<Reply, Value>,
): ThreadRequests<Request, Value> {
  const pending = new Map<number, { resolve: (value: Value) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let stopped: Error | null = null;
  const holdProcess = () => (pending.size > 0 || options.busy?.() === true ? worker.ref() : worker.unref());
  const stop = (cause: Error) => {
    stopped ??= options.stopped(cause);
    for (const { reject } of pending.values()) reject(stopped);
    pending.clear();
    options.onStop?.(stopped);
  };
  worker.on('error', stop);
  worker.on('exit', (code) => stop(new Error(`exit ${code}`)));
  worker.on('message', (message: object) => {
    if ('id' in message) {
      const reply = message as Reply;
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      const settled = options.settle(reply);
      if (settled instanceof Error) waiting?.reject(settled);
      else waiting?.resolve(settled);
    } else options.onNotice?.(message);
    holdProcess();
  });
  // After the listeners: adding a 'message' listener takes the thread's hold on the process again.
  holdProcess();
  return {
    request(message) {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      return new Promise<Value>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        holdProcess();
        worker.postMessage({ ...message, id });
      });
    },
    tell(message) {
      if (!stopped) worker.postMessage(message);
    },
  };
}
