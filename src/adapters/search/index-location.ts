/** A search index in a folder of this machine (by default beside the SQLite database). */
import type {
  SearchIndexLocation,
  SearchIndexReader,
  SearchIndexWriter,
  WriterOpening,
} from '../../app/ports.js';
import { diskFull } from '../../core/errors.js';
import { WriterLock } from './index-folder.js';
import { SegmentedIndexReader, type ReaderOptions } from './index-reader.js';
import { SegmentedIndexWriter, type WriterOptions } from './index-writer.js';

export class IndexFolderLocation implements SearchIndexLocation {
  constructor(
    readonly dir: string,
    private readonly options: { writer?: WriterOptions; reader?: ReaderOptions } = {},
  ) {}

  get description(): string {
    return this.dir;
  }

  openReader(): SearchIndexReader {
    return new SegmentedIndexReader(this.dir, this.options.reader);
  }

  async tryOpenWriter(opening: WriterOpening = {}): Promise<SearchIndexWriter | null> {
    const lock = this.spaceChecked(() => WriterLock.tryAcquire(this.dir));
    return lock ? this.writerWith(lock, opening) : null;
  }

  async openWriter(
    opening: WriterOpening & { signal?: AbortSignal } = {},
  ): Promise<SearchIndexWriter | null> {
    const lock = await this.spaceChecked(() => WriterLock.acquire(this.dir, { signal: opening.signal }));
    return lock ? this.writerWith(lock, opening) : null;
  }

  private async writerWith(lock: WriterLock, opening: WriterOpening): Promise<SearchIndexWriter> {
    try {
      return await SegmentedIndexWriter.open(this.dir, lock, {
        ...this.options.writer,
        rebuild: opening.rebuild,
      });
    } catch (error) {
      lock.release();
      throw diskFull(error, `the search index in ${this.dir}`) ?? error;
    }
  }

  private spaceChecked<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      throw diskFull(error, `the search index in ${this.dir}`) ?? error;
    }
  }
}
