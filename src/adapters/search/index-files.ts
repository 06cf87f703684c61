/**
 * Search indexes on disk, in a folder beside the database: the lexical index in a small binary container (a
 * JSON header, then 8-byte-aligned typed arrays) that loads without parsing, recording the store revision
 * it was built at; and the vector indexes of each embedding model (vector-files.ts).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingSource, SearchIndexFiles, VectorIndex } from '../../app/ports.js';
import type { LexicalIndex, LexicalParams } from '../../core/search/lexical-index.js';
import { VectorFiles, type VectorFileOptions } from './vector-files.js';

const MAGIC = 'OPIDX002';

type Section = Uint32Array | Uint16Array | Int32Array | Float32Array | Uint8Array;
type SectionKind = 'u32' | 'u16' | 'i32' | 'f32' | 'u8';
const CONSTRUCTORS = {
  u32: Uint32Array,
  u16: Uint16Array,
  i32: Int32Array,
  f32: Float32Array,
  u8: Uint8Array,
};

function kindOf(array: Section): SectionKind {
  if (array instanceof Uint32Array) return 'u32';
  if (array instanceof Uint16Array) return 'u16';
  if (array instanceof Int32Array) return 'i32';
  if (array instanceof Float32Array) return 'f32';
  return 'u8';
}

const pad8 = (n: number) => (n + 7) & ~7;

function writeContainer(path: string, header: object, sections: Record<string, Section>): void {
  const layout: Record<string, { kind: SectionKind; offset: number; length: number }> = {};
  let offset = 0;
  for (const [name, array] of Object.entries(sections)) {
    layout[name] = { kind: kindOf(array), offset, length: array.length };
    offset = pad8(offset + array.byteLength);
  }
  const json = Buffer.from(JSON.stringify({ ...header, layout }));
  const start = pad8(8 + 4 + json.length);
  const file = Buffer.alloc(start + offset);
  file.write(MAGIC, 0, 'ascii');
  file.writeUInt32LE(json.length, 8);
  json.copy(file, 12);
  for (const [name, array] of Object.entries(sections)) {
    const place = layout[name] as { offset: number };
    Buffer.from(array.buffer, array.byteOffset, array.byteLength).copy(file, start + place.offset);
  }
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, file);
  renameSync(temporary, path);
}

function readContainer(
  path: string,
): { header: Record<string, unknown>; sections: Record<string, Section> } | null {
  if (!existsSync(path)) return null;
  let file = readFileSync(path);
  if (file.toString('ascii', 0, 8) !== MAGIC) return null;
  // Typed arrays need aligned memory; a pooled Buffer may not start on an 8-byte boundary.
  if (file.byteOffset % 8 !== 0) file = Buffer.from(new Uint8Array(file));
  const jsonLength = file.readUInt32LE(8);
  const header = JSON.parse(file.toString('utf8', 12, 12 + jsonLength)) as Record<string, unknown>;
  const start = pad8(12 + jsonLength);
  const sections: Record<string, Section> = {};
  const layout = header.layout as Record<string, { kind: SectionKind; offset: number; length: number }>;
  for (const [name, { kind, offset, length }] of Object.entries(layout)) {
    sections[name] = new CONSTRUCTORS[kind](file.buffer, file.byteOffset + start + offset, length);
  }
  return { header, sections };
}

export class SearchIndexFolder implements SearchIndexFiles {
  private readonly vectors: VectorFiles;

  constructor(
    private readonly dir: string,
    options: VectorFileOptions = {},
  ) {
    this.vectors = new VectorFiles(dir, options);
  }

  private path(name: string): string {
    mkdirSync(this.dir, { recursive: true });
    return join(this.dir, name);
  }

  async loadLexical(): Promise<{ index: LexicalIndex; revision: number } | null> {
    const container = readContainer(this.path('lexical.idx'));
    if (!container) return null;
    const { header, sections } = container;
    const index: LexicalIndex = {
      params: header.params as LexicalParams,
      numbering: header.numbering as string,
      docIds: header.docIds as string[],
      terms: new Map((header.terms as string[]).map((term, id) => [term, id])),
      days: sections.days as Int32Array,
      offsets: sections.offsets as Uint32Array,
      docs: sections.docs as Uint32Array,
      impacts: sections.impacts as Uint16Array,
      maxImpacts: sections.maxImpacts as Float32Array,
    };
    return { index, revision: header.revision as number };
  }

  async saveLexical(index: LexicalIndex, revision: number): Promise<void> {
    const { days, offsets, docs, impacts, maxImpacts } = index;
    writeContainer(
      this.path('lexical.idx'),
      {
        revision,
        params: index.params,
        numbering: index.numbering,
        docIds: index.docIds,
        terms: [...index.terms.keys()],
      },
      { days, offsets, docs, impacts, maxImpacts },
    );
  }

  openVectors(
    modelKey: string,
    lexical: LexicalIndex,
    embeddings: EmbeddingSource,
    current: VectorIndex | null,
  ): Promise<VectorIndex> {
    return this.vectors.open(modelKey, lexical, embeddings, current);
  }
}
