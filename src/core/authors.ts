/**
 * Author names as arXiv writes them: one string (`A. Smith, B. Jones and C. Lee (1) ((1) MIT)`), LaTeX accents
 * included. Names are split in order and their accents decoded, so the same person reads the same from every
 * source (the arXiv listings already give Unicode names).
 */

const COMBINING: Record<string, string> = {
  "'": '\u0301',
  '`': '\u0300',
  '^': '\u0302',
  '"': '\u0308',
  '~': '\u0303',
  '=': '\u0304',
  '.': '\u0307',
  u: '\u0306',
  v: '\u030C',
  H: '\u030B',
  c: '\u0327',
  k: '\u0328',
  r: '\u030A',
};
const LETTERS: Record<string, string> = {
  ss: 'ß',
  o: 'ø',
  O: 'Ø',
  ae: 'æ',
  AE: 'Æ',
  oe: 'œ',
  OE: 'Œ',
  aa: 'å',
  AA: 'Å',
  l: 'ł',
  L: 'Ł',
  i: 'ı',
  j: 'ȷ',
};

/** Decodes LaTeX accent commands (`Bal\'azs`, `{\"o}`, `\v{s}`, `\c c`) into Unicode; other text is left alone. */
export function decodeLatexAccents(text: string): string {
  if (!text.includes('\\')) return text;
  const decoded = text
    .replace(
      /\\(ss|ae|AE|oe|OE|aa|AA|[oOlLij])(?![A-Za-z])\s?/g,
      (match, name: string) => LETTERS[name] ?? match,
    )
    // {\"o} and \"{o} and \"o
    .replace(ACCENT_IN_BRACES, (_m, accent: string, letter: string) => withAccent(letter, accent))
    .replace(SYMBOL_ACCENT, (_m, accent: string, letter: string) => withAccent(letter, accent))
    // \v{s} and \c c
    .replace(LETTER_ACCENT, (_m, accent: string, braced?: string, spaced?: string) =>
      withAccent((braced ?? spaced) as string, accent),
    )
    .replace(/\{([^{}\\]*)\}/g, '$1');
  return decoded.normalize('NFC');
}

const ACCENT_IN_BRACES = /\{\\(['`^"~=.])\s*([A-Za-zıȷ])\}/g;
const SYMBOL_ACCENT = /\\(['`^"~=.])\s*\{?\s*([A-Za-zıȷ])\s*\}?/g;
const LETTER_ACCENT = /\\([uvHckr])(?:\s*\{\s*([A-Za-zıȷ])\s*\}|\s+([A-Za-zıȷ]))/g;

function withAccent(letter: string, accent: string): string {
  const base = letter === 'ı' ? 'i' : letter === 'ȷ' ? 'j' : letter;
  return `${base}${COMBINING[accent] ?? ''}`;
}

/** Splits an arXiv author string on commas and "and", dropping parenthesised affiliations. */
export function splitAuthors(text: string): string[] {
  const names: string[] = [];
  let depth = 0;
  let current = '';
  const flush = () => {
    const name = current.replace(/\s+/g, ' ').trim();
    if (name !== '') names.push(name);
    current = '';
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '(') depth++;
    else if (char === ')') depth = Math.max(0, depth - 1);
    else if (depth > 0) continue;
    else if (char === ',' || char === ';' || char === '\n') flush();
    else if (/\s/.test(char) && /^and\s/i.test(text.slice(i + 1, i + 5)) && current.trim() !== '') {
      flush();
      i += 3;
    } else current += char;
  }
  flush();
  return names.map((name) => decodeLatexAccents(name.replace(/^and\s+/i, '')));
}
