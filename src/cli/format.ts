/** Plain-text rendering of papers for the terminal. */
import { isWithdrawn, paperDay, type Paper } from '../core/paper.js';
import { inertControls } from '../core/text.js';

/** Text from the store never sends escape sequences to the terminal (see core/text.inertControls). */
export function paperLine(paper: Paper): string {
  const day = paperDay(paper) ?? '          ';
  const category = (paper.categories[0] ?? '').padEnd(9);
  return inertControls(`${day}  ${paper.id.padEnd(16)} ${category} ${paper.title}`);
}

function wrap(text: string, width = 100): string {
  return text
    .split('\n\n')
    .map((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(' ')) {
        if (line && line.length + word.length + 1 > width) {
          lines.push(line);
          line = word;
        } else line = line ? `${line} ${word}` : word;
      }
      if (line) lines.push(line);
      return lines.map((l) => `  ${l}`).join('\n');
    })
    .join('\n\n');
}

export function paperDetails(paper: Paper): string {
  const fields: [string, string | null][] = [
    ['id', paper.id],
    ['status', isWithdrawn(paper) ? 'withdrawn (its latest version on arXiv withdraws it)' : null],
    ['authors', paper.authors.join(', ') || null],
    ['day', paperDay(paper)],
    ['categories', paper.categories.join(' ') || null],
    ['classes', paper.classes.join('; ') || null],
    [
      'versions',
      paper.versions.map((v) => `v${v.version}${v.date ? ` ${v.date.slice(0, 10)}` : ''}`).join(', ') || null,
    ],
    ['comments', paper.comments],
    ['journal-ref', paper.journalRef],
    ['doi', paper.doi],
    ['license', paper.license],
    ['sources', paper.sources.join(', ')],
  ];
  const header = fields
    .filter((f): f is [string, string] => f[1] !== null)
    .map(([name, value]) => `${`${name}:`.padEnd(13)}${value}`)
    .join('\n');
  return inertControls(`${paper.title}\n\n${header}\n\n${wrap(paper.abstract)}\n`);
}
