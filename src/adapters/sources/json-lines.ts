/** The shared reader of JSON-lines formats: one JSON object a line, checked by a schema, then converted. */
import type { Readable } from 'node:stream';
import type { z } from 'zod';
import type { SourceItem } from '../../app/ports.js';
import { LIMITS, recordProblem, type PaperRecord } from '../../core/paper.js';
import { readLines } from './lines.js';
import { describeIssues, RecordError } from './record-error.js';

export interface JsonLinesFormat<S extends z.ZodType> {
  schema: S;
  toRecord(value: z.infer<S>): PaperRecord;
}

export async function* readJsonLines<S extends z.ZodType>(
  stream: Readable,
  format: JsonLinesFormat<S>,
): AsyncGenerator<SourceItem> {
  for await (const line of readLines(stream, LIMITS.recordBytes)) {
    const where = `line ${line.number}`;
    if ('problem' in line) {
      yield { ok: false, where, reason: line.problem };
      continue;
    }
    yield convertLine(line.text, where, format);
  }
}

function convertLine<S extends z.ZodType>(
  text: string,
  where: string,
  format: JsonLinesFormat<S>,
): SourceItem {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, where, reason: `invalid JSON (${(error as Error).message})` };
  }
  const parsed = format.schema.safeParse(value);
  if (!parsed.success) return { ok: false, where, reason: describeIssues(parsed.error) };
  try {
    const record = format.toRecord(parsed.data);
    const problem = recordProblem(record);
    return problem
      ? { ok: false, where: withId(where, record.id), reason: problem }
      : { ok: true, where, record };
  } catch (error) {
    if (error instanceof RecordError) return { ok: false, where, reason: error.message };
    throw error;
  }
}

export function withId(where: string, id: string): string {
  return id ? `${where} (${id})` : where;
}
