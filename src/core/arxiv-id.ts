/**
 * arXiv identifiers: new style `YYMM.NNNN(N)` (since 2007) and old style `archive(.SC)/YYMMNNN`.
 * Versions are stripped; the version number is returned apart so callers can keep it.
 */
export interface ArxivIdParts {
  id: string;
  version: number | null;
}

const NEW_STYLE = /^(\d{2})(\d{2})\.(\d{4,5})(?:v(\d+))?$/;
const OLD_STYLE = /^([a-z][a-z-]*)(?:\.[A-Za-z-]{1,8})?\/(\d{2})(\d{2})(\d{3})(?:v(\d+))?$/;
const PREFIXES = [
  /^arxiv:/i,
  /^oai:arxiv\.org:/i,
  /^https?:\/\/(?:www\.|export\.)?arxiv\.org\/(?:abs|pdf|html)\//i,
];

/** Parses any common spelling of an arXiv id (bare, `arXiv:`, OAI, abs/pdf URL); null when it is not one. */
export function parseArxivId(raw: string): ArxivIdParts | null {
  let text = raw.trim();
  for (const prefix of PREFIXES) text = text.replace(prefix, '');
  text = text.replace(/\.pdf$/i, '').replace(/[?#].*$/, '');

  const modern = NEW_STYLE.exec(text);
  if (modern) {
    const [, yy, mm, serial, version] = modern as unknown as [string, string, string, string, string?];
    const month = Number(mm);
    if (month < 1 || month > 12) return null;
    // Four-digit serials were used until 2014-12, five-digit ones since 2015-01.
    if ((serial.length === 5) !== Number(yy) >= 15) return null;
    return { id: `${yy}${mm}.${serial}`, version: version ? Number(version) : null };
  }
  const legacy = OLD_STYLE.exec(text);
  if (legacy) {
    const [, archive, yy, mm, serial, version] = legacy as unknown as [
      string,
      string,
      string,
      string,
      string,
      string?,
    ];
    const month = Number(mm);
    if (month < 1 || month > 12) return null;
    return { id: `${archive}/${yy}${mm}${serial}`, version: version ? Number(version) : null };
  }
  return null;
}

export function isArxivId(id: string): boolean {
  return parseArxivId(id)?.id === id;
}
