/** The discussion under a paper: threads of comments in safe Markdown, and the forms to take part. */
import { raw } from 'hono/html';
import type { StoredComment, User } from '../../app/ports.js';
import type { Thread } from '../../core/community/threads.js';
import { renderMarkdown } from '../markdown.js';
import { paperPath, withQuery } from '../urls.js';
import { CsrfField } from './components.js';

export interface DiscussionViewer {
  user: User;
  csrf: string;
}

/** Accounts have no public names; a short handle from the id, never the email address. */
export function handle(userId: string): string {
  return `member ${userId.slice(0, 8)}`;
}

function CommentBox(props: {
  action: string;
  csrf: string;
  label: string;
  id: string;
  parentId?: string;
  text?: string;
}) {
  return (
    <form class="comment-form" method="post" action={props.action}>
      <CsrfField token={props.csrf} />
      {props.parentId ? <input type="hidden" name="parent" value={props.parentId} /> : null}
      <label for={props.id}>{props.label}</label>
      <textarea id={props.id} name="body" rows={4} maxlength={10000} required>
        {props.text ?? ''}
      </textarea>
      <button type="submit">{props.label}</button>
    </form>
  );
}

function Comment(props: {
  comment: Thread<StoredComment>;
  viewer: DiscussionViewer | null;
  paperId: string;
}) {
  const { comment, viewer } = props;
  const moderator = viewer?.user.role === 'moderator' || viewer?.user.role === 'admin';
  const own = viewer?.user.id === comment.userId;
  const shown = !comment.deleted && (!comment.hidden || moderator);
  return (
    <li id={`c-${comment.id}`} class="comment">
      <p class="meta">
        {handle(comment.userId)} ·{' '}
        <time datetime={comment.createdAt}>{comment.createdAt.slice(0, 16).replace('T', ' ')}</time>
        {comment.editedAt ? ' · edited' : ''}
        {comment.hidden && shown ? ' · hidden from readers' : ''}
      </p>
      {comment.deleted ? (
        <p class="removed">[deleted]</p>
      ) : !shown ? (
        <p class="removed">[hidden by a moderator]</p>
      ) : (
        <div class="comment-body">{raw(renderMarkdown(comment.body))}</div>
      )}
      {viewer && !comment.deleted ? (
        <div class="comment-actions">
          <details>
            <summary>Reply</summary>
            <CommentBox
              action={`${paperPath(props.paperId)}/comments`}
              csrf={viewer.csrf}
              label="Reply"
              id={`reply-${comment.id}`}
              parentId={comment.id}
            />
          </details>
          {own ? (
            <details>
              <summary>Edit</summary>
              <CommentBox
                action={`/comments/${comment.id}/edit`}
                csrf={viewer.csrf}
                label="Save"
                id={`edit-${comment.id}`}
                text={comment.body}
              />
            </details>
          ) : null}
          {own || moderator ? (
            <form method="post" action={`/comments/${comment.id}/delete`}>
              <CsrfField token={viewer.csrf} />
              <button type="submit">Delete</button>
            </form>
          ) : null}
          {moderator ? (
            <form method="post" action={`/comments/${comment.id}/hide`}>
              <CsrfField token={viewer.csrf} />
              <input type="hidden" name="hidden" value={comment.hidden ? '0' : '1'} />
              <button type="submit">{comment.hidden ? 'Show again' : 'Hide'}</button>
            </form>
          ) : null}
          {!own ? (
            <form method="post" action={`/comments/${comment.id}/report`}>
              <CsrfField token={viewer.csrf} />
              <input type="hidden" name="reason" value="reported from the page" />
              <button type="submit">Report</button>
            </form>
          ) : null}
        </div>
      ) : null}
      {comment.replies.length > 0 ? (
        <ol class="replies">
          {comment.replies.map((reply) => (
            <Comment comment={reply} viewer={viewer} paperId={props.paperId} />
          ))}
        </ol>
      ) : null}
    </li>
  );
}

export function Discussion(props: {
  paperId: string;
  threads: Thread<StoredComment>[];
  viewer: DiscussionViewer | null;
}) {
  return (
    <section id="discussion" aria-labelledby="discussion-title">
      <h2 id="discussion-title">Discussion</h2>
      {props.threads.length === 0 ? <p class="empty">No comments yet.</p> : null}
      <ol class="comments">
        {props.threads.map((thread) => (
          <Comment comment={thread} viewer={props.viewer} paperId={props.paperId} />
        ))}
      </ol>
      {props.viewer ? (
        <CommentBox
          action={`${paperPath(props.paperId)}/comments`}
          csrf={props.viewer.csrf}
          label="Comment"
          id="new-comment"
        />
      ) : (
        <p>
          <a href={withQuery('/signin', { next: `${paperPath(props.paperId)}#discussion` })}>
            Sign in to comment
          </a>
          . Comments take Markdown: *emphasis*, `code`, lists, quotes and links.
        </p>
      )}
    </section>
  );
}
