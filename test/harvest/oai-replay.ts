/**
 * arXiv's OAI-PMH interface, replayed from the recordings in shared/data/fixtures/arxiv-oai-pmh: the
 * recorded `oai_dc` page of set `cs` (with its real resumption token) and the recorded `arXiv`-format page
 * of `physics:hep-th`. What arXiv documents but no recording shows — the page a token leads to,
 * `noRecordsMatch`, `badResumptionToken`, `503` with `Retry-After` — is answered in the same format,
 * built from the recorded pages. Each test can replace any answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sharedPath } from '../helpers.js';

const DIR = sharedPath('data', 'fixtures', 'arxiv-oai-pmh');
export const CS_PAGE = readFileSync(`${DIR}/atomiklabs-listrecords-oai_dc-cs-2024-01-27.xml`, 'utf8');
export const HEP_TH_PAGE = readFileSync(`${DIR}/hepcrawl/arxiv-physics-hep-th.xml`, 'utf8');
/** The recorded page's own token. */
export const CS_TOKEN = '6960524|1001';
export const CS_FIRST_IDS = ['1303.2033', '2401.14034', '2401.14036', '2401.14038', '2401.14040'];

const head = (page: string) => page.slice(0, page.indexOf('<ListRecords>'));
const records = (page: string) => page.match(/<record>[\s\S]*?<\/record>/g) ?? [];

/** The page the recorded token leads to: two more records (the recorded ones under new ids), the last page. */
export const CS_SECOND_PAGE =
  `${head(CS_PAGE)}<ListRecords>\n` +
  records(CS_PAGE)
    .slice(1, 3)
    .map((record) => record.replaceAll('2401.1403', '2401.1503'))
    .join('\n') +
  `\n<resumptionToken cursor="1001" completeListSize="1162"></resumptionToken>\n</ListRecords>\n</OAI-PMH>\n`;
export const CS_SECOND_IDS = ['2401.15034', '2401.15036'];

export function oaiError(page: string, code: string, message: string): string {
  return `${head(page)}<error code="${code}">${message}</error>\n</OAI-PMH>\n`;
}

export interface Answer {
  status?: number;
  headers?: Record<string, string>;
  body: string;
  /** Hold the answer until this resolves (to kill a harvester while it waits). */
  delay?: Promise<void>;
}

export interface OaiReplay {
  url: string;
  /** Each request's query string, in order, with the time it came. */
  requests: { query: URLSearchParams; at: number }[];
  /** The answer to a request; a test replaces it to change what the server says. */
  answer: (query: URLSearchParams, count: number) => Answer;
  close: () => Promise<void>;
}

/** The default answers: the cs chain (two pages), then nothing new; the hep-th page; errors otherwise. */
export function recordedAnswer(query: URLSearchParams): Answer {
  const token = query.get('resumptionToken');
  if (token === CS_TOKEN) return { body: CS_SECOND_PAGE };
  if (token)
    return {
      body: oaiError(
        CS_PAGE,
        'badResumptionToken',
        'The value of the resumptionToken argument is invalid or expired.',
      ),
    };
  const set = query.get('set');
  const from = query.get('from') ?? '';
  if (set === 'cs' && query.get('metadataPrefix') === 'oai_dc')
    return from <= '2024-01-25'
      ? { body: CS_PAGE }
      : { body: oaiError(CS_PAGE, 'noRecordsMatch', 'No records match.') };
  if (set === 'physics:hep-th' && query.get('metadataPrefix') === 'arXiv')
    return from <= '2017-12-14'
      ? { body: HEP_TH_PAGE }
      : { body: oaiError(HEP_TH_PAGE, 'noRecordsMatch', 'No records match.') };
  return { status: 400, body: oaiError(CS_PAGE, 'badArgument', 'Unknown set or format.') };
}

export async function startOaiReplay(): Promise<OaiReplay> {
  const replay: OaiReplay = { url: '', requests: [], answer: recordedAnswer, close: () => Promise.resolve() };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    replay.requests.push({ query, at: performance.now() });
    const answer = replay.answer(query, replay.requests.length);
    void (answer.delay ?? Promise.resolve()).then(() => {
      response.writeHead(answer.status ?? 200, {
        'content-type': 'text/xml; charset=utf-8',
        ...answer.headers,
      });
      response.end(answer.body);
    });
  });
  Object.assign(replay, await listen(server, '/oai'));
  return replay;
}

/**
 * The arXiv API's newest-first listing, replayed: every entry of the recorded `search_query=testing` pages,
 * ordered by first-version date, newest first, and paged by `start` and `max_results` as the API pages.
 */
export async function startApiReplay(): Promise<{
  url: string;
  requests: URLSearchParams[];
  entries: string[];
  close: () => Promise<void>;
}> {
  const dir = sharedPath('data', 'fixtures', 'arxiv-api-atom', 'arxiv-py-recorded-2026');
  const bodies = readdirSync(dir)
    .filter((name) => name.startsWith('q_testing'))
    .map((name) => (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { body: string }).body);
  const byId = new Map<string, string>();
  for (const body of bodies)
    for (const entry of body.match(/<entry>[\s\S]*?<\/entry>/g) ?? [])
      byId.set(/<id>([^<]+)<\/id>/.exec(entry)?.[1] ?? '', entry);
  const published = (entry: string) => /<published>([^<]+)<\/published>/.exec(entry)?.[1] ?? '';
  const entries = [...byId.values()].sort((a, b) => published(b).localeCompare(published(a)));
  const head = (bodies[0] as string).slice(0, (bodies[0] as string).indexOf('<entry>'));
  const replay = { url: '', requests: [] as URLSearchParams[], entries, close: () => Promise.resolve() };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const query = new URL(request.url ?? '/', 'http://localhost').searchParams;
    replay.requests.push(query);
    const start = Number(query.get('start'));
    const page = replay.entries.slice(start, start + Number(query.get('max_results')));
    response.writeHead(200, { 'content-type': 'application/atom+xml; charset=utf-8' });
    response.end(`${head}${page.join('\n')}\n</feed>\n`);
  });
  Object.assign(replay, await listen(server, '/api'));
  return replay;
}

/** Listens on a free local port; the address to ask at `path`, and how to stop. */
async function listen(server: Server, path: string): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
