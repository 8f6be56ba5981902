/**
 * WalSource over a WAL directory on this host (WalReader: no lock, follows
 * the files another process writes, verifies every record it admits), read a
 * log read (up to TAIL_READ_BYTES_MAX) at a time and handed over as chunks.
 */
import { WalReader } from '../../../shared/wal';
import { chunkedRecords, type ChunkedRecordStream, type WalSource } from '../wal-source';

export class WalDirSource implements WalSource {
  private constructor(private readonly reader: WalReader) {}

  /** Opens a reader over `dir` (which must exist). */
  static async open(dir: string): Promise<WalDirSource> {
    return new WalDirSource(await WalReader.open({ dir }));
  }

  records(fromOffset: number, signal: AbortSignal): ChunkedRecordStream {
    return chunkedRecords(() => this.reader.tailChunks(fromOffset, { signal }));
  }

  async head(): Promise<number> {
    return this.reader.refresh();
  }

  describe(): string {
    return `wal ${this.reader.dir}`;
  }

  async close(): Promise<void> {
    await this.reader.close();
  }
}
