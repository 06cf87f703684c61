/** Where a store lives: a SQLite file's path, or a PostgreSQL URL. */
export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//.test(location);

/** The location as messages and logs show it: a URL without its password. */
export function describeLocation(location: string): string {
  if (!isPostgresUrl(location)) return location;
  try {
    const parsed = new URL(location);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'a PostgreSQL URL that cannot be parsed';
  }
}
