/**
 * HTTP for arXiv's harvesting interfaces, as arXiv asks: one request at a time, each `intervalMs` after the last answer
 * (3 s by default, for OAI-PMH, the API and RSS alike), and a `503` or `429` answered by waiting its
 * `Retry-After` (seconds or an HTTP date) before asking again, a few times at most.
 */
import { OpenPapersError } from '../../core/errors.js';
import type { HarvestHttp } from '../../app/ports.js';

export interface PoliteHttpOptions {
  intervalMs: number;
  /** How many 503/429 answers one request may wait out before giving up. */
  maxRetries?: number;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  onWait?: (seconds: number, why: string) => void;
}

const USER_AGENT = 'OpenPapers harvester (+https://github.com/openpapers/openpapers)';

export function politeHttp(options: PoliteHttpOptions): HarvestHttp {
  const fetchImpl = options.fetchImpl ?? fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const maxRetries = options.maxRetries ?? 5;
  let last = Number.NEGATIVE_INFINITY;
  let queue: Promise<unknown> = Promise.resolve();

  const once = async (url: string): Promise<Response> => {
    const wait = last + options.intervalMs - performance.now();
    if (wait > 0) await sleep(wait);
    try {
      return await fetchImpl(url, {
        headers: { 'user-agent': USER_AGENT },
        signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
      });
    } catch (error) {
      throw new OpenPapersError('OP_ERR_UPSTREAM', `${url} cannot be reached (${(error as Error).message})`, {
        cause: error,
      });
    } finally {
      // Counted from the answer, not the asking: the server sees the requests at least this far apart.
      last = performance.now();
    }
  };

  const get = async (url: string): Promise<string> => {
    for (let attempt = 0; ; attempt++) {
      const response = await once(url);
      if (response.ok) return await response.text();
      if ((response.status === 503 || response.status === 429) && attempt < maxRetries) {
        const seconds = retryAfterSeconds(response.headers.get('retry-after'));
        options.onWait?.(seconds, `HTTP ${response.status}`);
        await response.body?.cancel();
        await sleep(seconds * 1000);
        continue;
      }
      throw new OpenPapersError('OP_ERR_UPSTREAM', `${url} answered HTTP ${response.status}`);
    }
  };

  return {
    // Requests queue behind each other, so that the interval holds however callers interleave.
    get(url: string): Promise<string> {
      const next = queue.then(() => get(url));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}

/** Seconds to wait for a Retry-After value; 30 when it is missing or unreadable, at most an hour. */
export function retryAfterSeconds(value: string | null, now = Date.now()): number {
  if (value === null) return 30;
  const seconds = /^\s*\d+\s*$/.test(value) ? Number(value) : (Date.parse(value) - now) / 1000;
  return Number.isFinite(seconds) ? Math.min(3600, Math.max(0, seconds)) : 30;
}
