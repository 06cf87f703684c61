/**
 * Streams the record elements (`<entry>`, `<record>`) of an XML document as small element trees, so that a
 * document of any size is read in constant memory. Names are local (prefixes dropped): some real responses
 * omit or vary their namespace declarations. A malformed or truncated document yields its complete records,
 * then one rejection that says where the damage is.
 */
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTag } from 'saxes';
import { LIMITS } from '../../core/paper.js';
import { formatBytes } from './lines.js';
import { INVALID_BYTE, MarkingUtf8Decoder } from './utf8.js';

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

export type XmlRecord =
  { ok: true; element: XmlElement; where: string } | { ok: false; reason: string; where: string };

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

/** The elements named `recordName` (or any of several names), wherever they stand, as trees. */
export async function* readXmlRecords(
  stream: Readable,
  recordName: string | readonly string[],
): AsyncGenerator<XmlRecord> {
  const names = new Set(typeof recordName === 'string' ? [recordName] : recordName);
  const parser = new SaxesParser({ position: true });
  const decoder = new MarkingUtf8Decoder();
  const ready: XmlRecord[] = [];
  let stack: XmlElement[] = [];
  let recordLine = 0;
  let recordBytes = 0;
  let recordHasInvalidBytes = false;
  /** What was wrong inside the record being read, if anything: it is rejected, the rest read on. */
  let recordError: string | null = null;
  let count = 0;
  let failure: string | null = null;

  let recordTag = '';
  const where = () => `${recordTag} ${count} (line ${recordLine})`;
  parser.on('opentag', (tag: SaxesTag) => {
    const name = localName(tag.name);
    if (stack.length === 0 && !names.has(name)) return;
    if (stack.length === 0) {
      count++;
      recordTag = name;
      recordLine = parser.line;
      recordBytes = 0;
      recordHasInvalidBytes = false;
      recordError = null;
    }
    const element: XmlElement = {
      name,
      attrs: tag.attributes as Record<string, string>,
      children: [],
      text: '',
    };
    stack.at(-1)?.children.push(element);
    stack.push(element);
  });
  const onText = (text: string) => {
    const current = stack.at(-1);
    if (!current) return;
    recordBytes += text.length;
    if (text.includes(INVALID_BYTE)) recordHasInvalidBytes = true;
    if (recordBytes <= LIMITS.recordBytes) current.text += text;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    const element = stack.pop();
    if (!element || stack.length > 0) return;
    if (recordError) {
      ready.push({ ok: false, where: where(), reason: recordError });
    } else if (recordBytes > LIMITS.recordBytes) {
      const reason = `record is ${formatBytes(recordBytes)}, over the limit of ${formatBytes(LIMITS.recordBytes)}`;
      ready.push({ ok: false, where: where(), reason });
    } else if (recordHasInvalidBytes) {
      ready.push({ ok: false, where: where(), reason: 'invalid UTF-8' });
    } else ready.push({ ok: true, element, where: where() });
  });
  parser.on('error', (error: Error) => {
    // Entities are never expanded (no DTD is read): an entity reference is an error of its record alone.
    const at = /^(?:.*?:)?(\d+):(\d+): (.*?)\.?$/.exec(error.message);
    if (stack.length > 0 && at && /entity/i.test(at[3] as string)) {
      recordError ??= `${at[3]} at line ${at[1]}, column ${at[2]} (entities are not read)`;
    } else failure ??= `malformed XML: ${error.message}`;
  });

  for await (const chunk of stream as AsyncIterable<Buffer>) {
    parser.write(decoder.decode(chunk));
    yield* ready.splice(0);
    if (failure) break;
  }
  if (!failure) {
    parser.write(decoder.decode());
    parser.close();
  }
  yield* ready.splice(0);
  if (failure) {
    const partial = stack.length > 0 ? `; ${where()} is incomplete` : '';
    stack = [];
    yield { ok: false, where: `line ${parser.line}`, reason: `${failure}${partial}` };
  }
}

/** The first child with this local name, if any. */
export function child(element: XmlElement, name: string): XmlElement | undefined {
  return element.children.find((c) => c.name === name);
}

export function children(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((c) => c.name === name);
}

/** The text of the first child with this name, or null. */
export function childText(element: XmlElement, name: string): string | null {
  return child(element, name)?.text ?? null;
}

/** Depth-first search for the first descendant with this name. */
export function descendant(element: XmlElement, name: string): XmlElement | undefined {
  for (const c of element.children) {
    if (c.name === name) return c;
    const found = descendant(c, name);
    if (found) return found;
  }
  return undefined;
}
