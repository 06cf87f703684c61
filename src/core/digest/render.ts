/**
 * A digest as mail: a plain-text part and an HTML part with the same content, inline styles only (mail
 * clients drop style sheets), narrow enough for a phone. Every paper says why it was chosen and carries
 * 👍 / 👎 links; the mail ends with its web view and a one-click unsubscribe link.
 */
import type { Paper } from '../paper.js';
import { escapeHtml, withoutControls } from '../text.js';

export interface DigestEntry {
  paper: Paper;
  reason: string;
  links: { paper: string; up: string; down: string };
}

export interface DigestView {
  /** "Your daily papers, 1 July 2026". */
  heading: string;
  entries: readonly DigestEntry[];
  links: { web: string; unsubscribe: string; subscribe: string };
}

const ABSTRACT_CHARS = 280;

export function shortAbstract(abstract: string): string {
  const text = abstract.replace(/\s+/g, ' ').trim();
  if (text.length <= ABSTRACT_CHARS) return text;
  const cut = text.lastIndexOf(' ', ABSTRACT_CHARS);
  return `${text.slice(0, cut > 200 ? cut : ABSTRACT_CHARS)}…`;
}

function authorLine(authors: readonly string[]): string {
  return authors.length > 4 ? `${authors.slice(0, 3).join(', ')} et al.` : authors.join(', ');
}

export function renderDigest(view: DigestView): { subject: string; text: string; html: string } {
  const count = view.entries.length;
  const subject = `${view.heading}: ${count} paper${count === 1 ? '' : 's'}`;
  const text = [
    `${view.heading}`,
    '',
    ...view.entries.flatMap((entry, i) => [
      `${i + 1}. ${entry.paper.title}`,
      `   ${authorLine(entry.paper.authors)}`,
      `   Why: ${entry.reason}`,
      `   ${shortAbstract(entry.paper.abstract)}`,
      `   Read: ${entry.links.paper}`,
      `   More like this: ${entry.links.up}`,
      `   Fewer like this: ${entry.links.down}`,
      '',
    ]),
    `See this digest on the web: ${view.links.web}`,
    `Change what you get: ${view.links.subscribe}`,
    `Unsubscribe: ${view.links.unsubscribe}`,
    '',
  ].join('\n');
  const font = 'font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;${font};color:#1c1d1f">
<div style="max-width:640px;margin:0 auto;padding:16px">
<h1 style="font-size:20px;margin:8px 0 16px">${escapeHtml(view.heading)}</h1>
${view.entries
  .map(
    (
      entry,
    ) => `<div style="background:#fff;border:1px solid #e3e4e8;border-radius:8px;padding:12px 14px;margin:0 0 12px">
<h2 style="font-size:16px;line-height:1.35;margin:0 0 4px"><a href="${escapeHtml(entry.links.paper)}" style="color:#1c1d1f">${escapeHtml(entry.paper.title)}</a></h2>
<p style="margin:0 0 4px;color:#5b5f66;font-size:13px">${escapeHtml(authorLine(entry.paper.authors))}</p>
<p style="margin:0 0 6px;font-size:13px;color:#1f7a4d"><strong>Why:</strong> ${escapeHtml(entry.reason)}</p>
<p style="margin:0 0 8px;font-size:14px;line-height:1.45">${escapeHtml(shortAbstract(entry.paper.abstract))}</p>
<p style="margin:0;font-size:14px"><a href="${escapeHtml(entry.links.up)}" style="color:#2958c9">👍 More like this</a> &nbsp; <a href="${escapeHtml(entry.links.down)}" style="color:#2958c9">👎 Fewer like this</a></p>
</div>`,
  )
  .join('\n')}
<p style="font-size:13px;color:#5b5f66;margin:16px 0 4px"><a href="${escapeHtml(view.links.web)}" style="color:#2958c9">See this digest on the web</a> · <a href="${escapeHtml(view.links.subscribe)}" style="color:#2958c9">Change what you get</a> · <a href="${escapeHtml(view.links.unsubscribe)}" style="color:#2958c9">Unsubscribe</a></p>
</div></body></html>
`;
  // Papers stored before control characters were removed at ingest: no mail client should see them.
  return { subject: withoutControls(subject), text: withoutControls(text), html: withoutControls(html) };
}
