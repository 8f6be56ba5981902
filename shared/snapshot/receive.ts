/**
 * Lands a peer's Snapshot stream (docs/SNAPSHOTS.md, "Transfer") in a local
 * directory, checking the transfer rules as the pieces arrive: data file
 * names of the snapshot pattern only (never a path), one file at a time,
 * contiguous pieces of at most SNAPSHOT_CHUNK_BYTES, bounded totals, the
 * manifest last. The directory is then verified like any snapshot.
 */
import { SnapshotTransferError } from './errors';
import { DATA_FILE_PATTERN } from './format';
import { SNAPSHOT_BYTES_MAX, SNAPSHOT_CHUNK_BYTES, SNAPSHOT_FILES_MAX, SNAPSHOT_MANIFEST_BYTES_MAX } from './limits';
import { DirSink } from './snapshot-dir';

/** One Snapshot message, as the proto has it (offsets as numbers). */
export interface SnapshotPiece {
  readonly fileName: string;
  readonly fileOffset: number;
  readonly data: Buffer;
  readonly fileEnd: boolean;
  readonly manifest: Buffer;
}

export interface ReceiveLimits {
  /** @default SNAPSHOT_BYTES_MAX */
  readonly bytesMax?: number;
}

export class SnapshotReceiver {
  private readonly done = new Set<string>();
  private open: string | undefined;
  private at = 0;
  private bytes = 0;
  private finished = false;

  private constructor(
    private readonly peer: string,
    private readonly sink: DirSink,
    private readonly bytesMax: number,
  ) {}

  /** A receiver writing into `dir` (new or empty). */
  static async into(dir: string, peer: string, limits: ReceiveLimits = {}): Promise<SnapshotReceiver> {
    return new SnapshotReceiver(peer, await DirSink.create(dir), limits.bytesMax ?? SNAPSHOT_BYTES_MAX);
  }

  private fail(reason: string): never {
    throw new SnapshotTransferError(this.peer, reason);
  }

  async accept(piece: SnapshotPiece): Promise<void> {
    if (this.finished) this.fail('a message after the manifest');
    if (piece.manifest.length > 0) return this.acceptManifest(piece);
    const name = piece.fileName;
    if (!DATA_FILE_PATTERN.test(name)) this.fail(`"${name.slice(0, 80)}" is not a snapshot data file name`);
    if (this.done.has(name)) this.fail(`${name} sent twice`);
    if (this.open !== name) {
      if (this.open !== undefined) this.fail(`${name} started before ${this.open} ended`);
      if (this.done.size + 1 > SNAPSHOT_FILES_MAX) this.fail(`more than SNAPSHOT_FILES_MAX (${SNAPSHOT_FILES_MAX}) files`);
      this.open = name;
      this.at = 0;
    }
    if (piece.data.length > SNAPSHOT_CHUNK_BYTES) this.fail(`${name}: a piece of ${piece.data.length} bytes, past SNAPSHOT_CHUNK_BYTES (${SNAPSHOT_CHUNK_BYTES})`);
    if (piece.fileOffset !== this.at) this.fail(`${name}: a piece at byte ${piece.fileOffset}, expected ${this.at}`);
    this.bytes += piece.data.length;
    if (this.bytes > this.bytesMax) this.fail(`more than ${this.bytesMax} bytes (SNAPSHOT_BYTES_MAX)`);
    if (piece.data.length > 0) await this.sink.write(name, this.at, piece.data);
    this.at += piece.data.length;
    if (piece.fileEnd) {
      await this.sink.endFile(name);
      this.done.add(name);
      this.open = undefined;
    }
  }

  private async acceptManifest(piece: SnapshotPiece): Promise<void> {
    if (this.open !== undefined) this.fail(`the manifest arrived while ${this.open} is open`);
    if (piece.manifest.length > SNAPSHOT_MANIFEST_BYTES_MAX) this.fail(`a manifest of ${piece.manifest.length} bytes, past SNAPSHOT_MANIFEST_BYTES_MAX (${SNAPSHOT_MANIFEST_BYTES_MAX})`);
    await this.sink.finish(piece.manifest);
    this.finished = true;
  }

  /** The stream ended: it must have ended with the manifest. */
  async end(): Promise<void> {
    if (!this.finished) {
      await this.sink.abort();
      this.fail(this.open === undefined ? 'the stream ended before the manifest' : `the stream ended inside ${this.open}`);
    }
  }

  /** Closes what a broken transfer left open. */
  async abort(): Promise<void> {
    await this.sink.abort();
  }
}
