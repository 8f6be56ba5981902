/**
 * The id index: every record id in the log → the earliest record holding it
 * (offset, next offset) and the union of the keys that signed it there, on
 * disk in RocksDB at `<wal-dir>/ids/`, so deciding "is this a replay?" is correct
 * for the whole log in bounded memory (docs/WAL.md, "The id index").
 *
 * Why RocksDB: every append writes one entry under a random 32-byte key (a
 * BLAKE3 id). A B-tree (LMDB, as this index was kept before) copies whole
 * pages for each random insert; an LSM tree appends the entry to its log and
 * memtable. Measured for 200k entries, 100 lookups and 100 puts per commit
 * through the same store API: LMDB wrote ~17 KB per entry to the disk and cost
 * 27–30 µs of CPU per entry, RocksDB ~120 B and 13–14 µs.
 * An index left by an older writer (LMDB's `data.mdb` in `ids/`) is deleted and
 * rebuilt from the log on open, as a missing one is.
 *
 * The index follows the log in order: it records the offset it covers
 * (`covered_through`, in the same atomic write batch as the entries) and indexes the
 * records from there by reading them back from the log, so it never skips one
 * and a crash at any point is caught up on the next open. An index that claims
 * more than the log holds (the tail was truncated after a power loss or a
 * repair) is rebuilt from the log: an entry past the recovered head must never
 * answer. A missing index is built from the log on open.
 *
 * The writer hands the index what it has just appended (`indexAppended`: ids,
 * signers, positions), so the index need not read back and decode records the
 * writer already holds decoded. Those notes only stand in for the log's bytes
 * when they start exactly where the index covers through; anything else (a gap,
 * a note that did not fit under `ID_INDEX_NOTED_RECORDS_MAX`) is read from the
 * log as before, so the index still never skips a record.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { recordId } from '../../shared/domain/hash';
import { writeU64BE } from '../../shared/domain/u64';
import { RocksStore } from '../../shared/storage/rocks-store';
import type { BatchOp } from '../../shared/storage/kv-store';
import type { Logger } from '../../shared/telemetry/logger';
import { withSpan } from '../../shared/telemetry/tracing';
import type { WalRecord } from '../../shared/wal';
import { ID_INDEX_GET_MANY_CHUNK_KEYS, ID_INDEX_LEGACY_LMDB_FILE, ID_INDEX_NOTED_RECORDS_MAX, ID_INDEX_READ_BYTES_MAX } from './limits';
import type { WriterLog } from './writer-log';

/** Where an id was first seen and who has signed it in the log. */
export interface IdEntry {
  readonly offset: number;
  readonly nextOffset: number;
  /** Raw 32-byte public keys as latin1 strings. */
  readonly signers: ReadonlySet<string>;
}

/** A record just appended, as the writer hands it to the index: its id, its signers' raw keys, its place in the log. */
export interface AppendedRecord {
  readonly id: Buffer;
  readonly signers: readonly Buffer[];
  readonly offset: number;
  readonly nextOffset: number;
  /**
   * The id's entry as the writer's claim read it (null: none), when it holds
   * the id claimed from that read until this record is indexed — so nothing
   * else can have changed the entry, and the index need not read it again.
   * Undefined: unknown, read from the index.
   */
  readonly prior?: IdEntry | null;
}

export interface IdIndexOptions {
  /** Records of appends noted and not yet indexed, at most. @default ID_INDEX_NOTED_RECORDS_MAX */
  readonly notedRecordsMax?: number;
}

/** How the index learned of records (for tests and metrics). */
export interface IdIndexStats {
  /** Records indexed from the writer's notes. */
  noted: number;
  /** Records indexed by reading them back from the log. */
  readBack: number;
  /** Notes refused because ID_INDEX_NOTED_RECORDS_MAX were already waiting. */
  notesRefused: number;
}

export const ID_ENTRY_VERSION = 1;
const ENTRY_HEADER_BYTES = 1 + 8 + 8 + 2;
const ROCKS_OPTIONS = { getManyChunkKeys: ID_INDEX_GET_MANY_CHUNK_KEYS } as const;
const KEY_BYTES = 32;
/** The meta key: 15 ASCII bytes, so it can never collide with a 32-byte id key. */
const COVERED_KEY = Buffer.from('covered_through', 'ascii');

