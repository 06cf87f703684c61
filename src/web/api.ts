/** The JSON API under /api, declared with the schemas that validate it and that generate /api/openapi.json. */
import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import { OpenPapersError } from '../core/errors.js';
import { isWithdrawn, paperDay, type Paper } from '../core/paper.js';
import { periodPage, searchPage, submittedFor, type PeriodParams, type WebDeps } from './queries.js';
import {
  DailyQuery,
  describeIssue,
  ErrorSchema,
  MonthlyQuery,
  PaperParams,
  PaperSchema,
  PaperSummarySchema,
  PeriodListSchema,
  SearchQuery,
  SearchResultsSchema,
  SimilarQuery,
  SimilarSchema,
  TrendingListSchema,
  TrendingQuery,
  WeeklyQuery,
} from './schemas.js';
import { arxivLinks, paperPath } from './urls.js';

const API_CACHE = 'public, max-age=60';

function summary(paper: Paper, votes: number): z.infer<typeof PaperSummarySchema> {
  const links = arxivLinks(paper.id);
  return {
    id: paper.id,
    title: paper.title,
    authors: paper.authors,
    categories: paper.categories,
    day: paperDay(paper),
    abstract: paper.abstract,
    withdrawn: isWithdrawn(paper),
    votes,
    url: paperPath(paper.id),
    arxivUrl: links?.abs ?? null,
    pdfUrl: links?.pdf ?? null,
  };
}

const errors = {
  400: {
    description: 'A parameter is malformed or out of range',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};
const notFound = {
  404: { description: 'No paper with that id', content: { 'application/json': { schema: ErrorSchema } } },
};
const unavailable = {
  503: {
    description: 'Semantic search was asked for but is unavailable',
    content: { 'application/json': { schema: ErrorSchema } },
  },
};

function listRoute<Q extends typeof DailyQuery | typeof WeeklyQuery | typeof MonthlyQuery>(
  path: string,
  query: Q,
  summaryText: string,
) {
  return createRoute({
    method: 'get',
    path,
    summary: summaryText,
    request: { query },
    responses: {
      200: { description: summaryText, content: { 'application/json': { schema: PeriodListSchema } } },
      ...errors,
    },
  });
}

export function createApi(deps: WebDeps): OpenAPIHono {
  const api = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) throw new OpenPapersError('OP_ERR_BAD_REQUEST', describeIssue(result.error));
    },
  });

  const lists = [
    ['/daily', DailyQuery, 'The papers of one day (default: the latest day with papers)'],
    ['/weekly', WeeklyQuery, 'The papers of one ISO week (default: the latest)'],
    ['/monthly', MonthlyQuery, 'The papers of one month (default: the latest)'],
  ] as const;
  for (const [path, query, summaryText] of lists) {
    api.openapi(listRoute(path, query, summaryText), async (c) => {
      const params: PeriodParams = c.req.valid('query');
      const list = await periodPage(deps, params);
      const submitted = await submittedFor(deps, params, list);
      c.header('cache-control', API_CACHE);
      return c.json(
        {
          period: list.period,
          previous: list.previous,
          next: list.next,
          items: list.papers.map((item) => summary(item.paper, item.votes)),
          submitted: submitted.map((item) => ({
            ...summary(item.paper, item.votes),
            submittedOn: item.submittedOn,
            submitters: item.submitters,
          })),
          page: params.page,
          perPage: params.per_page,
          total: list.total,
        },
        200,
      );
    });
  }

  api.openapi(
    createRoute({
      method: 'get',
      path: '/trending',
      summary: 'Trending papers: votes with time decay over the last week (see /about/trending)',
      request: { query: TrendingQuery },
      responses: {
        200: {
          description: 'Trending papers',
          content: { 'application/json': { schema: TrendingListSchema } },
        },
        ...errors,
      },
    }),
    async (c) => {
      const params = c.req.valid('query');
      const list = await deps.lists.trending(deps.now(), {
        limit: params.per_page,
        offset: (params.page - 1) * params.per_page,
      });
      c.header('cache-control', API_CACHE);
      return c.json(
        {
          asOf: list.asOf,
          items: list.papers.map((item) => ({ ...summary(item.paper, item.votes), score: item.score })),
          page: params.page,
          perPage: params.per_page,
          total: list.total,
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/search',
      summary: 'Search papers by keywords, meaning, or both (hybrid, the default)',
      request: { query: SearchQuery },
      responses: {
        200: {
          description: 'Ranked results',
          content: { 'application/json': { schema: SearchResultsSchema } },
        },
        ...errors,
        ...unavailable,
      },
    }),
    async (c) => {
      const params = c.req.valid('query');
      const result = await searchPage(deps, params, false);
      const votes = await deps.store.voteCounts(result.hits.map((hit) => hit.paper.id));
      c.header('cache-control', API_CACHE);
      return c.json(
        {
          query: params.q,
          mode: result.mode,
          notice: result.notice,
          correctedQuery: result.correctedQuery,
          items: result.hits.map((hit) => ({
            ...summary(hit.paper, votes.get(hit.paper.id) ?? 0),
            score: hit.score,
            snippet: hit.snippet,
          })),
          page: params.page,
          perPage: params.per_page,
          hasMore: result.hasMore,
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/papers/{id}',
      summary: 'One paper (ids with a slash, such as hep-th/9901001, are URL-encoded: hep-th%2F9901001)',
      request: { params: PaperParams },
      responses: {
        200: { description: 'The paper', content: { 'application/json': { schema: PaperSchema } } },
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const paper = await deps.store.getPaper(id);
      if (!paper) throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${id}"`);
      const votes = (await deps.store.voteCounts([id])).get(id) ?? 0;
      c.header('cache-control', API_CACHE);
      return c.json(
        {
          ...summary(paper, votes),
          classes: paper.classes,
          comments: paper.comments,
          journalRef: paper.journalRef,
          doi: paper.doi,
          license: paper.license,
          versions: paper.versions,
          published: paper.published,
          updated: paper.updated,
        },
        200,
      );
    },
  );

  api.openapi(
    createRoute({
      method: 'get',
      path: '/papers/{id}/similar',
      summary: 'The papers most like one paper (its distinctive words and its embedding neighbours, fused)',
      request: { params: PaperParams, query: SimilarQuery },
      responses: {
        200: { description: 'Similar papers', content: { 'application/json': { schema: SimilarSchema } } },
        ...errors,
        ...notFound,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { limit } = c.req.valid('query');
      const similar = await deps.search.similar(id, limit);
      const votes = await deps.store.voteCounts(similar.hits.map((hit) => hit.paper.id));
      c.header('cache-control', API_CACHE);
      return c.json(
        {
          id: similar.paper.id,
          mode: similar.mode,
          notice: similar.notice,
          items: similar.hits.map((hit) => ({
            ...summary(hit.paper, votes.get(hit.paper.id) ?? 0),
            score: hit.score,
          })),
        },
        200,
      );
    },
  );

  api.doc31('/openapi.json', API_DOCUMENT);
  return api;
}

const API_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'OpenPapers API',
    version: '1',
    description:
      'Daily, weekly, monthly and trending papers, search and similar papers. Errors are {"error": {"code", "message"}} with a stable code (docs/errors.md).',
  },
  servers: [{ url: '/api' }],
};

/** The API's OpenAPI document, as /api/openapi.json serves it (for the page that lists the endpoints). */
export function apiDocument(api: OpenAPIHono): ReturnType<OpenAPIHono['getOpenAPI31Document']> {
  return api.getOpenAPI31Document(API_DOCUMENT);
}
