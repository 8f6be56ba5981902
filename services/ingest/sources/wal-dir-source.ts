/**
 * WalSource over a WAL directory on this host (WalReader: no lock, follows
 * the files another process writes, verifies every record it admits).
 */
import { WalReader } from '../../../shared/wal';
import type { SourceRecord, WalSource } from '../wal-source';

export class WalDirSource implements WalSource {
  private constructor(private readonly reader: WalReader) {}

  /** Opens a reader over `dir` (which must exist). */
  static async open(dir: string): Promise<WalDirSource> {
    return new WalDirSource(await WalReader.open({ dir }));
  }

  records(fromOffset: number, signal: AbortSignal): AsyncIterable<SourceRecord> {
    return this.reader.tail(fromOffset, { signal });
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