/** An id index entry or its meta value is not what this module writes. */
export class IdIndexError extends Error {
  override readonly name = 'IdIndexError';
  constructor(
    readonly dir: string,
    readonly reason: string,
  ) {
    super(`id index ${dir}: ${reason}`);
  }
}

/** `[version u8 = 1][offset u64][nextOffset u64][n u16][n × 32-byte public key]`, integers big-endian. */
export function encodeIdEntry(entry: IdEntry): Buffer {
  const signers = [...entry.signers].map((s) => Buffer.from(s, 'latin1'));
  const out = Buffer.alloc(idEntryBytes(signers.length));
  writeIdEntry(out, 0, entry.offset, entry.nextOffset, signers);
  return out;
}

/** The bytes of an entry with `signers` keys. */
function idEntryBytes(signers: number): number {
  return ENTRY_HEADER_BYTES + KEY_BYTES * signers;
}

/** Writes an entry (the encodeIdEntry layout) at `at` of `out`; returns where it ends. */
function writeIdEntry(out: Buffer, at: number, offset: number, nextOffset: number, signers: readonly Buffer[]): number {
  out[at] = ID_ENTRY_VERSION;
  writeU64BE(out, offset, at + 1);
  writeU64BE(out, nextOffset, at + 9);
  out.writeUInt16BE(signers.length, at + 17);
  let end = at + ENTRY_HEADER_BYTES;
  for (const s of signers) end += s.copy(out, end);
  return end;
}

export function decodeIdEntry(bytes: Buffer, dir = ''): IdEntry {
  if (bytes.length < ENTRY_HEADER_BYTES || bytes[0] !== ID_ENTRY_VERSION) throw new IdIndexError(dir, `entry of ${bytes.length} bytes with version ${bytes[0]} is not a version ${ID_ENTRY_VERSION} entry`);
  const n = bytes.readUInt16BE(17);
  if (bytes.length !== ENTRY_HEADER_BYTES + KEY_BYTES * n) throw new IdIndexError(dir, `entry claims ${n} signers but has ${bytes.length} bytes`);
  const signers = new Set<string>();
  for (let i = 0; i < n; i++) signers.add(bytes.toString('latin1', ENTRY_HEADER_BYTES + KEY_BYTES * i, ENTRY_HEADER_BYTES + KEY_BYTES * (i + 1)));
  return { offset: Number(bytes.readBigUInt64BE(1)), nextOffset: Number(bytes.readBigUInt64BE(9)), signers };
}

function u64(value: number): Buffer {
  const out = Buffer.alloc(8);
  writeU64BE(out, value, 0);
  return out;
}

/** The ids of one index step, merged: an id's first place in the step and its signers there (distinct, in order). */
interface Merged {
  readonly id: Buffer;
  readonly signers: Buffer[];
  readonly offset: number;
  readonly nextOffset: number;
  /** The claim's reading of the id when every record of it brought one, else undefined (read from the index). */
  prior: IdEntry | null | undefined;
}

/** Adds the keys of `keys` that `into` does not hold yet, in order (signers per id are few: a scan, no set). */
function addDistinct(into: Buffer[], keys: readonly Buffer[]): void {
  for (const k of keys) if (!into.some((s) => s.equals(k))) into.push(k);
}

/** The fields of a record the index keeps, however it learned of them. */
type Indexable = AppendedRecord;

export class IdIndex {
  readonly stats: IdIndexStats = { noted: 0, readBack: 0, notesRefused: 0 };
  private running: Promise<void> | undefined;
  /** Appends noted and not yet indexed, by their first offset. */
  private readonly notes = new Map<number, readonly AppendedRecord[]>();
  private notedRecords = 0;
  private readonly notedRecordsMax: number;

  private constructor(
    private store: RocksStore,
    private readonly log: WriterLog,
    private readonly logger: Logger,
    /** The log offset through which every record is indexed. */
    private coveredThrough: number,
    options: IdIndexOptions,
  ) {
    this.notedRecordsMax = options.notedRecordsMax ?? ID_INDEX_NOTED_RECORDS_MAX;
  }

