/** The search page: one box, filters, results like the seed pages with the matched words marked. */
import type { SearchHit, SearchMode } from '../../app/search.js';
import { paperPath, withQuery } from '../urls.js';
import { Layout, PaperCard, Pagination, type VoteContext } from './components.js';

export interface SearchForm {
  q: string;
  mode: SearchMode;
  category?: string;
  from?: string;
  to?: string;
  spelling?: 'on' | 'off';
}

export function searchHref(form: SearchForm, page = 1, path = '/search'): string {
  return withQuery(path, {
    q: form.q,
    mode: form.mode === 'hybrid' ? undefined : form.mode,
    category: form.category,
    from: form.from,
    to: form.to,
    spelling: form.spelling === 'off' ? 'off' : undefined,
    page: page > 1 ? page : undefined,
  });
}

const MODES: { value: SearchMode; label: string }[] = [
  { value: 'hybrid', label: 'Keywords and meaning' },
  { value: 'lexical', label: 'Keywords only' },
  { value: 'semantic', label: 'Meaning only' },
];

function SearchHelp() {
  return (
    <section class="help" aria-labelledby="help-title">
      <h2 id="help-title">Search tips</h2>
      <ul>
        <li>
          Describe what you look for in plain words: <code>linear attention for long context</code>.
        </li>
        <li>
          An exact phrase in quotes: <code>"state space model"</code>; require or exclude a word with{' '}
          <code>+</code> and <code>-</code>: <code>diffusion -image</code>.
        </li>
        <li>
          Filters in the query: <code>author:hinton</code>, <code>category:cs.CL</code>, <code>since:7d</code>
          .
        </li>
      </ul>
    </section>
  );
}

/** What to try when nothing matches: each concrete, with a link where one helps. */
function NothingFound(props: { form: SearchForm }) {
  const { form } = props;
  const words = form.q.split(/\s+/).filter(Boolean);
  const filtered = Boolean(form.category || form.from || form.to);
  return (
    <section class="help" aria-labelledby="nothing-title">
      <h2 id="nothing-title">Suggestions</h2>
      <ul>
        <li>Check the spelling, or use other words for the same idea.</li>
        {words.length > 2 ? (
          <li>
            Use fewer words:{' '}
            <a href={searchHref({ ...form, q: words.slice(0, 2).join(' ') })}>
              {words.slice(0, 2).join(' ')}
            </a>
            .
          </li>
        ) : null}
        {filtered ? (
          <li>
            <a href={searchHref({ q: form.q, mode: form.mode })}>Search without the filters</a>.
          </li>
        ) : null}
        {form.mode !== 'hybrid' ? (
          <li>
            <a href={searchHref({ ...form, mode: 'hybrid' })}>Search by keywords and meaning</a>.
          </li>
        ) : null}
        <li>
          Or browse <a href="/">today's papers</a> and <a href="/trending">what is trending</a>.
        </li>
      </ul>
    </section>
  );
}

export function SearchPage(props: {
  form: SearchForm | null;
  hits: SearchHit[];
  votes: Map<string, number>;
  page: number;
  perPage: number;
  hasMore: boolean;
  notice: string | null;
  /** The query the results are for, when unknown words were corrected. */
  correctedQuery: string | null;
  usedMode: SearchMode;
  now: string;
  vote: VoteContext | null;
  account: string | null;
}) {
  const { form } = props;
  const first = (props.page - 1) * props.perPage;
  const feeds = form
    ? {
        title: `Search: ${form.q}`,
        rss: searchHref(form, 1, '/feeds/search.rss'),
        atom: searchHref(form, 1, '/feeds/search.atom'),
      }
    : undefined;
  return (
    <Layout
      title={form ? `${form.q} – search` : 'Search'}
      section="search"
      query={form?.q}
      feeds={feeds}
      math
      account={props.account}
    >
      <h1>Search papers</h1>
      <form class="search-form" role="search" action="/search" method="get">
        <p>
          <label for="q">Query</label>
          <input id="q" type="search" name="q" value={form?.q ?? ''} required maxlength={500} />
        </p>
        <fieldset>
          <legend>Filters</legend>
          <label for="mode">Mode</label>
          <select id="mode" name="mode">
            {MODES.map((mode) => (
              <option value={mode.value} selected={(form?.mode ?? 'hybrid') === mode.value}>
                {mode.label}
              </option>
            ))}
          </select>
          <label for="category">Category</label>
          <input
            id="category"
            name="category"
            value={form?.category ?? ''}
            placeholder="e.g. cs.CL"
            size={10}
          />
          <label for="from">From</label>
          <input id="from" type="date" name="from" value={form?.from ?? ''} />
          <label for="to">To</label>
          <input id="to" type="date" name="to" value={form?.to ?? ''} />
        </fieldset>
        <button type="submit">Search</button>
      </form>
      {form === null ? (
        <SearchHelp />
      ) : (
        <>
          {props.notice ? (
            <p class="notice" role="status">
              {props.notice}
            </p>
          ) : null}
          {props.correctedQuery ? (
            <p class="notice spelling" role="status">
              Showing results for{' '}
              <a href={searchHref({ ...form, q: props.correctedQuery })}>
                <strong>{props.correctedQuery}</strong>
              </a>
              . Search instead for <a href={searchHref({ ...form, spelling: 'off' })}>{form.q}</a>.
            </p>
          ) : null}
          {props.hits.length === 0 ? (
            <>
              <p class="empty">
                No papers match <strong>{form.q}</strong>
                {form.category || form.from || form.to ? ' with these filters' : ''}.
              </p>
              <NothingFound form={form} />
              <SearchHelp />
            </>
          ) : (
            <>
              <p class="count">
                Results {first + 1}–{first + props.hits.length}, ranked by{' '}
                {props.usedMode === 'hybrid'
                  ? 'keywords and meaning'
                  : props.usedMode === 'lexical'
                    ? 'keywords'
                    : 'meaning'}
              </p>
              <ol class="cards ranked" start={first + 1}>
                {props.hits.map((hit) => (
                  <li>
                    <PaperCard
                      item={{ paper: hit.paper, votes: props.votes.get(hit.paper.id) ?? 0 }}
                      now={props.now}
                      vote={props.vote}
                      snippet={hit.snippet}
                      titleSnippet={hit.title}
                    />
                    <p class="similar-link">
                      <a href={`${paperPath(hit.paper.id)}#similar`}>Similar papers</a>
                    </p>
                  </li>
                ))}
              </ol>
            </>
          )}
          <Pagination page={props.page} hasMore={props.hasMore} href={(n) => searchHref(form, n)} />
        </>
      )}
    </Layout>
  );
}
