/** Pages with fixed text: how trending works. */
import {
  GRAVITY,
  NEW_ACCOUNT_DAYS,
  NEW_ACCOUNT_WEIGHT,
  TRENDING_WINDOW_DAYS,
} from '../../core/lists/trending.js';
import { Layout } from './components.js';

export function TrendingAboutPage(props: { account: string | null }) {
  return (
    <Layout title="How trending works" section="about" account={props.account}>
      <h1>How trending works</h1>
      <p>
        Trending ranks the papers of the last {TRENDING_WINDOW_DAYS} days the way Hacker News ranks its front
        page:
      </p>
      <p class="formula">
        <code>
          score = (votes + 1) / (age in hours + 2)<sup>{GRAVITY}</sup>
        </code>
      </p>
      <ul>
        <li>A paper's age counts from the start of the day it was listed.</li>
        <li>
          The <code>+ 1</code> counts the paper itself, so before anyone votes trending is simply the newest
          papers first.
        </li>
        <li>
          The exponent {GRAVITY} is the gravity: a paper needs ever more votes to stay up as it gets older, so
          a week-old paper with many votes gives way to a fresh one with a few.
        </li>
        <li>
          The week ends now, or at the newest papers when the hub has not received any for a while, so the
          page is never empty.
        </li>
        <li>Each account votes once per paper; votes can be taken back.</li>
        <li>
          A vote from an account younger than {NEW_ACCOUNT_DAYS} days counts {NEW_ACCOUNT_WEIGHT} (the count
          shown is the plain number of votes), and votes are rate-limited per account and per address, so that
          a batch of fresh accounts moves a paper little.
        </li>
      </ul>
    </Layout>
  );
}
