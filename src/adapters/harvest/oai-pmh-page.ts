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

async function elements(
  body: string,
  name: string,
): Promise<{ found: XmlElement[]; malformed: string | null }> {
  const found: XmlElement[] = [];
  let malformed: string | null = null;
  for await (const item of readXmlRecords(Readable.from([Buffer.from(body)]), name)) {
    if (item.ok) found.push(item.element);
    else if (item.reason.startsWith('malformed XML')) malformed = `${item.reason} (${item.where})`;
  }
  return { found, malformed };
}

export async function parseOaiPage(body: string): Promise<OaiPage> {
  // Element by element (each small), never the whole page as one tree: a page of 2,500 records is large.
  const responseDate = await elements(body, 'responseDate');
  const empty = { items: [], deleted: 0, token: null, error: null, responseDate: null };
  if (responseDate.malformed) return { ...empty, malformed: responseDate.malformed };
  if (responseDate.found.length === 0)
    return { ...empty, malformed: 'not an OAI-PMH response (no <responseDate>)' };
  const error = (await elements(body, 'error')).found[0];
  const token = (await elements(body, 'resumptionToken')).found[0];
  const headers = (await elements(body, 'header')).found;
  const items: SourceItem[] = [];
  for await (const item of readXmlResponse(Readable.from([Buffer.from(body)]), 'oai-pmh')) items.push(item);
  return {
    items,
    deleted: headers.filter((header) => header.attrs.status === 'deleted').length,
    token: token?.text.trim() || null,
    error: error ? { code: error.attrs.code ?? 'unknown', message: error.text.trim() } : null,
    responseDate: responseDate.found[0]?.text.trim() ?? null,
    malformed: null,
  };
}
