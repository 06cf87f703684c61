/** Email addresses as accounts key them: trimmed and lower-cased, within the limits of RFC 5321. */

export const MAX_EMAIL_CHARS = 254;

/** The normalised address, or null when the text is not a plausible email address. */
export function normalizeEmail(text: string): string | null {
  const email = text.trim().toLowerCase();
  if (email.length > MAX_EMAIL_CHARS) return null;
  // One @, a local part and a dotted domain, no spaces or angle brackets: enough to reject typos and
  // injection; the sign-in link proves the rest.
  return /^[^\s@<>()[\]\\,;:"]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(email) ? email : null;
}
