/** arXiv daily listing JSON-lines (the crawler format of shared/data/arxiv-daily-listings). */
import { z } from 'zod';
import { splitCategories } from '../../core/categories.js';
import { toIsoDay } from '../../core/dates.js';
import { emptyRecord, type PaperRecord } from '../../core/paper.js';
import { decodeLatexAccents } from '../../core/authors.js';
import { normalizeAbstract, normalizeLine, optionalLine } from '../../core/text.js';
import { requireArxivId } from './arxiv-fields.js';
import type { JsonLinesFormat } from './json-lines.js';
import { RecordError } from './record-error.js';

const schema = z.object({
  id: z.string(),
  title: z.string(),
  summary: z.string(),
  authors: z.array(z.string()),
  categories: z.array(z.string()),
  comment: z.string().nullish(),
  file_date: z.string(),
});

export const arxivListing: JsonLinesFormat<typeof schema> = {
  schema,
  toRecord(value): PaperRecord {
    const { id } = requireArxivId(value.id);
    const day = toIsoDay(value.file_date);
    if (!day) throw new RecordError(`file_date: "${value.file_date}" is not a YYYY-MM-DD date`);
    const { categories, classes } = splitCategories(value.categories);
    return {
      ...emptyRecord(id),
      title: normalizeLine(value.title),
      abstract: normalizeAbstract(value.summary),
      authors: value.authors.map((name) => decodeLatexAccents(normalizeLine(name))).filter(Boolean),
      categories,
      classes,
      comments: optionalLine(value.comment),
      announced: day,
      updated: day,
      sources: ['arxiv-listing'],
    };
  },
};
