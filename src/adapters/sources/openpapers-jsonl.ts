/**
 * OpenPapers' own JSON-lines format: the paper model's fields, all optional but a title or an abstract.
 * A record without an id gets one from its arXiv id, DOI or title (core/ids.ts). The seed pages
 * (`{"title", "abstract"}`) are the smallest valid records.
 */
import { z } from 'zod';
import { parseArxivId } from '../../core/arxiv-id.js';
import { splitCategories, splitClasses } from '../../core/categories.js';
import { decodeLatexAccents } from '../../core/authors.js';
import { toIsoDay, toIsoTime } from '../../core/dates.js';
import { doiPaperId, titlePaperId } from '../../core/ids.js';
import { emptyRecord, type PaperRecord } from '../../core/paper.js';
import { optionalDoi } from './arxiv-fields.js';
import { normalizeAbstract, normalizeLine, optionalLine } from '../../core/text.js';
import type { JsonLinesFormat } from './json-lines.js';
import { RecordError } from './record-error.js';

const optionalText = z.string().nullish();
const schema = z.object({
  id: optionalText,
  title: z.string().default(''),
  abstract: z.string().default(''),
  authors: z.array(z.string()).default([]),
  categories: z.array(z.string()).default([]),
  classes: z.array(z.string()).default([]),
  comments: optionalText,
  journalRef: optionalText,
  doi: optionalText,
  reportNo: optionalText,
  license: optionalText,
  versions: z
    .array(z.object({ version: z.number().int().positive(), date: z.string().nullable() }))
    .default([]),
  published: optionalText,
  updated: optionalText,
  announced: optionalText,
});

function checkedTime(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const time = toIsoTime(value);
  if (!time) throw new RecordError(`${field}: "${value.slice(0, 40)}" is not a date`);
  return time;
}

export const openpapersJsonl: JsonLinesFormat<typeof schema> = {
  schema,
  toRecord(value): PaperRecord {
    const title = normalizeLine(value.title);
    const arxiv = value.id ? parseArxivId(value.id) : null;
    const id =
      arxiv?.id ?? value.id?.trim() ?? (value.doi ? doiPaperId(value.doi) : title ? titlePaperId(title) : '');
    const { categories, classes } = splitCategories(value.categories);
    const announced = value.announced ? toIsoDay(value.announced) : null;
    if (value.announced && !announced)
      throw new RecordError(`announced: "${value.announced}" is not a YYYY-MM-DD date`);
    return {
      ...emptyRecord(id),
      title,
      abstract: normalizeAbstract(value.abstract),
      authors: value.authors.map((name) => decodeLatexAccents(normalizeLine(name))).filter(Boolean),
      categories,
      classes: [...classes, ...value.classes.flatMap(splitClasses)],
      comments: optionalLine(value.comments),
      journalRef: optionalLine(value.journalRef),
      doi: optionalDoi(value.doi),
      reportNo: optionalLine(value.reportNo),
      license: optionalLine(value.license),
      versions: value.versions.map((v) => ({ version: v.version, date: checkedTime(v.date, 'versions') })),
      published: checkedTime(value.published, 'published'),
      updated: checkedTime(value.updated, 'updated'),
      announced,
      sources: ['openpapers'],
    };
  },
};
