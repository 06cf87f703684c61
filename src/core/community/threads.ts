/** Comment threads: replies under their parents, oldest first at every level. */

export interface ThreadItem {
  id: string;
  parentId: string | null;
  createdAt: string;
}

export type Thread<T extends ThreadItem> = T & { replies: Thread<T>[] };

/** Comments (in any order) as a forest of threads; a reply whose parent is missing becomes a thread of its own. */
export function buildThreads<T extends ThreadItem>(comments: readonly T[]): Thread<T>[] {
  const nodes = new Map<string, Thread<T>>(
    comments.map((comment) => [comment.id, { ...comment, replies: [] }]),
  );
  const roots: Thread<T>[] = [];
  const byTime = (a: Thread<T>, b: Thread<T>) =>
    a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id);
  for (const node of [...nodes.values()].sort(byTime)) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    (parent ? parent.replies : roots).push(node);
  }
  return roots;
}

export const MAX_COMMENT_CHARS = 10_000;
