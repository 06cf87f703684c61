/**
 * What pages, feeds and the API ask of the use cases, in one place: validated parameters in, lists and
 * search results out. Each entry point only renders.
 */
import type { z } from '@hono/zod-openapi';
import type { PeriodList } from '../app/lists.js';
import type { SearchHit, SearchMode } from '../app/search.js';
import type { Services } from '../app/services.js';
import { OpenPapersError } from '../core/errors.js';
import { dayPeriod, parseMonth, parseWeek, type Period } from '../core/lists/periods.js';
import { describeIssue } from './schemas.js';

/** What the web app needs: the hub's services (app/services.ts). */
export type WebDeps = Services;

/**
 * Query parameters checked against a schema; a failure is a 400 that names the parameter. Empty values are
 * absent ones: an HTML form sends its empty fields (`from=&to=`).
 */
export function parseParams<T extends z.ZodType>(schema: T, params: Record<string, string>): z.output<T> {
  const given = Object.fromEntries(Object.entries(params).filter(([, value]) => value !== ''));
  const result = schema.safeParse(given);
  if (!result.success) throw new OpenPapersError('OP_ERR_BAD_REQUEST', describeIssue(result.error));
  return result.data;
}

/** What list requests name: a period (`date`, `week` or `month`; default the latest day), a page. */
export interface PeriodParams {
  date?: string;
  week?: string;
  month?: string;
  category?: string;
  page: number;
  per_page: number;
}

async function resolvePeriod(deps: WebDeps, params: PeriodParams): Promise<Period> {
  if (params.week) return parseWeek(params.week) as Period;
  if (params.month) return parseMonth(params.month) as Period;
  if (params.date) return dayPeriod(params.date);
  return dayPeriod((await deps.lists.latestDay()) ?? deps.now().slice(0, 10));
}

/** One page of the period a request names; a page past the last is a 400 that says which is the last. */
export async function periodPage(deps: WebDeps, params: PeriodParams): Promise<PeriodList> {
  const list = await deps.lists.period(await resolvePeriod(deps, params), {
    category: params.category,
    limit: params.per_page,
    offset: (params.page - 1) * params.per_page,
  });
  if (params.page > 1 && list.papers.length === 0) {
    const last = Math.max(1, Math.ceil(list.total / params.per_page));
    throw new OpenPapersError('OP_ERR_BAD_REQUEST', `page ${params.page} is past the last page (${last})`);
  }
  return list;
}

/** Readers' submissions shown with a period's papers, at most. */
const SUBMITTED_SHOWN = 20;

/**
 * What readers submitted in the period a request names; for the default period (the newest day of
 * announced papers), everything submitted since that day, so that today's submissions show on the home page.
 */
export async function submittedFor(deps: WebDeps, params: PeriodParams, list: PeriodList) {
  if (params.page !== 1) return [];
  const explicit = params.date ?? params.week ?? params.month;
  const to = explicit ? list.period.to : deps.now().slice(0, 10);
  return deps.lists.submitted(list.period.from, to, SUBMITTED_SHOWN);
}

export interface SearchParams {
  q: string;
  mode: SearchMode;
  category?: string;
  from?: string;
  to?: string;
  /** 'off': the words as typed, uncorrected. */
  spelling?: 'on' | 'off';
  page: number;
  per_page: number;
}

export interface SearchPageResult {
  hits: SearchHit[];
  hasMore: boolean;
  mode: SearchMode;
  notice: string | null;
  /** The query the results are for, when unknown words were corrected. */
  correctedQuery: string | null;
}

/**
 * One page of search results, and whether there is another. `fallBack`: when semantic search is off, answer
 * with keyword results and a notice instead of an error (pages do; the API reports the error).
 */
export async function searchPage(
  deps: WebDeps,
  params: SearchParams,
  fallBack: boolean,
): Promise<SearchPageResult> {
  const request = {
    query: params.q,
    mode: params.mode,
    limit: params.per_page + 1,
    offset: (params.page - 1) * params.per_page,
    from: params.from,
    to: params.to,
    categories: params.category ? [params.category] : undefined,
    spelling: params.spelling !== 'off',
  };
  let response;
  try {
    response = await deps.search.search(request);
  } catch (error) {
    if (!(error instanceof OpenPapersError)) throw error;
    if (error.code === 'OP_ERR_USAGE') throw new OpenPapersError('OP_ERR_BAD_REQUEST', `q: ${error.message}`);
    if (error.code !== 'OP_ERR_SEMANTIC' || !fallBack) throw error;
    response = {
      ...(await deps.search.search({ ...request, mode: 'lexical' })),
      notice: `${error.message}; showing keyword results`,
    };
  }
  return {
    hits: response.hits.slice(0, params.per_page),
    hasMore: response.hits.length > params.per_page,
    mode: response.mode,
    notice: response.notice,
    correctedQuery: response.spelling?.corrected ?? null,
  };
}
