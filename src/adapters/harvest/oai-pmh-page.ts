/**
 * One OAI-PMH response page: its records (read as `ingest` reads an OAI-PMH file), how many records it
 * marks deleted, its resumption token, its error (`badResumptionToken`, `noRecordsMatch`, …) and the date
 * it was answered. A page that is not well-formed XML is `malformed`, and none of its records are used.
 */
import { Readable } from 'node:stream';
import type { SourceItem } from '../../app/ports.js';
import type { OaiPage } from '../../app/harvest.js';
import { readXmlResponse } from '../sources/formats.js';
import { readXmlRecords, type XmlElement } from '../sources/xml-records.js';

export async function parseOaiPage(body: string): Promise<OaiPage> {
  // The envelope's small elements in one pass, the records in another (as an OAI-PMH file is read);
  // never the whole page as one tree: a page of 2,500 records is large.
  const envelope: XmlElement[] = [];
  const read = () => Readable.from([Buffer.from(body)]);
  for await (const item of readXmlRecords(read(), ['responseDate', 'error', 'resumptionToken', 'header'])) {
    if (item.ok) envelope.push(item.element);
    else if (item.reason.startsWith('malformed XML')) return malformed(`${item.reason} (${item.where})`);
  }
  const first = (name: string) => envelope.find((element) => element.name === name);
  const responseDate = first('responseDate');
  if (!responseDate) return malformed('not an OAI-PMH response (no <responseDate>)');
  const error = first('error');
  const items: SourceItem[] = [];
  for await (const item of readXmlResponse(read(), 'oai-pmh')) items.push(item);
  return {
    items,
    deleted: envelope.filter((element) => element.name === 'header' && element.attrs.status === 'deleted')
      .length,
    token: first('resumptionToken')?.text.trim() || null,
    error: error ? { code: error.attrs.code ?? 'unknown', message: error.text.trim() } : null,
    responseDate: responseDate.text.trim(),
    malformed: null,
  };
}

function malformed(why: string): OaiPage {
  return { items: [], deleted: 0, token: null, error: null, responseDate: null, malformed: why };
}