  /** Opens (building or rebuilding as needed) the index in `dir` and catches it up with the log's head. */
  static async open(dir: string, log: WriterLog, logger: Logger, options: IdIndexOptions = {}): Promise<IdIndex> {
    if (existsSync(join(dir, ID_INDEX_LEGACY_LMDB_FILE))) {
      logger.warn('the id index is in the LMDB format of an older writer: rebuilding it from the log', { dir });
      await rm(dir, { recursive: true, force: true });
    }
    let store = await RocksStore.open(dir, ROCKS_OPTIONS);
    let covered = await readCovered(store, dir);
    if (covered > log.headOffset) {
      logger.warn('the id index covers past the log head (the log lost its tail): rebuilding it from the log', { dir, covered_through: covered, head_offset: log.headOffset });
      await store.close();
      await rm(dir, { recursive: true, force: true });
      store = await RocksStore.open(dir, ROCKS_OPTIONS);
      covered = 0;
    }
    // Records below the first segment are gone (retention): the index starts where the log does.
    const index = new IdIndex(store, log, logger, Math.max(covered, log.firstOffset), options);
    const startedAt = performance.now();
    const from = index.coveredThrough;
    await index.catchUp(log.headOffset);
    logger.info('id index ready', { dir, from_offset: from, covered_through: index.coveredThrough, duration_ms: Math.round(performance.now() - startedAt) });
    return index;
  }

  /** The log offset through which every record is indexed. */
  get covered(): number {
    return this.coveredThrough;
  }

  /** The id's entry, if some record in the indexed part of the log holds it. */
  async lookup(id: Buffer): Promise<IdEntry | undefined> {
    const value = await this.store.get(id);
    return value === undefined ? undefined : decodeIdEntry(value, this.store.dir);
  }

  /** `lookup` of every id, with one store read (not a promise per id). */
  async lookupMany(ids: readonly Buffer[]): Promise<(IdEntry | undefined)[]> {
    const values = await this.store.getMany(ids);
    return values.map((value) => (value === undefined ? undefined : decodeIdEntry(value, this.store.dir)));
  }

  /** Indexes the log up to `offset` (a record boundary at or below the head), one reader at a time. */
  async catchUp(offset: number): Promise<void> {
    while (this.coveredThrough < offset) {
      this.running ??= this.step().finally(() => (this.running = undefined));
      await this.running;
    }
  }

  /**
   * Indexes records this writer has just appended, contiguous and in log
   * order, without reading them back (unless the notes do not fit, or the
   * index has a gap before them to read first). Resolves once they are covered.
   */
  async indexAppended(records: readonly AppendedRecord[]): Promise<void> {
    if (records.length === 0) return;
    let through = 0;
    for (const run of contiguousRuns(records)) {
      this.note(run);
      through = Math.max(through, run[run.length - 1]!.nextOffset);
    }
    await this.catchUp(through);
  }

  /** Keeps a contiguous run of appended records until the index reaches it (unless the notes are full). */
  private note(run: readonly AppendedRecord[]): void {
    const first = run[0]!.offset;
    if (first < this.coveredThrough || this.notes.has(first)) return;
    if (this.notedRecords + run.length > this.notedRecordsMax) {
      this.stats.notesRefused += 1;
      return;
    }
    this.notes.set(first, run);
    this.notedRecords += run.length;
  }

  private async step(): Promise<void> {
    this.dropCoveredNotes();
    const noted = this.takeNotes();
    if (noted.length > 0) {
      this.stats.noted += noted.length;
      await withSpan('writer.id_index', { from_offset: this.coveredThrough, records: noted.length, noted: true }, () => this.apply(noted));
      return;
    }
    const read = await this.log.readFrom(this.coveredThrough, ID_INDEX_READ_BYTES_MAX);
    if (read.length === 0) throw new IdIndexError(this.store.dir, `the log returned nothing at ${this.coveredThrough} below its head ${this.log.headOffset}`);
    this.stats.readBack += read.length;
    await withSpan('writer.id_index', { from_offset: this.coveredThrough, records: read.length }, () => this.apply(this.decoded(read), read[read.length - 1]!.nextOffset));
  }

  /** The notes that continue the index from where it covers through, in order (removed from the notes). */
  private takeNotes(): AppendedRecord[] {
    const out: AppendedRecord[] = [];
    for (let at = this.coveredThrough, chunk = this.notes.get(at); chunk !== undefined; chunk = this.notes.get(at)) {
      this.notes.delete(at);
      this.notedRecords -= chunk.length;
      out.push(...chunk);
      at = chunk[chunk.length - 1]!.nextOffset;
    }
    return out;
  }

