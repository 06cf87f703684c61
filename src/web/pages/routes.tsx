/** The HTML pages and the feeds: parameters validated, use cases called, views rendered. */
import type { Context, Hono } from 'hono';
import type { User } from '../../app/ports.js';
import { csrfToken, type WebEnv } from '../session.js';
import type { VoteContext } from './components.js';
import { OpenPapersError } from '../../core/errors.js';
import { parseArxivId } from '../../core/arxiv-id.js';
import { renderFeed, FEED_CONTENT_TYPES, type FeedSpec } from '../feeds.js';
import { renderedHtml } from '../http.js';
import {
  periodPage,
  parseParams,
  searchPage,
  submittedFor,
  type PeriodParams,
  type WebDeps,
} from '../queries.js';
import { DailyQuery, MonthlyQuery, SearchQuery, TrendingQuery, WeeklyQuery } from '../schemas.js';
import { paperPath, withQuery } from '../urls.js';
import { ForYouPage } from './for-you.js';
import { HomePage, TrendingPage } from './lists.js';
import { PaperPage } from './paper.js';
import { SearchPage, searchHref } from './search.js';
import { TrendingAboutPage } from './static.js';
import type { Child } from 'hono/jsx';

/** How many of the newest papers the "For you" page shows, best for the reader first. */
const FOR_YOU_SIZE = 30;

/** Pages may be cached by clients but must be revalidated (with their ETag) before each use. */
const PAGE_CACHE = 'no-cache';

/** A page; `personal` ones (forms with tokens, account details) are never stored by any cache. */
export function html(
  c: Context,
  page: Child,
  status: 200 | 400 | 401 | 403 | 404 | 405 | 429 | 500 | 502 | 503 = 200,
  personal = false,
): Response {
  c.header('cache-control', status === 200 && !personal ? PAGE_CACHE : 'no-store');
  return renderedHtml(c, `<!doctype html>${String(page)}`, status);
}

/** The voting context of a signed-in reader for these papers, or null for a signed-out one. */
export async function voteContext(
  c: Context<WebEnv>,
  deps: WebDeps,
  paperIds: string[],
): Promise<VoteContext | null> {
  const viewer = c.get('viewer');
  if (!viewer) return null;
  const url = new URL(c.req.url);
  return {
    csrf: csrfToken(c),
    voted: await deps.store.votedBy(viewer.user.id, paperIds),
    back: url.pathname + url.search,
  };
}

/** The signed-in reader's collections, and which of them hold the paper. */
async function saveContext(c: Context<WebEnv>, deps: WebDeps, user: User, paperId: string) {
  const [collections, holding] = await Promise.all([
    deps.collections.mine(user),
    deps.collections.holding(user, paperId),
  ]);
  return {
    csrf: csrfToken(c),
    collections: collections.map(({ id, name }) => ({ id, name, holds: holding.has(id) })),
  };
}

export const accountOf = (c: Context<WebEnv>) => c.get('viewer')?.user.email ?? null;

