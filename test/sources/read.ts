/** Reads a file through the real source adapters, as the ingest command does. */
import { stat } from 'node:fs/promises';
import type { SourceItem } from '../../src/app/ports.js';
import { detectFileFormat, readSource, type FormatName } from '../../src/adapters/sources/formats.js';

export async function readAll(
  path: string,
  format?: FormatName,
): Promise<{ format: FormatName; items: SourceItem[] }> {
  const source = { name: path, path, size: (await stat(path)).size, found: false };
  const detected = format ?? (await detectFileFormat(source));
  if (!detected) throw new Error(`no format for ${path}`);
  const items: SourceItem[] = [];
  for await (const item of readSource(source, detected)) items.push(item);
  return { format: detected, items };
}

export function records(items: SourceItem[]) {
  return items.flatMap((item) => (item.ok ? [item.record] : []));
}

export function rejections(items: SourceItem[]) {
  return items.flatMap((item) => (item.ok ? [] : [`${item.where}: ${item.reason}`]));
}
