/** Field conversions shared by the arXiv formats. */
import { parseArxivId, type ArxivIdParts } from '../../core/arxiv-id.js';
import { toIsoTime } from '../../core/dates.js';
import { cleanDoi } from '../../core/ids.js';
import { optionalLine } from '../../core/text.js';
import type { PaperVersion } from '../../core/paper.js';
import { RecordError } from './record-error.js';

export function requireArxivId(raw: string | null | undefined): ArxivIdParts {
  if (!raw || raw.trim() === '') throw new RecordError('no id');
  const parsed = parseArxivId(raw);
  if (!parsed) throw new RecordError(`"${raw.slice(0, 80)}" is not an arXiv id`);
  return parsed;
}

/** Versions with their submission times, plus the first and latest of those times. */
export function versionDates(versions: readonly { version: number; date: string | null }[]): {
  versions: PaperVersion[];
  published: string | null;
  updated: string | null;
} {
  const sorted = [...versions].sort((a, b) => a.version - b.version);
  const dates = sorted.map((v) => v.date).filter((d): d is string => d !== null);
  return { versions: sorted, published: sorted[0]?.date ?? null, updated: dates.at(-1) ?? null };
}

/** `Mon, 2 Apr 2007 19:18:42 GMT` and friends; a date that cannot be read is an error, never a guess. */
export function requireTime(text: string, field: string): string {
  const time = toIsoTime(text);
  if (!time) throw new RecordError(`${field}: "${text.slice(0, 60)}" is not a date`);
  return time;
}

export function optionalDoi(value: string | null | undefined): string | null {
  const line = optionalLine(value);
  return line === null ? null : optionalLine(cleanDoi(line));
}
