/** The pieces every page is built of: the layout, paper cards, pagination. Hono's JSX escapes all text. */
import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { ListedPaper } from '../../app/lists.js';
import { isWithdrawn, paperDay, type Paper } from '../../core/paper.js';
import type { Snippet } from '../../core/search/snippet.js';
import { categoryName } from '../../core/taxonomy.js';
import { preview, renderLatex, renderLatexHighlighted } from '../latex.js';
import { paperPath, withQuery } from '../urls.js';

export const SUBSCRIBE_INVITATION = 'Get trending papers in your email inbox!';

export interface LayoutProps {
  title: string;
  /** Which navigation entry is the current page. */
  section?: 'daily' | 'trending' | 'for-you' | 'search' | 'subscribe' | 'about';
  query?: string;
  /** Feeds of this page, announced to feed readers and linked in the footer. */
  feeds?: { title: string; rss: string; atom: string };
  /** Pages that typeset LaTeX load KaTeX's stylesheet. */
  math?: boolean;
  /** The signed-in account's email, or null/absent when signed out. */
  account?: string | null;
  children?: Child;
}

export function Layout(props: LayoutProps) {
  const current = (section: LayoutProps['section']) => (props.section === section ? 'page' : undefined);
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        <title>{`${props.title} · OpenPapers`}</title>
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/assets/style.css" />
        {props.math ? <link rel="stylesheet" href="/assets/katex/katex.min.css" /> : null}
        {props.feeds ? (
          <>
            <link
              rel="alternate"
              type="application/rss+xml"
              title={props.feeds.title}
              href={props.feeds.rss}
            />
            <link
              rel="alternate"
              type="application/atom+xml"
              title={props.feeds.title}
              href={props.feeds.atom}
            />
          </>
        ) : null}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <nav aria-label="Main">
            <a class="brand" href="/">
              OpenPapers
            </a>
            <a href="/" aria-current={current('daily')}>
              Daily
            </a>
            <a href="/trending" aria-current={current('trending')}>
              Trending
            </a>
            <a href="/submit">Submit</a>
            <form class="search-box" role="search" action="/search" method="get">
              <label for="site-q" class="visually-hidden">
                Search papers
              </label>
              <input
                id="site-q"
                type="search"
                name="q"
                value={props.query ?? ''}
                placeholder="Search papers"
              />
              <button type="submit">Search</button>
            </form>
            {props.account ? (
              <>
                <a href="/for-you" aria-current={current('for-you')}>
                  For you
                </a>
                <a href="/collections">Collections</a>
                <a href="/account" title={props.account}>
                  Account
                </a>
              </>
            ) : (
              <a href="/signin" class="account">
                Sign in
              </a>
            )}
          </nav>
          <p class="invite">
            <a href="/subscribe" aria-current={current('subscribe')}>
              {SUBSCRIBE_INVITATION}
            </a>
          </p>
        </header>
        <main id="main">{props.children}</main>
        <footer class="site">
          {props.feeds ? (
            <p>
              Feeds of this page: <a href={props.feeds.rss}>RSS</a> · <a href={props.feeds.atom}>Atom</a>
            </p>
          ) : null}
          <p>
            <a href="/about/trending">How trending works</a> · <a href="/api/openapi.json">API</a> ·
            OpenPapers, a self-hosted paper hub
          </p>
        </footer>
      </body>
    </html>
  );
}

/** Typeset LaTeX in a title or abstract (the HTML comes from renderLatex, which escapes everything else). */
export function Latex(props: { text: string }) {
  return raw(renderLatex(props.text));
}

/** A title or snippet with its query words marked and its LaTeX typeset. */
export function Highlighted(props: { snippet: Snippet }) {
  return raw(renderLatexHighlighted(props.snippet.text, props.snippet.highlights));
}

export function Authors(props: { authors: readonly string[]; max?: number }) {
  const max = props.max ?? 6;
  const shown = props.authors.slice(0, max);
  const more = props.authors.length - shown.length;
  return (
    <p class="authors">
      {shown.join(', ')}
      {more > 0 ? ` and ${more} more` : ''}
    </p>
  );
}

export function Categories(props: { categories: readonly string[] }) {
  return (
    <ul class="categories" aria-label="Categories">
      {props.categories.map((code) => (
        <li>
          <a href={withQuery('/', { category: code })} title={categoryName(code) ?? code}>
            {code}
          </a>
        </li>
      ))}
    </ul>
  );
}

export function isNew(paper: Paper, now: string): boolean {
  const day = paperDay(paper);
  return day !== null && startedWithin(day, now, 1);
}

/** Whether `day` began less than `days` days before `now` (and not after it). */
function startedWithin(day: string, now: string, days: number): boolean {
  const age = Date.parse(now) - Date.parse(`${day}T00:00:00Z`);
  return age >= 0 && age < days * 86_400_000;
}

