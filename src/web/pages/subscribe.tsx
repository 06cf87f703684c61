/** Subscribing to digests, confirming, unsubscribing, and the answers to a digest's links. */
import type { Frequency, Subscriber } from '../../app/ports.js';
import { CsrfField, Layout, SUBSCRIBE_INVITATION } from './components.js';

export function SubscribePage(props: { csrf: string; account: string | null; current: Subscriber | null }) {
  const topics = props.current?.topics;
  const frequency: Frequency = props.current?.frequency ?? 'daily';
  return (
    <Layout title="Subscribe" section="subscribe" account={props.account}>
      <h1>{SUBSCRIBE_INVITATION}</h1>
      <p>
        A digest of up to ten papers, daily or weekly: what is trending, what is new in your categories and
        saved searches{props.account ? ', and papers picked for you from your collections and feedback' : ''}.
        Each paper says why it was chosen; none comes twice; no digest is sent when there is nothing new.
      </p>
      {props.current ? (
        <p role="status">
          {props.current.email} is subscribed ({props.current.status}). Change what it gets below.
        </p>
      ) : null}
      <form class="stacked" method="post" action="/subscribe">
        <CsrfField token={props.csrf} />
        <label for="sub-email">Email address</label>
        <input
          id="sub-email"
          type="email"
          name="email"
          required
          maxlength={254}
          autocomplete="email"
          value={props.current?.email ?? props.account ?? ''}
        />
        <fieldset class="choices">
          <legend>How often</legend>
          <label>
            <input type="radio" name="frequency" value="daily" checked={frequency === 'daily'} /> Daily
          </label>{' '}
          <label>
            <input type="radio" name="frequency" value="weekly" checked={frequency === 'weekly'} /> Weekly
          </label>
        </fieldset>
        <fieldset>
          <legend>What</legend>
          <label>
            <input type="checkbox" name="trending" value="yes" checked={topics?.trending ?? true} /> Trending
            papers
          </label>
          {props.account ? (
            <label>
              <input type="checkbox" name="personal" value="yes" checked={topics?.personal ?? true} /> For
              you: papers like the ones in your collections and those you liked
            </label>
          ) : null}
          <label for="sub-categories">Categories (arXiv codes, separated by spaces or commas)</label>
          <input
            id="sub-categories"
            name="categories"
            placeholder="cs.CL cs.LG"
            value={topics?.categories.join(' ') ?? ''}
          />
          <label for="sub-searches">Saved searches (one per line)</label>
          <textarea
            id="sub-searches"
            name="searches"
            rows={3}
            placeholder={'linear attention for long context'}
          >
            {topics?.searches.join('\n') ?? ''}
          </textarea>
        </fieldset>
        <button type="submit">Subscribe</button>
      </form>
      <p>
        Or follow any list in a feed reader: daily papers (<a href="/feeds/daily.rss">RSS</a> ·{' '}
        <a href="/feeds/daily.atom">Atom</a>), trending papers (<a href="/feeds/trending.rss">RSS</a> ·{' '}
        <a href="/feeds/trending.atom">Atom</a>), and any search from its results page.
      </p>
    </Layout>
  );
}

export function MessagePage(props: {
  title: string;
  message: string;
  account?: string | null;
  link?: { href: string; text: string };
}) {
  return (
    <Layout title={props.title} account={props.account ?? null}>
      <h1>{props.title}</h1>
      <p role="status">{props.message}</p>
      {props.link ? (
        <p>
          <a href={props.link.href}>{props.link.text}</a>
        </p>
      ) : null}
    </Layout>
  );
}

/** A page with one button that sends a POST: links in mail open pages, they do not change things by themselves. */
export function ConfirmPage(props: {
  title: string;
  text: string;
  action: string;
  button: string;
  csrf?: string;
  token?: string;
}) {
  return (
    <Layout title={props.title}>
      <h1>{props.title}</h1>
      <p>{props.text}</p>
      <form method="post" action={props.action}>
        {props.csrf ? <CsrfField token={props.csrf} /> : null}
        {props.token ? <input type="hidden" name="token" value={props.token} /> : null}
        <button type="submit">{props.button}</button>
      </form>
    </Layout>
  );
}
