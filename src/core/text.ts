/**
 * Text normalisation shared by every source. LaTeX is kept as written (it is rendered for display later);
 * only line breaks and runs of white space are normalised, so the same paper reads the same from every format.
 */

/** One line: every run of white space (hard-wrapped lines included) becomes one space. */
export function normalizeLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Abstracts are hard-wrapped in arXiv's files; a line that starts with white space, or a blank line, begins a
 * new paragraph (arXiv's own convention). Paragraphs are joined by one blank line.
 */
export function normalizeAbstract(text: string): string {
  const unified = text.replace(/\r\n?/g, '\n').replace(/^\s+/, '').replace(/\s+$/, '');
  if (unified === '') return '';
  return unified
    .split(/\n[ \t]*\n|\n(?=[ \t])/)
    .map(normalizeLine)
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}

/** C0 and C1 control characters other than tab and newline: invisible, and ill-formed in XML. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function withoutControls(text: string): string {
  return text.replace(CONTROLS, '');
}

/** For a terminal: each control character shown as U+FFFD, so offsets into the text stay where they were. */
export function inertControls(text: string): string {
  return text.replace(CONTROLS, '\ufffd');
}

/** A null for missing or blank optional fields, so that "" and absent mean the same. */
export function optionalLine(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const line = normalizeLine(text);
  return line === '' ? null : line;
}

/** Text for HTML, in element content or quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] as string);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
