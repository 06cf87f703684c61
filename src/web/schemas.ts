/**
 * The request and response schemas of the JSON API. The same schemas validate requests (API and pages)
 * and generate the OpenAPI document, so the document cannot drift from what the server accepts.
 */
import { z } from '@hono/zod-openapi';
import { parseDay, parseMonth, parseWeek } from '../core/lists/periods.js';

export const MAX_QUERY_CHARS = 500;
export const MAX_PAGE = 1000;
export const MAX_PER_PAGE = 100;

const day = (name: string) =>
  z
    .string()
    .refine((text) => parseDay(text) !== null, { message: `${name} must be a real day as YYYY-MM-DD` })
    .openapi({ example: '2026-06-24', param: { name, in: 'query' } });

const pageParams = {
  page: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE)
    .default(1)
    .openapi({ param: { name: 'page', in: 'query' }, example: 1 }),
  per_page: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PER_PAGE)
    .default(20)
    .openapi({ param: { name: 'per_page', in: 'query' }, example: 20 }),
};

const category = z
  .string()
  .regex(/^[A-Za-z][\w.-]{0,39}$/, 'category must look like cs.CL or hep-th')
  .optional()
  .openapi({ param: { name: 'category', in: 'query' }, example: 'cs.CL' });

export const DailyQuery = z.object({
  date: day('date').optional(),
  category,
  ...pageParams,
});

export const WeeklyQuery = z.object({
  week: z
    .string()
    .refine((text) => parseWeek(text) !== null, { message: 'week must be an ISO week such as 2026-W47' })
    .optional()
    .openapi({ param: { name: 'week', in: 'query' }, example: '2026-W26' }),
  category,
  ...pageParams,
});

export const MonthlyQuery = z.object({
  month: z
    .string()
    .refine((text) => parseMonth(text) !== null, { message: 'month must be YYYY-MM' })
    .optional()
    .openapi({ param: { name: 'month', in: 'query' }, example: '2026-06' }),
  category,
  ...pageParams,
});

export const TrendingQuery = z.object({ ...pageParams });

export const SearchModeSchema = z.enum(['hybrid', 'lexical', 'semantic']);

export const SearchQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1, 'q (the query) must not be empty')
    .max(MAX_QUERY_CHARS, `q (the query) must be at most ${MAX_QUERY_CHARS} characters`)
    .openapi({ param: { name: 'q', in: 'query' }, example: 'linear attention for long context' }),
  mode: SearchModeSchema.default('hybrid').openapi({ param: { name: 'mode', in: 'query' } }),
  category,
  from: day('from').optional(),
  to: day('to').optional(),
  spelling: z
    .enum(['on', 'off'])
    .default('on')
    .openapi({
      param: { name: 'spelling', in: 'query' },
      description: 'off: search for the words as typed, even those no paper contains',
    }),
  ...pageParams,
});

export const PaperParams = z.object({
  id: z
    .string()
    .min(1)
    .max(200)
    .openapi({ param: { name: 'id', in: 'path' }, example: '2406.12345' }),
});

export const SimilarQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(50)
    .default(10)
    .openapi({ param: { name: 'limit', in: 'query' }, example: 10 }),
});

export const PaperSummarySchema = z
  .object({
    id: z.string(),
    title: z.string(),
    authors: z.array(z.string()),
    categories: z.array(z.string()),
    day: z.string().nullable().openapi({ description: 'the day the paper belongs to on daily lists' }),
    abstract: z.string(),
    withdrawn: z.boolean().openapi({ description: 'the latest version on arXiv withdraws the paper' }),
    votes: z.number().int(),
    url: z.string().openapi({ description: 'the paper page on this server' }),
    arxivUrl: z.string().nullable(),
    pdfUrl: z.string().nullable(),
  })
  .openapi('PaperSummary');

export const PaperSchema = PaperSummarySchema.extend({
  classes: z.array(z.string()),
  comments: z.string().nullable(),
  journalRef: z.string().nullable(),
  doi: z.string().nullable(),
  license: z.string().nullable(),
  versions: z.array(z.object({ version: z.number().int(), date: z.string().nullable() })),
  published: z.string().nullable(),
  updated: z.string().nullable(),
}).openapi('Paper');

const PageInfo = {
  page: z.number().int(),
  perPage: z.number().int(),
  total: z.number().int(),
};

export const PeriodListSchema = z
  .object({
    period: z.object({
      kind: z.enum(['day', 'week', 'month']),
      key: z.string(),
      from: z.string(),
      to: z.string(),
    }),
    previous: z.string().nullable().openapi({ description: 'the previous period with papers' }),
    next: z.string().nullable(),
    items: z.array(PaperSummarySchema),
    submitted: z
      .array(PaperSummarySchema.extend({ submittedOn: z.string(), submitters: z.number() }))
      .openapi({
        description:
          'papers readers submitted in the period (for the default period: since its newest announced day)',
      }),
    ...PageInfo,
  })
  .openapi('PeriodList');

export const TrendingListSchema = z
  .object({
    asOf: z.string(),
    items: z.array(PaperSummarySchema.extend({ score: z.number() })),
    ...PageInfo,
  })
  .openapi('TrendingList');

const SnippetSchema = z.object({
  text: z.string(),
  highlights: z.array(z.tuple([z.number().int(), z.number().int()])),
});

export const SearchResultsSchema = z
  .object({
    query: z.string(),
    mode: SearchModeSchema,
    notice: z.string().nullable(),
    correctedQuery: z
      .string()
      .nullable()
      .openapi({ description: 'The query the results are for, when words no paper contains were corrected' }),
    items: z.array(PaperSummarySchema.extend({ score: z.number(), snippet: SnippetSchema })),
    page: z.number().int(),
    perPage: z.number().int(),
    hasMore: z.boolean(),
  })
  .openapi('SearchResults');

export const SimilarSchema = z
  .object({
    id: z.string(),
    mode: SearchModeSchema,
    notice: z.string().nullable(),
    items: z.array(PaperSummarySchema.extend({ score: z.number() })),
  })
  .openapi('Similar');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'OP_ERR_BAD_REQUEST' }),
      message: z.string(),
    }),
  })
  .openapi('Error');

/** The first problem of a failed validation, as one line that names the parameter. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  const where = issue.path.join('.');
  return issue.message.startsWith(where) || !where ? issue.message : `${where}: ${issue.message}`;
}