/** A new version in the last week, of a paper first published on another day. */
export function isRecentlyUpdated(paper: Paper, now: string): boolean {
  const updated = paper.updated?.slice(0, 10);
  return updated !== undefined && updated !== paper.published?.slice(0, 10) && startedWithin(updated, now, 7);
}

/** What a signed-in reader needs to vote: the form token, their votes, and where to come back to. */
export interface VoteContext {
  csrf: string;
  voted: ReadonlySet<string>;
  back: string;
}

/** The hidden field that carries a form's CSRF token (web/session.ts checks it). */
export function CsrfField(props: { token: string }) {
  return <input type="hidden" name="csrf" value={props.token} />;
}

/** The vote count; a button for signed-in readers, a link to sign in for the others. */
export function VoteButton(props: { paperId: string; votes: number; vote: VoteContext | null }) {
  const { paperId, votes, vote } = props;
  if (!vote) {
    return (
      <a
        class="votes"
        href={withQuery('/signin', { next: paperPath(paperId) })}
        aria-label={`${votes} votes; sign in to vote`}
      >
        ▲ {votes}
      </a>
    );
  }
  const voted = vote.voted.has(paperId);
  return (
    <form class="vote" method="post" action={`${paperPath(paperId)}/vote`}>
      <CsrfField token={vote.csrf} />
      <input type="hidden" name="up" value={voted ? '0' : '1'} />
      <input type="hidden" name="back" value={vote.back} />
      <button
        type="submit"
        class="votes"
        aria-pressed={voted ? 'true' : 'false'}
        aria-label={voted ? `Take back your vote (${votes} votes)` : `Upvote (${votes} votes)`}
      >
        ▲ {votes}
      </button>
    </form>
  );
}

export interface CardProps {
  item: ListedPaper;
  now: string;
  vote?: VoteContext | null;
  /** A search snippet with highlights instead of the abstract's start. */
  snippet?: Snippet;
  titleSnippet?: Snippet;
  /** Why it is shown to this reader ("like … in your library"). */
  reason?: string;
}

export function PaperCard(props: CardProps) {
  const { paper, votes } = props.item;
  const day = paperDay(paper);
  return (
    <article class="card" aria-labelledby={`t-${cssId(paper.id)}`}>
      <h3 id={`t-${cssId(paper.id)}`}>
        <a href={paperPath(paper.id)}>
          {props.titleSnippet?.highlights.length ? (
            <Highlighted snippet={props.titleSnippet} />
          ) : (
            <Latex text={paper.title} />
          )}
        </a>
        {isNew(paper, props.now) ? <span class="badge">new</span> : null}
        {isRecentlyUpdated(paper, props.now) ? (
          <span class="badge updated" title={`new version of ${paper.updated?.slice(0, 10)}`}>
            updated
          </span>
        ) : null}
        {isWithdrawn(paper) ? <span class="badge withdrawn">withdrawn</span> : null}
      </h3>
      <Authors authors={paper.authors} max={5} />
      {/* A div, not a p: the vote button is a form, which a paragraph cannot hold. */}
      <div class="meta">
        {day ? <time datetime={day}>{day}</time> : null}
        <VoteButton paperId={paper.id} votes={votes} vote={props.vote ?? null} />
      </div>
      <Categories categories={paper.categories.slice(0, 4)} />
      {props.reason ? <p class="reason">{props.reason}</p> : null}
      <p class="abstract">
        {props.snippet ? (
          <Highlighted snippet={props.snippet} />
        ) : (
          <Latex text={preview(paper.abstract, 300)} />
        )}
      </p>
    </article>
  );
}

function cssId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_');
}

export function Pagination(props: { page: number; hasMore: boolean; href: (page: number) => string }) {
  if (props.page === 1 && !props.hasMore) return null;
  return (
    <nav class="pagination" aria-label="Pages">
      {props.page > 1 ? (
        <a rel="prev" href={props.href(props.page - 1)}>
          ← Previous page
        </a>
      ) : null}
      <span>Page {props.page}</span>
      {props.hasMore ? (
        <a rel="next" href={props.href(props.page + 1)}>
          Next page →
        </a>
      ) : null}
    </nav>
  );
}

export function ErrorPage(props: { status: number; message: string; account?: string | null }) {
  const heading = props.status === 404 ? 'Not found' : props.status === 405 ? 'Not allowed' : 'Bad request';
  return (
    <Layout title={heading} account={props.account}>
      <h1>{heading}</h1>
      <p class="error">{props.message}</p>
      <p>
        <a href="/">Back to today's papers</a> or search above.
      </p>
    </Layout>
  );
}
