/**
 * The catalogue of coded errors. Every error a user can meet has a stable code, a CLI exit code and an HTTP
 * status; docs/errors.md lists them and a test keeps the two in step.
 */
export const ERRORS = {
  OP_ERR_USAGE: { exit: 2, http: 400, title: 'Invalid command-line usage or argument' },
  OP_ERR_NOT_FOUND: { exit: 3, http: 404, title: 'No paper with that id' },
  OP_ERR_INPUT: { exit: 4, http: 400, title: 'An input file cannot be read or its format is not recognised' },
  OP_ERR_STORE: { exit: 5, http: 503, title: 'The database cannot be opened or written' },
  OP_ERR_SEMANTIC: {
    exit: 6,
    http: 503,
    title: 'Semantic search is unavailable: no embedding model or no embeddings',
  },
  OP_ERR_REJECTED: { exit: 1, http: 422, title: 'Some records were rejected; the valid ones were stored' },
  OP_ERR_BAD_REQUEST: { exit: 2, http: 400, title: 'A request parameter is malformed or out of range' },
  OP_ERR_NO_ROUTE: { exit: 2, http: 404, title: 'No such page or API endpoint' },
  OP_ERR_METHOD: { exit: 2, http: 405, title: 'The HTTP method is not allowed on this address' },
  OP_ERR_SIGN_IN_LINK: { exit: 2, http: 400, title: 'A sign-in link that has been used or has expired' },
  OP_ERR_UNAUTHENTICATED: { exit: 2, http: 401, title: 'Signing in is needed for this' },
  OP_ERR_SIGN_IN_FAILED: { exit: 2, http: 401, title: 'The email address or the password is wrong' },
  OP_ERR_CSRF: { exit: 2, http: 403, title: 'A form sent without its CSRF token, or with a wrong one' },
  OP_ERR_FORBIDDEN: {
    exit: 2,
    http: 403,
    title: "Not allowed for this account (someone else's comment, a moderator's action)",
  },
  OP_ERR_RATE_LIMITED: { exit: 2, http: 429, title: 'Too many requests of one kind; try again later' },
  OP_ERR_NOT_CONFIGURED: { exit: 2, http: 503, title: 'A feature this server is not configured for' },
  OP_ERR_UPSTREAM: { exit: 7, http: 502, title: 'A service OpenPapers relies on (the arXiv API) failed' },
  OP_ERR_BUSY: { exit: 8, http: 503, title: 'Another process is doing this now (writing the search index)' },
  OP_ERR_INTERNAL: { exit: 70, http: 500, title: 'An unexpected internal error' },
} as const;

export type ErrorCode = keyof typeof ERRORS;

export class OpenPapersError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OpenPapersError';
    this.code = code;
  }

  get exitCode(): number {
    return ERRORS[this.code].exit;
  }

  get httpStatus(): number {
    return ERRORS[this.code].http;
  }
}

/** A write that failed for want of disk space, as one clear error that says where; null for other errors. */
export function diskFull(error: unknown, where: string): OpenPapersError | null {
  const code = (error as { code?: unknown } | null)?.code;
  // SQLite's, the file system's, and PostgreSQL's disk_full.
  if (code !== 'SQLITE_FULL' && code !== 'ENOSPC' && code !== '53100') return null;
  return new OpenPapersError(
    'OP_ERR_STORE',
    `the disk is full: cannot write ${where}; free some space and try again (what was stored before is kept)`,
    { cause: error },
  );
}
