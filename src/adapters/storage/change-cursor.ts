/** A change-feed cursor, `revision:id`: the last change a follower has read. Null (the start) is before every change. */
export function parseChangeCursor(cursor: string | null): [number, string] {
  if (cursor === null) return [-1, ''];
  const colon = cursor.indexOf(':');
  const revision = Number(cursor.slice(0, colon));
  if (colon < 0 || !Number.isInteger(revision)) throw new Error(`not a change-feed cursor: ${cursor}`);
  return [revision, cursor.slice(colon + 1)];
}
