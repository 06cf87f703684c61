import type { z } from 'zod';

/** A record that cannot be read; the message says why, without the place (the reader adds that). */
export class RecordError extends Error {}

/** Zod's issues as one readable line: `authors.2: expected string, received number; title: required`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.length ? issue.path.join('.') : 'record';
      return `${field}: ${issue.message.replace(/^Invalid input: /, '')}`;
    })
    .join('; ');
}
