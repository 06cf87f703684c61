/**
 * Reading reference-library files: BibTeX (parsed by citation-js, which also turns LaTeX accents and commands
 * into Unicode) and CSL-JSON as Zotero exports it. A file that cannot be read is rejected whole, with the line
 * or entry at fault, so an import never half-happens.
 */
import { plugins } from '@citation-js/core';
import '@citation-js/plugin-bibtex';
import { z } from 'zod';
import { OpenPapersError } from '../../core/errors.js';
import { arxivIdOf, doiOf, type LibraryEntry } from '../../core/library/entries.js';

export const MAX_LIBRARY_ENTRIES = 5_000;

const CslText = z.union([z.string(), z.number().transform(String)]).optional();
const CslItem = z.looseObject({
  id: z.union([z.string(), z.number()]).optional(),
  title: z.string().optional(),
  DOI: CslText,
  URL: CslText,
  number: CslText,
  note: CslText,
  archive_location: CslText,
  'container-title': CslText,
});

function tooMany(count: number): OpenPapersError {
  return new OpenPapersError(
    'OP_ERR_INPUT',
    `the file has ${count.toLocaleString('en-US')} entries; at most ${MAX_LIBRARY_ENTRIES.toLocaleString('en-US')} can be imported at once`,
  );
}

function parseCslJson(text: string): LibraryEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new OpenPapersError('OP_ERR_INPUT', `CSL-JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new OpenPapersError('OP_ERR_INPUT', 'CSL-JSON: expected a list of items, as Zotero exports it');
  }
  if (data.length > MAX_LIBRARY_ENTRIES) throw tooMany(data.length);
  return data.map((raw, i) => {
    const parsed = CslItem.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new OpenPapersError(
        'OP_ERR_INPUT',
        `CSL-JSON item ${i + 1}: ${issue?.path.join('.') || 'item'}: ${issue?.message ?? 'not an item'}`,
      );
    }
    const item = parsed.data;
    return {
      where: `item ${i + 1}${item.id !== undefined ? ` (${item.id})` : ''}`,
      title: item.title ?? '',
      arxivId: arxivIdOf({
        doi: item.DOI,
        texts: [item.number, item.URL, item.archive_location, item.note, item['container-title']],
      }),
      doi: doiOf(item.DOI),
    };
  });
}

// citation-js declares every chain's output as CSL; the target decides what it really is.
const convert = plugins.input.chain as (
  input: unknown,
  options: { target: string; generateGraph: boolean },
) => unknown;

interface BibtexEntry {
  label: string;
  properties: Record<string, string>;
}

/** citation-js parses braces recursively: nesting deeper than any real library would exhaust the stack. */
const MAX_BRACE_DEPTH = 64;

function checkNesting(text: string): void {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text.charCodeAt(i);
    if (char === 10) {
      line++;
      lineStart = i + 1;
    } else if (char === 123 && ++depth > MAX_BRACE_DEPTH) {
      throw new OpenPapersError(
        'OP_ERR_INPUT',
        `BibTeX: braces nested more than ${MAX_BRACE_DEPTH} deep at line ${line}, column ${i - lineStart + 1}`,
      );
    } else if (char === 125 && depth > 0) depth--;
  }
}

function parseBibtex(text: string): LibraryEntry[] {
  checkNesting(text);
  let raw: BibtexEntry[];
  let csl: { title?: string; DOI?: string; URL?: string }[];
  try {
    raw = convert(text, { target: '@biblatex/entries+list', generateGraph: false }) as BibtexEntry[];
    if (raw.length > MAX_LIBRARY_ENTRIES) throw tooMany(raw.length);
    // The same entries in CSL, for titles with their LaTeX turned into text.
    csl = convert(raw, { target: '@csl/list+object', generateGraph: false }) as typeof csl;
  } catch (error) {
    if (error instanceof OpenPapersError) throw error;
    throw new OpenPapersError('OP_ERR_INPUT', `BibTeX: ${(error as Error).message.split('\n')[0]}`);
  }
  return raw.map((entry, i) => {
    const fields = entry.properties;
    const prefix = (fields.archiveprefix ?? fields.eprinttype ?? '').toLowerCase();
    return {
      where: `entry ${i + 1} (${entry.label})`,
      title: csl[i]?.title ?? fields.title ?? '',
      arxivId: arxivIdOf({
        // Without a prefix an eprint is taken as arXiv's only if it reads as an arXiv id.
        eprint: prefix === '' || prefix === 'arxiv' ? fields.eprint : null,
        doi: fields.doi,
        texts: [fields.url, fields.journal, fields.note, fields.howpublished, fields.number],
      }),
      doi: doiOf(fields.doi),
    };
  });
}

/** The entries of a library file; CSL-JSON when it reads as JSON, BibTeX otherwise. */
export function parseLibraryFile(text: string): LibraryEntry[] {
  const start = text.trimStart()[0];
  const entries = start === '[' || start === '{' ? parseCslJson(text) : parseBibtex(text);
  if (entries.length === 0) {
    throw new OpenPapersError('OP_ERR_INPUT', 'the file has no BibTeX entries or CSL-JSON items');
  }
  return entries;
}
