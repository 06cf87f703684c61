/**
 * One paper from the arXiv API (export.arxiv.org/api/query?id_list=…), for submissions of papers the store
 * does not have yet. The base URL is configurable, so that tests (and mirrors) can answer in arXiv's place.
 */
import { Readable } from 'node:stream';
import { OpenPapersError } from '../../core/errors.js';
import type { PaperRecord } from '../../core/paper.js';
import type { PaperFetcher } from '../../app/ports.js';
import { atomEntryToRecord } from './arxiv-atom.js';
import { RecordError } from './record-error.js';
import { readXmlRecords } from './xml-records.js';

export const ARXIV_API = 'https://export.arxiv.org/api';
const TIMEOUT_MS = 15_000;

export function arxivApiFetcher(baseUrl: string = ARXIV_API, fetchImpl: typeof fetch = fetch): PaperFetcher {
  return {
    async fetchPaper(id: string): Promise<PaperRecord | null> {
      const url = `${baseUrl.replace(/\/$/, '')}/query?id_list=${encodeURIComponent(id)}&max_results=1`;
      let body: string;
      try {
        const response = await fetchImpl(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        body = await response.text();
        // The API answers a malformed id with 400 and an Atom error entry, read below for its message.
        if (!response.ok && response.status !== 400) throw new Error(`HTTP ${response.status}`);
      } catch (error) {
        throw new OpenPapersError(
          'OP_ERR_UPSTREAM',
          `the arXiv API cannot be reached (${(error as Error).message})`,
          {
            cause: error,
          },
        );
      }
      for await (const item of readXmlRecords(Readable.from([Buffer.from(body)]), 'entry')) {
        if (!item.ok) throw new OpenPapersError('OP_ERR_UPSTREAM', `the arXiv API answered: ${item.reason}`);
        try {
          return atomEntryToRecord(item.element);
        } catch (error) {
          if (error instanceof RecordError) throw new OpenPapersError('OP_ERR_BAD_REQUEST', error.message);
          throw error;
        }
      }
      return null;
    },
  };
}
