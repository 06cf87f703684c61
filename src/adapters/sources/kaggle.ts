/** The arXiv Kaggle metadata snapshot (Cornell's `arxiv-metadata-oai-snapshot.json`), one JSON object a line. */
import { z } from 'zod';
import { splitCategories } from '../../core/categories.js';
import { splitAuthors } from '../../core/authors.js';
import { emptyRecord, type PaperRecord } from '../../core/paper.js';
import { normalizeAbstract, normalizeLine, optionalLine } from '../../core/text.js';
import { optionalDoi, requireArxivId, requireTime, versionDates } from './arxiv-fields.js';
import type { JsonLinesFormat } from './json-lines.js';

const schema = z.object({
  id: z.string(),
  title: z.string(),
  abstract: z.string(),
  authors: z.string(),
  categories: z.string(),
  comments: z.string().nullish(),
  'journal-ref': z.string().nullish(),
  doi: z.string().nullish(),
  'report-no': z.string().nullish(),
  license: z.string().nullish(),
  versions: z.array(z.object({ version: z.string().regex(/^v\d+$/), created: z.string() })).default([]),
});

export const kaggleSnapshot: JsonLinesFormat<typeof schema> = {
  schema,
  toRecord(value): PaperRecord {
    const { id } = requireArxivId(value.id);
    const { categories, classes } = splitCategories(value.categories);
    const dated = versionDates(
      value.versions.map((v) => ({
        version: Number(v.version.slice(1)),
        date: requireTime(v.created, 'versions'),
      })),
    );
    return {
      ...emptyRecord(id),
      title: normalizeLine(value.title),
      abstract: normalizeAbstract(value.abstract),
      authors: splitAuthors(value.authors),
      categories,
      classes,
      comments: optionalLine(value.comments),
      journalRef: optionalLine(value['journal-ref']),
      doi: optionalDoi(value.doi),
      reportNo: optionalLine(value['report-no']),
      license: optionalLine(value.license),
      ...dated,
      sources: ['kaggle'],
    };
  },
};
