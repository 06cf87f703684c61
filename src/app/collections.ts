/**
 * Collections: named lists of papers with a note per paper, private to their owner unless made public.
 * Reference libraries (BibTeX, CSL-JSON) are imported into them, each entry matched to a paper by its arXiv
 * id, then its DOI, then its title; collections are exported in the same formats.
 */
import { randomUUID } from 'node:crypto';
import { OpenPapersError } from '../core/errors.js';
import { sameTitle, type LibraryEntry } from '../core/library/entries.js';
import type { ExportEntry } from '../core/library/export.js';
import type { Paper } from '../core/paper.js';
import type { PaperStore, StoredCollection, User } from './ports.js';
import { accountKey, rateLimit } from './rate-limit.js';

export const COLLECTION_LIMITS = {
  nameChars: 100,
  descriptionChars: 2_000,
  noteChars: 5_000,
  perUser: 100,
  papers: 10_000,
  importsPerHour: 20,
} as const;

export interface CollectionFields {
  name: string;
  description: string;
  public: boolean;
}

export type MatchedBy = 'arXiv id' | 'DOI' | 'title';

export interface ImportReport {
  matched: { where: string; title: string; paperId: string; by: MatchedBy }[];
  unmatched: { where: string; title: string }[];
}

export interface CollectionDependencies {
  store: PaperStore;
  /** Reads a library file's entries (BibTeX or CSL-JSON); throws OP_ERR_INPUT naming what is wrong. */
  parseLibrary: (text: string) => LibraryEntry[];
  /** Papers whose titles are most like this one (a keyword search), best first. */
  papersWithTitleLike: (title: string) => Promise<Paper[]>;
  now: () => string;
}

function checkedFields(fields: CollectionFields): CollectionFields {
  const name = fields.name.replace(/\s+/g, ' ').trim();
  if (!name) throw new OpenPapersError('OP_ERR_BAD_REQUEST', 'name: give the collection a name');
  if (name.length > COLLECTION_LIMITS.nameChars) {
    throw new OpenPapersError(
      'OP_ERR_BAD_REQUEST',
      `name: at most ${COLLECTION_LIMITS.nameChars} characters`,
    );
  }
  const description = fields.description.replace(/\r\n?/g, '\n').trim();
  if (description.length > COLLECTION_LIMITS.descriptionChars) {
    throw new OpenPapersError(
      'OP_ERR_BAD_REQUEST',
      `description: at most ${COLLECTION_LIMITS.descriptionChars.toLocaleString('en-US')} characters`,
    );
  }
  return { name, description, public: fields.public };
}

function checkedNote(note: string): string {
  const text = note.replace(/\r\n?/g, '\n').trim();
  if (text.length > COLLECTION_LIMITS.noteChars) {
    throw new OpenPapersError(
      'OP_ERR_BAD_REQUEST',
      `note: at most ${COLLECTION_LIMITS.noteChars.toLocaleString('en-US')} characters`,
    );
  }
  return text;
}

/** The same answer for a collection that does not exist and one that is someone else's and private. */
function notFound(id: string): OpenPapersError {
  return new OpenPapersError('OP_ERR_NOT_FOUND', `no collection with id "${id.slice(0, 100)}"`);
}

export class CollectionService {
  constructor(private readonly deps: CollectionDependencies) {}

  mine(user: User) {
    return this.deps.store.listCollections(user.id);
  }

  async create(user: User, fields: CollectionFields): Promise<StoredCollection> {
    const checked = checkedFields(fields);
    if ((await this.deps.store.listCollections(user.id)).length >= COLLECTION_LIMITS.perUser) {
      throw new OpenPapersError(
        'OP_ERR_BAD_REQUEST',
        `collections: at most ${COLLECTION_LIMITS.perUser} per account; delete one first`,
      );
    }
    const now = this.deps.now();
    const collection: StoredCollection = {
      id: randomUUID(),
      userId: user.id,
      ...checked,
      createdAt: now,
      updatedAt: now,
    };
    await this.deps.store.createCollection(collection);
    return collection;
  }

  /** A collection this viewer may see: public, or their own. */
  async visible(viewer: User | null, id: string): Promise<StoredCollection> {
    const collection = await this.deps.store.getCollection(id);
    if (!collection || (!collection.public && collection.userId !== viewer?.id)) throw notFound(id);
    return collection;
  }

