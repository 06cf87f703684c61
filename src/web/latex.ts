/**
 * Abstracts and titles keep their LaTeX. On pages, `$…$` and `$$…$$` (and `\(…\)`) are typeset by KaTeX
 * on the server, which escapes what it is given and, with `trust` off, emits no links, classes or styles
 * from the input; everything outside math is HTML-escaped here. What KaTeX cannot parse is shown as the
 * escaped source, so a broken formula never breaks a page.
 */
import katex from 'katex';
import { escapeHtml } from '../core/text.js';

// `\$` is an escaped dollar sign, not the start of math.
const MATH = /(?<!\\)\$\$([^$]+?)\$\$|(?<!\\)\$((?:[^$\\]|\\.)+?)\$|\\\((.+?)\\\)/gs;
const CACHE_LIMIT = 20_000;
const cache = new Map<string, string>();

/** Text with its LaTeX math typeset, as safe HTML. */
export function renderLatex(text: string): string {
  const cached = cache.get(text);
  if (cached !== undefined) return cached;
  let html = '';
  let at = 0;
  for (const match of text.matchAll(MATH)) {
    html += escapeHtml(plainText(text.slice(at, match.index)));
    const display = match[1] !== undefined;
    const source = (match[1] ?? match[2] ?? match[3] ?? '').trim();
    html += typeset(source, display) ?? escapeHtml(match[0]);
    at = match.index + match[0].length;
  }
  html += escapeHtml(plainText(text.slice(at)));
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(text, html);
  return html;
}

/**
 * The same with the `[start, end)` ranges of the source outside math marked (search highlights); what is
 * inside math is typeset whole.
 */
export function renderLatexHighlighted(
  text: string,
  highlights: readonly (readonly [number, number])[],
): string {
  if (highlights.length === 0) return renderLatex(text);
  const prose = (start: number, end: number) => {
    let html = '';
    let at = start;
    for (const [from, to] of highlights) {
      if (to <= at || from >= end) continue;
      const markFrom = Math.max(from, at);
      const markTo = Math.min(to, end);
      html += escapeHtml(plainText(text.slice(at, markFrom)));
      html += `<mark>${escapeHtml(plainText(text.slice(markFrom, markTo)))}</mark>`;
      at = markTo;
    }
    return html + escapeHtml(plainText(text.slice(at, end)));
  };
  let html = '';
  let at = 0;
  for (const match of text.matchAll(MATH)) {
    html += prose(at, match.index);
    const display = match[1] !== undefined;
    const source = (match[1] ?? match[2] ?? match[3] ?? '').trim();
    html += typeset(source, display) ?? escapeHtml(match[0]);
    at = match.index + match[0].length;
  }
  return html + prose(at, text.length);
}

/** LaTeX's text-mode escapes and font commands outside math, as the characters they stand for. */
function plainText(text: string): string {
  return text
    .replace(/\\(?:emph|textit|textbf|texttt|textsc|mathrm)\{([^{}]*)\}/g, '$1')
    .replace(/\\([%&_#$])/g, '$1')
    .replace(/(?<!\\)~/g, '\u00a0');
}

function typeset(source: string, display: boolean): string | null {
  try {
    return katex.renderToString(source, {
      displayMode: display,
      throwOnError: true,
      trust: false,
      strict: 'ignore',
      output: 'htmlAndMathml',
      maxSize: 10,
      maxExpand: 200,
    });
  } catch {
    return null;
  }
}

/**
 * The first `maxChars` characters of a text, cut at a word boundary and never inside a `$…$` span, so that
 * a preview typesets as cleanly as the whole.
 */
export function preview(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = text.lastIndexOf(' ', maxChars);
  if (cut < maxChars / 2) cut = maxChars;
  let head = text.slice(0, cut);
  const dollars = (head.match(/\$/g) ?? []).length;
  if (dollars % 2 === 1) head = head.slice(0, head.lastIndexOf('$')).trimEnd();
  return `${head.replace(/[\s,;:.]+$/, '')}…`;
}
