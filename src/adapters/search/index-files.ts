/**
 * Search indexes on disk, in a folder beside the database: the lexical index and one vector matrix per
 * embedding model, each in a small binary container (a JSON header, then 8-byte-aligned typed arrays) that
 * loads without parsing. Each records the store revision it was built at; a stale one is rebuilt.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SearchIndexFiles, VectorIndex } from '../../app/ports.js';
import { textHash } from '../../core/ids.js';
import type { LexicalIndex, LexicalParams } from '../../core/search/lexical-index.js';
import { exactVectorSearch, type VectorMatrix } from '../../core/search/vectors.js';

const MAGIC = 'OPIDX001';

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

class MatrixIndex implements VectorIndex {
  constructor(private readonly matrix: VectorMatrix) {}

  get size(): number {
    return this.matrix.present.reduce((sum, p) => sum + p, 0);
  }

  search(query: Float32Array, k: number, accept: ((doc: number) => boolean) | null) {
    return exactVectorSearch(this.matrix, query, k, accept);
  }

  vector(doc: number): Float32Array | null {
    if (!this.matrix.present[doc]) return null;
    const { dims, data } = this.matrix;
    return data.slice(doc * dims, (doc + 1) * dims);
  }
}

export class SearchIndexFolder implements SearchIndexFiles {
  constructor(private readonly dir: string) {}

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
      { revision, params: index.params, docIds: index.docIds, terms: [...index.terms.keys()] },
      { days, offsets, docs, impacts, maxImpacts },
    );
  }

  private vectorFile(modelKey: string): string {
    return this.path(`vectors-${textHash(modelKey)}.bin`);
  }

  async loadVectors(modelKey: string, lexical: number, embeddings: number): Promise<VectorIndex | null> {
    const container = readContainer(this.vectorFile(modelKey));
    if (!container) return null;
    const { header, sections } = container;
    if (header.modelKey !== modelKey || header.lexical !== lexical || header.embeddings !== embeddings)
      return null;
    return new MatrixIndex({
      dims: header.dims as number,
      data: sections.data as Float32Array,
      present: sections.present as Uint8Array,
    });
  }

  async buildVectors(
    modelKey: string,
    index: LexicalIndex,
    embeddings: AsyncIterable<{ paperId: string; vector: Float32Array }>,
    revisions: { lexical: number; embeddings: number },
  ): Promise<VectorIndex> {
    const docOf = new Map(index.docIds.map((id, doc) => [id, doc]));
    const rows = index.docIds.length;
    let dims = 0;
    let data = new Float32Array(0);
    const present = new Uint8Array(rows);
    for await (const { paperId, vector } of embeddings) {
      const doc = docOf.get(paperId);
      if (doc === undefined) continue;
      if (dims === 0) {
        dims = vector.length;
        data = new Float32Array(rows * dims);
      }
      if (vector.length !== dims) continue;
      data.set(vector, doc * dims);
      present[doc] = 1;
    }
    writeContainer(
      this.vectorFile(modelKey),
      { modelKey, dims, lexical: revisions.lexical, embeddings: revisions.embeddings },
      { data, present },
    );
    return new MatrixIndex({ dims, data, present });
  }
}
