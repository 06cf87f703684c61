/** One arXiv API response: its entries, read as `ingest` reads an Atom file; a feed that is not XML is an error. */
import { Readable } from 'node:stream';
import type { SourceItem } from '../../app/ports.js';
import { OpenPapersError } from '../../core/errors.js';
import { readXmlResponse } from '../sources/formats.js';

export async function parseArxivFeed(body: string): Promise<SourceItem[]> {
  const items: SourceItem[] = [];
  for await (const item of readXmlResponse(Readable.from([Buffer.from(body)]), 'arxiv-atom')) {
    if (!item.ok && item.reason.startsWith('malformed XML'))
      throw new OpenPapersError(
        'OP_ERR_UPSTREAM',
        `the arXiv API answered with ${item.reason} (${item.where})`,
      );
    items.push(item);
  }
  return items;
}
