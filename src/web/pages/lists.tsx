/** The home page (a day, a week or a month of papers) and trending. */
import type { PeriodList, SubmittedListing, TrendingList } from '../../app/lists.js';
import { dayPeriod, monthPeriod, weekPeriod, type Period } from '../../core/lists/periods.js';
import { withQuery } from '../urls.js';
import { Layout, PaperCard, Pagination, type VoteContext } from './components.js';

const PERIOD_PARAM = { day: 'date', week: 'week', month: 'month' } as const;

export function periodHref(period: Period, extra: { category?: string; page?: number } = {}): string {
  return withQuery('/', {
    [PERIOD_PARAM[period.kind]]: period.key,
    category: extra.category,
    page: extra.page && extra.page > 1 ? extra.page : undefined,
  });
}

function describe(period: Period): string {
  const long = (day: string, options: Intl.DateTimeFormatOptions) =>
    new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', ...options });
  switch (period.kind) {
    case 'day':
      return long(period.key, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    case 'week':
      return `Week ${period.key.slice(6)} of ${period.key.slice(0, 4)}: ${long(period.from, { day: 'numeric', month: 'short' })} – ${long(period.to, { day: 'numeric', month: 'short', year: 'numeric' })}`;
    case 'month':
      return long(period.from, { month: 'long', year: 'numeric' });
  }
}

function submittedNote(item: SubmittedListing): string {
  const on = new Date(`${item.submittedOn}T00:00:00Z`).toLocaleDateString('en-GB', {
    timeZone: 'UTC',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
  });
  return `Submitted by ${item.submitters === 1 ? 'a reader' : `${item.submitters} readers`} on ${on}`;
}

export function HomePage(props: {
  list: PeriodList;
  /** Papers readers submitted in the period (on the home page: since its newest announced day). */
  submitted: readonly SubmittedListing[];
  category?: string;
  page: number;
  perPage: number;
  now: string;
  /** The newest day with papers, for "back to the latest". */
  latest: string | null;
  vote: VoteContext | null;
  account: string | null;
}) {
  const { list, category, page, perPage } = props;
  const { period } = list;
  const anchor = period.from;
  const tabs: { label: string; target: Period }[] = [
    { label: 'Day', target: period.kind === 'day' ? period : dayPeriod(anchor) },
    { label: 'Week', target: weekPeriod(anchor) },
    { label: 'Month', target: monthPeriod(anchor) },
  ];
  const step = (key: string | null, label: string, rel: string) =>
    key ? (
      <a rel={rel} href={withQuery('/', { [PERIOD_PARAM[period.kind]]: key, category })}>
        {label}
      </a>
    ) : (
      <span class="disabled">{label}</span>
    );
  const feedQuery = period.kind === 'day' ? { date: period.key, category } : { category };
  const heading = describe(period);
  return (
    <Layout
      title={heading}
      section="daily"
      math
      account={props.account}
      feeds={{
        title: 'Daily papers',
        rss: withQuery('/feeds/daily.rss', feedQuery),
        atom: withQuery('/feeds/daily.atom', feedQuery),
      }}
    >
      <h1>
        {period.kind === 'day'
          ? 'Daily papers'
          : period.kind === 'week'
            ? 'Papers of the week'
            : 'Papers of the month'}
      </h1>
      <nav class="tabs" aria-label="Period">
        {tabs.map((tab) => (
          <a
            href={periodHref(tab.target, { category })}
            aria-current={tab.target.kind === period.kind ? 'page' : undefined}
          >
            {tab.label}
          </a>
        ))}
      </nav>
      <div class="period-bar">
        {step(list.previous, `← Previous ${period.kind}`, 'prev')}
        <h2 class="period">{heading}</h2>
        {step(list.next, `Next ${period.kind} →`, 'next')}
      </div>
      <form class="date-picker" action="/" method="get">
        <label for="date">Go to a day</label>
        <input type="date" id="date" name="date" value={period.kind === 'day' ? period.key : period.from} />
        {category ? <input type="hidden" name="category" value={category} /> : null}
        <button type="submit">Go</button>
      </form>
      {props.submitted.length > 0 ? (
        <section class="submitted" aria-labelledby="submitted-heading">
          <h2 id="submitted-heading">Submitted by readers</h2>
          <div class="cards">
            {props.submitted.map((item) => (
              <PaperCard item={item} now={props.now} vote={props.vote} reason={submittedNote(item)} />
            ))}
          </div>
        </section>
      ) : null}
      <p class="count">
        {list.total.toLocaleString('en-US')} {list.total === 1 ? 'paper' : 'papers'}
        {category ? (
          <>
            {' '}
            in {category} (<a href={periodHref(period)}>all categories</a>)
          </>
        ) : null}
      </p>
      {list.total === 0 ? (
        <p class="empty">
          No papers {period.kind === 'day' ? 'on this day' : `in this ${period.kind}`}.{' '}
          {props.latest ? (
            <a href={periodHref(dayPeriod(props.latest), { category })}>See the latest papers.</a>
          ) : null}
        </p>
      ) : (
        <div class="cards">
          {list.papers.map((item) => (
            <PaperCard item={item} now={props.now} vote={props.vote} />
          ))}
        </div>
      )}
      <Pagination
        page={page}
        hasMore={page * perPage < list.total}
        href={(n) => periodHref(period, { category, page: n })}
      />
    </Layout>
  );
}

export function TrendingPage(props: {
  list: TrendingList;
  page: number;
  perPage: number;
  now: string;
  vote: VoteContext | null;
  account: string | null;
}) {
  const { list, page, perPage } = props;
  return (
    <Layout
      title="Trending papers"
      section="trending"
      math
      account={props.account}
      feeds={{ title: 'Trending papers', rss: '/feeds/trending.rss', atom: '/feeds/trending.atom' }}
    >
      <h1>Trending papers</h1>
      <p class="lede">
        Ranked by votes with time decay over the last week (<a href="/about/trending">how trending works</a>);
        without votes, newest first.
      </p>
      {list.papers.length === 0 ? (
        <p class="empty">No papers in the last week yet.</p>
      ) : (
        <ol class="cards ranked" start={(page - 1) * perPage + 1}>
          {list.papers.map((item) => (
            <li>
              <PaperCard item={item} now={props.now} vote={props.vote} />
            </li>
          ))}
        </ol>
      )}
      <Pagination
        page={page}
        hasMore={page * perPage < list.total}
        href={(n) => withQuery('/trending', { page: n })}
      />
    </Layout>
  );
}
