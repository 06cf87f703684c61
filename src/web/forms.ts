/** What state-changing routes read from a request: the signed-in viewer, and the form's fields. */
import type { Context } from 'hono';
import { OpenPapersError } from '../core/errors.js';
import type { Viewer, WebEnv } from './session.js';

/** A form's text fields; anything else (files, repeated fields) counts as absent. */
export async function formFields(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}

/** A form's uploaded file's text, or null when none was chosen. */
export async function formFile(c: Context, field: string): Promise<string | null> {
  const value = (await c.req.parseBody())[field];
  if (!(value instanceof File) || value.size === 0) return null;
  return value.text();
}

export function signedIn(c: Context<WebEnv>): Viewer {
  const viewer = c.get('viewer');
  if (!viewer) throw new OpenPapersError('OP_ERR_UNAUTHENTICATED', 'sign in first');
  return viewer;
}
