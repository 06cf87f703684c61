/** "For you": recent papers ranked for the signed-in reader, each with why. */
import type { ListedPaper } from '../../app/lists.js';
import { Layout, PaperCard, type VoteContext } from './components.js';

export interface ForYouItem extends ListedPaper {
  reason: string;
}

export function ForYouPage(props: {
  items: ForYouItem[];
  /** How the list was made: from the reader's library, from their categories, or not at all yet. */
  basis: 'library' | 'categories' | 'none';
  librarySize: number;
  now: string;
  vote: VoteContext | null;
  account: string;
}) {
  const { items, basis } = props;
  return (
    <Layout title="For you" section="for-you" math account={props.account}>
      <h1>For you</h1>
      <p class="lede">
        {basis === 'library'
          ? `The newest papers, ranked by what is in your library: the ${props.librarySize} papers you upvoted, saved to your collections or marked 👍 in a digest.`
          : 'Your feed learns from the papers you upvote, save to your collections (or import from Zotero or BibTeX) and mark 👍 in a digest.'}{' '}
        {basis === 'categories'
          ? 'Until then, these are the newest papers of the categories you subscribed to.'
          : null}
      </p>
      {items.length === 0 ? (
        <p class="empty">
          {basis === 'library'
            ? 'No new papers like the ones in your library in this period.'
            : 'Nothing here yet. Upvote a few papers you like on '}
          {basis === 'library' ? null : (
            <>
              <a href="/">today's list</a> or <a href="/trending">trending</a>,{' '}
              <a href="/collections">import your library</a>, or <a href="/subscribe">choose categories</a>.
            </>
          )}
        </p>
      ) : (
        <ol class="cards ranked">
          {items.map((item) => (
            <li>
              <PaperCard item={item} now={props.now} vote={props.vote} reason={item.reason} />
            </li>
          ))}
        </ol>
      )}
    </Layout>
  );
}
