/** The moderators' queue: reported comments, most reported first, with what to do about each. */
import { raw } from 'hono/html';
import type { ReportedComment } from '../../app/ports.js';
import { renderMarkdown } from '../markdown.js';
import { paperPath } from '../urls.js';
import { CsrfField, Layout } from './components.js';
import { handle } from './discussion.js';

export function ModerationPage(props: { reported: ReportedComment[]; csrf: string; account: string }) {
  return (
    <Layout title="Reported comments" account={props.account}>
      <h1>Reported comments</h1>
      {props.reported.length === 0 ? <p>Nothing is reported.</p> : null}
      <ol class="reports">
        {props.reported.map(({ comment, reports, reasons, lastReportedAt }) => (
          <li id={`r-${comment.id}`} class="comment">
            <p class="meta">
              {reports} {reports === 1 ? 'report' : 'reports'}, the latest{' '}
              <time datetime={lastReportedAt}>{lastReportedAt.slice(0, 16).replace('T', ' ')}</time> · by{' '}
              {handle(comment.userId)} on{' '}
              <a href={`${paperPath(comment.paperId)}#c-${comment.id}`}>the paper</a>
              {comment.hidden ? ' · hidden from readers' : ''}
            </p>
            <div class="comment-body">{raw(renderMarkdown(comment.body))}</div>
            <p class="meta">Reasons: {reasons.join('; ')}</p>
            <div class="comment-actions">
              <form method="post" action={`/comments/${comment.id}/hide`}>
                <CsrfField token={props.csrf} />
                <input type="hidden" name="hidden" value={comment.hidden ? '0' : '1'} />
                <input type="hidden" name="back" value="/moderation" />
                <button type="submit">{comment.hidden ? 'Show again' : 'Hide'}</button>
              </form>
              <form method="post" action={`/comments/${comment.id}/delete`}>
                <CsrfField token={props.csrf} />
                <input type="hidden" name="back" value="/moderation" />
                <button type="submit">Delete</button>
              </form>
            </div>
          </li>
        ))}
      </ol>
    </Layout>
  );
}