export function registerPages(app: Hono<WebEnv>, deps: WebDeps, origin: (c: Context) => string): void {
  app.get('/', async (c) => {
    const query = c.req.query();
    const schema =
      query.week !== undefined ? WeeklyQuery : query.month !== undefined ? MonthlyQuery : DailyQuery;
    const params = parseParams(schema, query) as PeriodParams;
    const list = await periodPage(deps, params);
    const latest = await deps.lists.latestDay();
    const submitted = await submittedFor(deps, params, list);
    return html(
      c,
      <HomePage
        list={list}
        submitted={submitted}
        category={params.category}
        page={params.page}
        perPage={params.per_page}
        now={deps.now()}
        latest={latest}
        vote={await voteContext(c, deps, [
          ...submitted.map((item) => item.paper.id),
          ...list.papers.map((item) => item.paper.id),
        ])}
        account={accountOf(c)}
      />,
    );
  });

  app.get('/trending', async (c) => {
    const params = parseParams(TrendingQuery, c.req.query());
    const list = await deps.lists.trending(deps.now(), {
      limit: params.per_page,
      offset: (params.page - 1) * params.per_page,
    });
    return html(
      c,
      <TrendingPage
        list={list}
        page={params.page}
        perPage={params.per_page}
        now={deps.now()}
        vote={await voteContext(
          c,
          deps,
          list.papers.map((item) => item.paper.id),
        )}
        account={accountOf(c)}
      />,
    );
  });

  app.get('/for-you', async (c) => {
    const viewer = c.get('viewer');
    if (!viewer) return c.redirect(withQuery('/signin', { next: '/for-you' }), 303);
    const subscriber = await deps.store.getSubscriberByEmail(viewer.user.email);
    const library = await deps.recommendations.library({
      userId: viewer.user.id,
      subscriberId: subscriber?.id ?? null,
    });
    let picks = await deps.recommendations.rank(library, {}, FOR_YOU_SIZE);
    let basis: 'library' | 'categories' | 'none' = 'library';
    if (library.liked.length === 0) {
      const categories = subscriber?.topics.categories ?? [];
      basis = categories.length > 0 ? 'categories' : 'none';
      picks = await deps.recommendations.newestIn(categories, {}, FOR_YOU_SIZE);
    }
    const listed = await deps.lists.withVotes(picks.map((pick) => pick.paper));
    const items = listed.map((item, i) => ({ ...item, reason: picks[i]?.reason ?? '' }));
    return html(
      c,
      <ForYouPage
        items={items}
        basis={basis}
        librarySize={library.liked.length}
        now={deps.now()}
        vote={await voteContext(
          c,
          deps,
          items.map((item) => item.paper.id),
        )}
        account={viewer.user.email}
      />,
      200,
      true,
    );
  });

  app.get('/search', async (c) => {
    const query = c.req.query();
    if (query.q === undefined || query.q.trim() === '') {
      return html(
        c,
        <SearchPage
          form={null}
          hits={[]}
          votes={new Map()}
          page={1}
          perPage={20}
          hasMore={false}
          notice={null}
          correctedQuery={null}
          usedMode="hybrid"
          now={deps.now()}
          vote={null}
          account={accountOf(c)}
        />,
      );
    }
    const params = parseParams(SearchQuery, query);
    const result = await searchPage(deps, params, true);
    const votes = await deps.store.voteCounts(result.hits.map((hit) => hit.paper.id));
    return html(
      c,
      <SearchPage
        form={params}
        hits={result.hits}
        votes={votes}
        page={params.page}
        perPage={params.per_page}
        hasMore={result.hasMore}
        notice={result.notice}
        correctedQuery={result.correctedQuery}
        usedMode={result.mode}
        now={deps.now()}
        vote={await voteContext(
          c,
          deps,
          result.hits.map((hit) => hit.paper.id),
        )}
        account={accountOf(c)}
      />,
    );
  });

  app.get('/papers/:id', async (c) => {
    const raw = c.req.param('id');
    const paper = await deps.store.getPaper(raw);
    if (!paper) {
      // Any spelling of an arXiv id (with a version, as a URL) leads to the paper's one address.
      const canonical = parseArxivId(raw)?.id;
      if (canonical && canonical !== raw && (await deps.store.getPaper(canonical))) {
        return c.redirect(paperPath(canonical), 301);
      }
      throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${raw.slice(0, 200)}"`);
    }
    const viewer = c.get('viewer');
    const [similar, votes] = await Promise.all([
      deps.search.similar(paper, 8),
      deps.store.voteCounts([paper.id]),
    ]);
    return html(
      c,
      <PaperPage
        paper={paper}
        votes={votes.get(paper.id) ?? 0}
        similar={similar.hits}
        similarNotice={similar.notice}
        vote={await voteContext(c, deps, [paper.id])}
        account={accountOf(c)}
        threads={await deps.comments.threads(paper.id)}
        discussionViewer={viewer ? { user: viewer.user, csrf: csrfToken(c) } : null}
        save={viewer ? await saveContext(c, deps, viewer.user, paper.id) : null}
      />,
    );
  });

  app.get('/about/trending', (c) => html(c, <TrendingAboutPage account={accountOf(c)} />));

  /** A feed in both formats: `build` says what it lists, given the feed's own path. */
  const feedRoutes = (
    name: string,
    build: (c: Context<WebEnv>, feedPath: (query?: string) => string) => Promise<Omit<FeedSpec, 'now'>>,
  ) => {
    for (const format of ['rss', 'atom'] as const) {
      app.get(`/feeds/${name}.${format}`, async (c) => {
        const spec = await build(c, (query = '') => `/feeds/${name}.${format}${query}`);
        c.header('content-type', FEED_CONTENT_TYPES[format]);
        c.header('cache-control', 'public, max-age=300');
        return c.body(renderFeed({ ...spec, now: deps.now() }, format, origin(c)));
      });
    }
  };

  feedRoutes('daily', async (c, feedPath) => {
    const params = parseParams(DailyQuery, c.req.query());
    const list = await periodPage(deps, { ...params, page: 1, per_page: 100 });
    const title = `OpenPapers: papers of ${list.period.key}${params.category ? ` in ${params.category}` : ''}`;
    const query = withQuery('', { date: params.date, category: params.category });
    return {
      title,
      description: title,
      pagePath: `/${query}`,
      feedPath: feedPath(query),
      papers: list.papers.map((item) => item.paper),
    };
  });

  feedRoutes('trending', async (_c, feedPath) => {
    const list = await deps.lists.trending(deps.now(), { limit: 50, offset: 0 });
    return {
      title: 'OpenPapers: trending papers',
      description: 'Papers ranked by votes with time decay over the last week',
      pagePath: '/trending',
      feedPath: feedPath(),
      papers: list.papers.map((item) => item.paper),
    };
  });

  feedRoutes('search', async (c, feedPath) => {
    const params = parseParams(SearchQuery, c.req.query());
    const result = await searchPage(deps, { ...params, page: 1, per_page: 50 }, true);
    return {
      title: `OpenPapers: search "${params.q}"`,
      description: `Papers matching "${params.q}"`,
      pagePath: searchHref(params),
      feedPath: feedPath(searchHref(params, 1, '')),
      papers: result.hits.map((hit) => hit.paper),
    };
  });
}
