/**
 * Discussion under papers: comments and replies by signed-in readers, edited and deleted by their authors,
 * hidden by moderators, reported by anyone signed in.
 */
import { randomUUID } from 'node:crypto';
import { buildThreads, MAX_COMMENT_CHARS, type Thread } from '../core/community/threads.js';
import { OpenPapersError } from '../core/errors.js';
import type { PaperStore, ReportedComment, StoredComment, User } from './ports.js';
import { accountKey, rateLimit } from './rate-limit.js';

const MAX_REASON_CHARS = 500;

function checkedBody(body: string): string {
  const text = body.replace(/\r\n?/g, '\n').trim();
  if (!text) throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'comment: write something first');
  if (text.length > MAX_COMMENT_CHARS) {
    throw new OpenPapersError(
      'OP_ERR_BAD_REQUEST',
      `comment: at most ${MAX_COMMENT_CHARS.toLocaleString('en-US')} characters`,
    );
  }
  return text;
}

function canModerate(user: User): boolean {
  return user.role === 'moderator' || user.role === 'admin';
}

export class CommentService {
  constructor(private readonly deps: { store: PaperStore; now: () => string }) {}

  async threads(paperId: string): Promise<Thread<StoredComment>[]> {
    return buildThreads(await this.deps.store.listComments(paperId));
  }

  async post(user: User, paperId: string, body: string, parentId: string | null): Promise<StoredComment> {
    const text = checkedBody(body);
    await rateLimit(
      this.deps.store,
      accountKey('comment', user.id),
      { count: 10, minutes: 1 },
      'comments',
      this.deps.now(),
    );
    if (!(await this.deps.store.getPaper(paperId))) {
      throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${paperId}"`);
    }
    if (parentId) {
      const parent = await this.deps.store.getComment(parentId);
      if (!parent || parent.paperId !== paperId)
        throw new OpenPapersError('OP_ERR_NOT_FOUND', 'no such comment to reply to');
    }
    const comment: StoredComment = {
      id: randomUUID(),
      paperId,
      userId: user.id,
      parentId,
      body: text,
      createdAt: this.deps.now(),
      editedAt: null,
      deleted: false,
      hidden: false,
    };
    await this.deps.store.addComment(comment);
    return comment;
  }

  private async existing(id: string): Promise<StoredComment> {
    const comment = await this.deps.store.getComment(id);
    if (!comment || comment.deleted) throw new OpenPapersError('OP_ERR_NOT_FOUND', 'no such comment');
    return comment;
  }

  async edit(user: User, id: string, body: string): Promise<StoredComment> {
    const comment = await this.existing(id);
    if (comment.userId !== user.id)
      throw new OpenPapersError('OP_ERR_FORBIDDEN', 'only its author can edit a comment');
    await this.deps.store.editComment(id, checkedBody(body), this.deps.now());
    return comment;
  }

  async delete(user: User, id: string): Promise<StoredComment> {
    const comment = await this.existing(id);
    if (comment.userId !== user.id && !canModerate(user)) {
      throw new OpenPapersError('OP_ERR_FORBIDDEN', 'only its author or a moderator can delete a comment');
    }
    await this.deps.store.setCommentState(id, { deleted: true });
    return comment;
  }

  async hide(user: User, id: string, hidden: boolean): Promise<StoredComment> {
    if (!canModerate(user)) throw new OpenPapersError('OP_ERR_FORBIDDEN', 'only moderators hide comments');
    const comment = await this.existing(id);
    await this.deps.store.setCommentState(id, { hidden });
    return comment;
  }

  async report(user: User, id: string, reason: string): Promise<StoredComment> {
    const comment = await this.existing(id);
    await rateLimit(
      this.deps.store,
      accountKey('report', user.id),
      { count: 20, minutes: 60 },
      'reports',
      this.deps.now(),
    );
    await this.deps.store.reportComment(
      id,
      user.id,
      reason.trim().slice(0, MAX_REASON_CHARS),
      this.deps.now(),
    );
    return comment;
  }

  /** What readers have reported, most reported first, for moderators. */
  async reported(user: User, limit = 100): Promise<ReportedComment[]> {
    if (!canModerate(user)) throw new OpenPapersError('OP_ERR_FORBIDDEN', 'only moderators review reports');
    return this.deps.store.reportedComments(limit);
  }
}
