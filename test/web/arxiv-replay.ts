/**
 * The arXiv API, replayed: a local HTTP server that answers `query?id_list=…` with the real responses
 * recorded in shared/data/fixtures/arxiv-api-atom/arxiv-py-recorded-2026 (status and body as arXiv sent
 * them). An id without a recording gets arXiv's empty feed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sharedPath } from '../helpers.js';

export async function startArxivReplay(): Promise<{
  url: string;
  requests: string[];
  close: () => Promise<void>;
}> {
  const dir = sharedPath('data', 'fixtures', 'arxiv-api-atom', 'arxiv-py-recorded-2026');
  const recordings = new Map<string, { status: number; body: string }>();
  for (const name of readdirSync(dir).filter((file) => file.startsWith('id_'))) {
    const recorded = JSON.parse(readFileSync(join(dir, name), 'utf8')) as {
      url: string;
      status_code: number;
      body: string;
    };
    recordings.set(new URL(recorded.url).searchParams.get('id_list') as string, {
      status: recorded.status_code,
      body: recorded.body,
    });
  }
  const empty = recordings.get('0000.0000') as { status: number; body: string };
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://replay');
    requests.push(url.pathname + url.search);
    const answer =
      url.pathname === '/api/query' ? (recordings.get(url.searchParams.get('id_list') ?? '') ?? empty) : null;
    if (!answer) {
      response.writeHead(404).end();
      return;
    }
    response
      .writeHead(answer.status, { 'content-type': 'application/atom+xml; charset=utf-8' })
      .end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
