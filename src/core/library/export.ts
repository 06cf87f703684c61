/**
 * A collection's papers as reference-manager files: BibTeX (arXiv's recommended `@misc` with `eprint`,
 * `archivePrefix` and `primaryClass`) and CSL-JSON (what Zotero imports), each entry with the collection's note.
 */
import { isArxivId } from '../arxiv-id.js';
import type { Paper } from '../paper.js';

export interface ExportEntry {
  paper: Paper;
  note: string;
}

/** "Ashish Vaswani" → family "Vaswani", given "Ashish"; one-word names stay whole. */
function splitName(name: string): { family: string; given: string } {
  const cut = name.trim().lastIndexOf(' ');
  return cut < 0
    ? { family: name.trim(), given: '' }
    : { family: name.slice(cut + 1), given: name.slice(0, cut) };
}

function firstVersionDate(paper: Paper): string | null {
  return paper.published ?? paper.versions.find((v) => v.date)?.date ?? paper.announced;
}

function absUrl(paper: Paper): string | null {
  return isArxivId(paper.id) ? `https://arxiv.org/abs/${paper.id}` : null;
}

export interface CslItem {
  id: string;
  type: 'article';
  title: string;
  author: { family: string; given?: string }[];
  issued?: { 'date-parts': number[][] };
  abstract?: string;
  DOI?: string;
  URL?: string;
  number?: string;
  publisher?: string;
  'container-title'?: string;
  note?: string;
}

export function toCslJson(entries: readonly ExportEntry[]): CslItem[] {
  const keys = citationKeys(entries.map((entry) => entry.paper));
  return entries.map(({ paper, note }, i) => {
    const date = firstVersionDate(paper);
    const arxiv = isArxivId(paper.id);
    const item: CslItem = {
      id: keys[i] as string,
      // CSL's "article" is a preprint, which is what Zotero makes of an arXiv paper.
      type: 'article',
      title: paper.title,
      author: paper.authors.map((name) => {
        const { family, given } = splitName(name);
        return given ? { family, given } : { family };
      }),
    };
    if (date) item.issued = { 'date-parts': [date.slice(0, 10).split('-').map(Number)] };
    if (paper.abstract) item.abstract = paper.abstract;
    const doi = paper.doi ?? (arxiv ? `10.48550/arXiv.${paper.id}` : null);
    if (doi) item.DOI = doi;
    const url = absUrl(paper);
    if (url) item.URL = url;
    if (arxiv) {
      item.number = `arXiv:${paper.id}`;
      item.publisher = 'arXiv';
    }
    if (paper.journalRef) item['container-title'] = paper.journalRef;
    if (note) item.note = note;
    return item;
  });
}

/** `vaswani2017attention`: first author's family name, year, first long title word; made unique. */
function citationKeys(papers: readonly Paper[]): string[] {
  const ascii = (text: string) =>
    text
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
  const seen = new Map<string, number>();
  return papers.map((paper) => {
    const family = ascii(splitName(paper.authors[0] ?? 'anonymous').family) || 'anonymous';
    const year = firstVersionDate(paper)?.slice(0, 4) ?? '';
    const word = paper.title
      .split(/\s+/)
      .map(ascii)
      .find((w) => w.length > 3 && !STOP_WORDS.has(w));
    const base = `${family}${year}${word ?? ''}`;
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return count === 0
      ? base
      : `${base}${String.fromCharCode(97 + ((count - 1) % 26))}${count > 26 ? count : ''}`;
  });
}

const STOP_WORDS = new Set([
  'towards',
  'toward',
  'with',
  'from',
  'into',
  'about',
  'over',
  'when',
  'what',
  'your',
]);

/**
 * A value between braces: LaTeX's special characters that arXiv titles write bare (`Q&A`, `50%`) are escaped,
 * and braces are kept only where they balance, so that one odd title cannot break the whole file.
 */
function bibValue(text: string): string {
  const escaped = text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/(?<!\\)([&%#])/g, '\\$1');
  let depth = 0;
  const kept: string[] = [];
  const opens: number[] = [];
  for (const char of escaped) {
    if (char === '{') {
      opens.push(kept.length);
      depth++;
    } else if (char === '}') {
      if (depth === 0) continue;
      depth--;
      opens.pop();
    }
    kept.push(char);
  }
  for (const at of opens.reverse()) kept.splice(at, 1);
  return `{${kept.join('')}}`;
}

export function toBibtex(entries: readonly ExportEntry[]): string {
  const keys = citationKeys(entries.map((entry) => entry.paper));
  return entries
    .map(({ paper, note }, i) => {
      const fields: [string, string][] = [['title', paper.title]];
      if (paper.authors.length > 0) {
        const names = paper.authors.map((name) => {
          const { family, given } = splitName(name);
          return given ? `${family}, ${given}` : family;
        });
        fields.push(['author', names.join(' and ')]);
      }
      const year = firstVersionDate(paper)?.slice(0, 4);
      if (year) fields.push(['year', year]);
      if (isArxivId(paper.id)) {
        fields.push(['eprint', paper.id], ['archivePrefix', 'arXiv']);
        if (paper.categories[0]) fields.push(['primaryClass', paper.categories[0]]);
      }
      if (paper.doi) fields.push(['doi', paper.doi]);
      const url = absUrl(paper);
      if (url) fields.push(['url', url]);
      if (paper.journalRef) fields.push(['journal', paper.journalRef]);
      if (note) fields.push(['annote', note]);
      const body = fields.map(([name, value]) => `  ${name} = ${bibValue(value)},`).join('\n');
      return `@misc{${keys[i]},\n${body}\n}\n`;
    })
    .join('\n');
}
