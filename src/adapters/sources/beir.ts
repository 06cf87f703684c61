/** BEIR `corpus.jsonl`: `{"_id", "title", "text", "metadata"}`. Ids are scoped by the corpus name. */
import { z } from 'zod';
import { beirPaperId } from '../../core/ids.js';
import { emptyRecord, type PaperRecord } from '../../core/paper.js';
import { normalizeAbstract, normalizeLine } from '../../core/text.js';
import type { JsonLinesFormat } from './json-lines.js';
import { RecordError } from './record-error.js';

const schema = z.object({
  _id: z.union([z.string(), z.number()]),
  title: z.string().default(''),
  text: z.string(),
});

export function beirCorpus(corpusName: string): JsonLinesFormat<typeof schema> {
  return {
    schema,
    toRecord(value): PaperRecord {
      const docId = String(value._id).trim();
      if (docId === '') throw new RecordError('no id');
      return {
        ...emptyRecord(beirPaperId(corpusName, docId)),
        title: normalizeLine(value.title),
        abstract: normalizeAbstract(value.text),
        sources: ['beir'],
      };
    },
  };
}