  /** Notes the log read-back has already covered are of no more use. */
  private dropCoveredNotes(): void {
    for (const [at, chunk] of this.notes) {
      if (at >= this.coveredThrough) continue;
      this.notes.delete(at);
      this.notedRecords -= chunk.length;
    }
  }

  /** The log's records as the index keeps them; an undecodable one is skipped (nothing to answer a replay with). */
  private decoded(read: readonly WalRecord[]): Indexable[] {
    const out: Indexable[] = [];
    for (const r of read) {
      try {
        const record = decodeLogPayload(r.payload).record;
        out.push({ id: recordId(record), signers: record.signatures.map((s) => s.publicKey), offset: r.offset, nextOffset: r.nextOffset });
      } catch (err) {
        this.logger.warn('the id index skipped an undecodable log record', { offset: r.offset, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return out;
  }

  /**
   * Merges the records' ids into their entries and moves `covered_through` (to
   * `through`), in one atomic write batch. The step's entries are written into
   * one buffer (the binding copies each put into its native batch).
   */
  private async apply(records: readonly Indexable[], through: number = records[records.length - 1]!.nextOffset): Promise<void> {
    const merged = new Map<string, Merged>();
    for (const r of records) {
      const key = r.id.toString('latin1');
      const m = merged.get(key);
      if (m === undefined) {
        merged.set(key, { id: r.id, signers: distinctOf(r.signers), offset: r.offset, nextOffset: r.nextOffset, prior: r.prior });
        continue;
      }
      if (r.prior === undefined) m.prior = undefined;
      addDistinct(m.signers, r.signers);
    }
    const all = [...merged.values()];
    const toRead = all.filter((m) => m.prior === undefined);
    if (toRead.length > 0) {
      const stored = await this.store.getMany(toRead.map((m) => m.id));
      toRead.forEach((m, i) => (m.prior = stored[i] === undefined ? null : decodeIdEntry(stored[i]!, this.store.dir)));
    }
    // An id already in the index keeps its first place; its signers are the stored ones, then the new.
    const signersOf = all.map((m) => (m.prior == null ? m.signers : withStored(m.prior, m.signers)));
    let bytes = 0;
    for (const signers of signersOf) bytes += idEntryBytes(signers.length);
    const values = Buffer.allocUnsafe(bytes);
    const ops: BatchOp[] = new Array<BatchOp>(all.length + 1);
    let at = 0;
    for (let i = 0; i < all.length; i++) {
      const m = all[i]!;
      const first = m.prior ?? m;
      const end = writeIdEntry(values, at, first.offset, first.nextOffset, signersOf[i]!);
      ops[i] = { type: 'put', key: m.id, value: values.subarray(at, end) };
      at = end;
    }
    ops[all.length] = { type: 'put', key: COVERED_KEY, value: u64(through) };
    await this.store.batch(ops);
    this.coveredThrough = through;
  }

  /** Waits for a running catch-up, flushes and closes the store. */
  async close(): Promise<void> {
    await this.running?.catch(() => undefined);
    try {
      await this.store.flush();
    } finally {
      await this.store.close();
    }
    this.logger.debug('id index closed', { covered_through: this.coveredThrough });
  }
}

/** `keys` without repeats, in order. */
function distinctOf(keys: readonly Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  addDistinct(out, keys);
  return out;
}

/** A stored entry's signers (raw keys as latin1), then those of `added` it does not hold. */
function withStored(stored: IdEntry, added: readonly Buffer[]): Buffer[] {
  const out = [...stored.signers].map((s) => Buffer.from(s, 'latin1'));
  for (const k of added) if (!stored.signers.has(k.toString('latin1'))) addDistinct(out, [k]);
  return out;
}

/** `records` cut where one does not start at the previous one's next offset. */
function contiguousRuns(records: readonly AppendedRecord[]): AppendedRecord[][] {
  const runs: AppendedRecord[][] = [];
  for (const r of records) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[last.length - 1]!.nextOffset === r.offset) last.push(r);
    else runs.push([r]);
  }
  return runs;
}

async function readCovered(store: RocksStore, dir: string): Promise<number> {
  const value = await store.get(COVERED_KEY);
  if (value === undefined) return 0;
  if (value.length !== 8) throw new IdIndexError(dir, `covered_through is ${value.length} bytes, not 8`);
  return Number(value.readBigUInt64BE(0));
}
