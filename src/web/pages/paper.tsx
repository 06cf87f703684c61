/** The paper page: everything about one paper, its similar papers, and room for the community. */
import type { SearchHit } from '../../app/search.js';
import { isWithdrawn, paperDay, type Paper } from '../../core/paper.js';
import { categoryName } from '../../core/taxonomy.js';
import { arxivLinks, authorSearchPath, paperPath, withQuery } from '../urls.js';
import type { StoredComment } from '../../app/ports.js';
import type { Thread } from '../../core/community/threads.js';
import { Latex, Layout, VoteButton, type VoteContext } from './components.js';
import { SaveToCollection } from './collections.js';
import { Discussion, type DiscussionViewer } from './discussion.js';

export function PaperPage(props: {
  paper: Paper;
  votes: number;
  similar: SearchHit[];
  similarNotice: string | null;
  vote: VoteContext | null;
  account: string | null;
  threads: Thread<StoredComment>[];
  discussionViewer: DiscussionViewer | null;
  /** The signed-in reader's collections, to save this paper to; null when signed out. */
  save: { csrf: string; collections: { id: string; name: string; holds: boolean }[] } | null;
}) {
  const { paper } = props;
  const links = arxivLinks(paper.id);
  const day = paperDay(paper);
  return (
    <Layout title={paper.title} math account={props.account}>
      <article class="paper" aria-labelledby="paper-title">
        <h1 id="paper-title">
          <Latex text={paper.title} />
        </h1>
        {isWithdrawn(paper) ? (
          <p class="notice withdrawn" role="status">
            Withdrawn: the latest version on arXiv withdraws this paper. It is kept here as it was.
          </p>
        ) : null}
        <ul class="author-list" aria-label="Authors">
          {paper.authors.map((author) => (
            <li>
              <a href={authorSearchPath(author)}>{author}</a>
            </li>
          ))}
        </ul>
        <div class="meta">
          {day ? (
            <>
              Listed <a href={withQuery('/', { date: day })}>{day}</a>
            </>
          ) : null}
          <VoteButton paperId={paper.id} votes={props.votes} vote={props.vote} />
        </div>
        {links ? (
          <p class="links">
            <a href={links.abs}>arXiv abstract</a> · <a href={links.pdf}>PDF</a>
            {paper.doi ? (
              <>
                {' '}
                · <a href={`https://doi.org/${encodeURI(paper.doi)}`}>DOI {paper.doi}</a>
              </>
            ) : null}
          </p>
        ) : paper.doi ? (
          <p class="links">
            <a href={`https://doi.org/${encodeURI(paper.doi)}`}>DOI {paper.doi}</a>
          </p>
        ) : null}
        <section aria-labelledby="abstract-title">
          <h2 id="abstract-title">Abstract</h2>
          <p class="abstract full">
            <Latex text={paper.abstract} />
          </p>
        </section>
        <section aria-labelledby="details-title">
          <h2 id="details-title">Details</h2>
          <dl class="details">
            <dt>Categories</dt>
            <dd>
              {paper.categories.map((code, i) => (
                <>
                  {i > 0 ? ', ' : ''}
                  <a href={withQuery('/', { date: day ?? undefined, category: code })}>{code}</a>
                  {categoryName(code) ? ` (${categoryName(code)})` : ''}
                </>
              ))}
            </dd>
            {paper.classes.length > 0 ? (
              <>
                <dt>Classes</dt>
                <dd>{paper.classes.join('; ')}</dd>
              </>
            ) : null}
            {paper.published ? (
              <>
                <dt>First version</dt>
                <dd>
                  <time datetime={paper.published}>{paper.published.slice(0, 10)}</time>
                </dd>
              </>
            ) : null}
            {paper.updated && paper.updated !== paper.published ? (
              <>
                <dt>Updated</dt>
                <dd>
                  <time datetime={paper.updated}>{paper.updated.slice(0, 10)}</time>
                </dd>
              </>
            ) : null}
            {paper.versions.length > 0 ? (
              <>
                <dt>Versions</dt>
                <dd>
                  <ol class="versions">
                    {paper.versions.map((version) => (
                      <li>
                        {links ? (
                          <a href={`${links.abs}v${version.version}`}>v{version.version}</a>
                        ) : (
                          `v${version.version}`
                        )}
                        {version.date ? ` (${version.date.slice(0, 10)})` : ''}
                      </li>
                    ))}
                  </ol>
                </dd>
              </>
            ) : null}
            {paper.comments ? (
              <>
                <dt>Comments</dt>
                <dd>{paper.comments}</dd>
              </>
            ) : null}
            {paper.journalRef ? (
              <>
                <dt>Journal reference</dt>
                <dd>{paper.journalRef}</dd>
              </>
            ) : null}
            {paper.license ? (
              <>
                <dt>License</dt>
                <dd>{paper.license}</dd>
              </>
            ) : null}
          </dl>
        </section>
        {props.save ? (
          <SaveToCollection paperId={paper.id} csrf={props.save.csrf} collections={props.save.collections} />
        ) : null}
        <section id="similar" aria-labelledby="similar-title">
          <h2 id="similar-title">Similar papers</h2>
          {props.similarNotice ? <p class="notice">{props.similarNotice}</p> : null}
          {props.similar.length === 0 ? (
            <p class="empty">No similar papers found.</p>
          ) : (
            <ol class="similar">
              {props.similar.map((hit) => (
                <li>
                  <a href={paperPath(hit.paper.id)}>
                    <Latex text={hit.paper.title} />
                  </a>
                  <span class="meta"> {paperDay(hit.paper) ?? ''}</span>
                </li>
              ))}
            </ol>
          )}
        </section>
        <Discussion paperId={paper.id} threads={props.threads} viewer={props.discussionViewer} />
      </article>
    </Layout>
  );
}