  /** A collection this user may change: their own. */
  async owned(user: User, id: string): Promise<StoredCollection> {
    const collection = await this.deps.store.getCollection(id);
    if (!collection || collection.userId !== user.id) throw notFound(id);
    return collection;
  }

  async update(user: User, id: string, fields: CollectionFields): Promise<void> {
    await this.owned(user, id);
    await this.deps.store.updateCollection(id, checkedFields(fields), this.deps.now());
  }

  async delete(user: User, id: string): Promise<void> {
    await this.owned(user, id);
    await this.deps.store.deleteCollection(id);
  }

  private async checkRoom(user: User, collectionId: string, adding: number): Promise<void> {
    // The owner's list carries each collection's count: no need to read up to the limit's rows to count them.
    const collections = await this.deps.store.listCollections(user.id);
    const size = collections.find((collection) => collection.id === collectionId)?.papers ?? 0;
    if (size + adding > COLLECTION_LIMITS.papers) {
      throw new OpenPapersError(
        'OP_ERR_BAD_REQUEST',
        `a collection holds at most ${COLLECTION_LIMITS.papers.toLocaleString('en-US')} papers`,
      );
    }
  }

  /** Saves a paper (kept where it is if it is there already; its note replaced when one is given). */
  async save(user: User, id: string, paperId: string, note?: string): Promise<void> {
    await this.owned(user, id);
    if (!(await this.deps.store.getPaper(paperId))) {
      throw new OpenPapersError('OP_ERR_NOT_FOUND', `no paper with id "${paperId.slice(0, 200)}"`);
    }
    await this.checkRoom(user, id, 1);
    const entry = note === undefined ? { paperId } : { paperId, note: checkedNote(note) };
    await this.deps.store.addToCollection(id, [entry], this.deps.now());
  }

  async remove(user: User, id: string, paperId: string): Promise<void> {
    await this.owned(user, id);
    await this.deps.store.removeFromCollection(id, paperId);
  }

  /** The papers of a collection the caller may see, latest added first. */
  async entries(collection: StoredCollection): Promise<(ExportEntry & { addedAt: string })[]> {
    const rows = await this.deps.store.collectionPapers(collection.id);
    const papers = await this.deps.store.getPapers(rows.map((row) => row.paperId));
    return rows.flatMap((row) => {
      const paper = papers.get(row.paperId);
      return paper ? [{ paper, note: row.note, addedAt: row.addedAt }] : [];
    });
  }

  /** Which of the user's collections hold this paper. */
  holding(user: User, paperId: string): Promise<Set<string>> {
    return this.deps.store.collectionsWithPaper(user.id, paperId);
  }

  /** Imports a library file into a collection: every entry that matches a paper is saved, the rest reported. */
  async import(user: User, id: string, text: string): Promise<ImportReport> {
    await this.owned(user, id);
    await rateLimit(
      this.deps.store,
      accountKey('import', user.id),
      { count: COLLECTION_LIMITS.importsPerHour, minutes: 60 },
      'imports',
      this.deps.now(),
    );
    const report = await this.match(this.deps.parseLibrary(text));
    const ids = [...new Set(report.matched.map((entry) => entry.paperId))];
    await this.checkRoom(user, id, ids.length);
    await this.deps.store.addToCollection(
      id,
      ids.map((paperId) => ({ paperId })),
      this.deps.now(),
    );
    return report;
  }

  /** Each entry's paper: by arXiv id, then DOI (arXiv's own DOIs included), then title. */
  async match(entries: readonly LibraryEntry[]): Promise<ImportReport> {
    const report: ImportReport = { matched: [], unmatched: [] };
    for (const entry of entries) {
      const found = await this.find(entry);
      if (found) report.matched.push({ where: entry.where, title: entry.title, ...found });
      else report.unmatched.push({ where: entry.where, title: entry.title });
    }
    return report;
  }

  private async find(entry: LibraryEntry): Promise<{ paperId: string; by: MatchedBy } | null> {
    if (entry.arxivId && (await this.deps.store.getPaper(entry.arxivId))) {
      return { paperId: entry.arxivId, by: 'arXiv id' };
    }
    if (entry.doi) {
      const paperId = await this.deps.store.paperIdByDoi(entry.doi);
      if (paperId) return { paperId, by: 'DOI' };
    }
    if (entry.title.trim()) {
      const candidates = await this.deps.papersWithTitleLike(entry.title);
      const paper = candidates.find((candidate) => sameTitle(candidate.title, entry.title));
      if (paper) return { paperId: paper.id, by: 'title' };
    }
    return null;
  }
}
