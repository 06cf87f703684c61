/** Date parsing for the formats arXiv uses; every result is UTC ISO 8601 or null. */

/** RFC 2822 (`Mon, 2 Apr 2007 19:18:42 GMT`), ISO dates and times → `YYYY-MM-DDTHH:MM:SSZ`. */
export function toIsoTime(text: string | null | undefined): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  const value = /^\d{4}-\d{2}-\d{2}$/.test(trimmed)
    ? Date.parse(`${trimmed}T00:00:00Z`)
    : Date.parse(trimmed);
  if (Number.isNaN(value)) return null;
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A `YYYY-MM-DD` day that really exists, or null. */
export function toIsoDay(text: string | null | undefined): string | null {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text.trim())) return null;
  const time = toIsoTime(text);
  return time?.slice(0, 10) === text.trim() ? text.trim() : null;
}

export function minDefined(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a <= b ? a : b;
}

export function maxDefined(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a >= b ? a : b;
}
