/**
 * Reads a snapshot directory's data files and checks every byte against the
 * manifest while it goes: header, size, BLAKE3, entry framing, key order,
 * that each key belongs to the file's backend, no redo intent, and that each
 * backend's cursor equals the manifest's offset. The one reading path of both
 * `verifySnapshot` and `restoreSnapshot`.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { blake3Hasher } from '../domain/hash';
import { backendOfKey } from '../storage/routing';
import { CURSOR_KEY, INTENT_KEY, LMDB_CURSOR_KEY } from '../storage/store-recovery';
import { SnapshotFilesError, SnapshotIntegrityError, SnapshotLimitError, SnapshotVersionError } from './errors';
import { decodeFileHeader, EntryParser, FILE_HEADER_BYTES, MANIFEST_FILE, type SnapshotBackend } from './format';
import { SNAPSHOT_CHUNK_BYTES, SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MANIFEST_BYTES_MAX } from './limits';
import { parseManifest, type SnapshotFile, type SnapshotManifest } from './manifest';

export type EntrySink = (backend: SnapshotBackend, key: Buffer, value: Buffer) => Promise<void> | void;

/** Reads MANIFEST.json (bounded) and checks that the directory holds exactly the files it lists. */
export async function readManifestOf(dir: string): Promise<SnapshotManifest> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new SnapshotIntegrityError(dir, '.', `cannot list the directory: ${(err as Error).message}`);
  }
  if (!names.includes(MANIFEST_FILE)) throw new SnapshotFilesError(dir, [MANIFEST_FILE], []);
  const size = (await stat(join(dir, MANIFEST_FILE))).size;
  if (size > SNAPSHOT_MANIFEST_BYTES_MAX) throw new SnapshotLimitError('SNAPSHOT_MANIFEST_BYTES_MAX', SNAPSHOT_MANIFEST_BYTES_MAX, size, `snapshot ${dir}: ${MANIFEST_FILE} bytes`);
  const manifest = parseManifest(dir, await readFile(join(dir, MANIFEST_FILE)));
  const listed = new Set(manifest.files.map((f) => f.name));
  const present = new Set(names.filter((n) => n !== MANIFEST_FILE));
  const missing = [...listed].filter((n) => !present.has(n));
  const extra = [...present].filter((n) => !listed.has(n)).sort();
  if (missing.length > 0 || extra.length > 0) throw new SnapshotFilesError(dir, missing, extra);
  return manifest;
}

/** Per backend: the last key seen (order across its files) and the cursor value found. */
interface BackendState {
  last: Buffer | undefined;
  cursor: number | undefined;
}

/** Streams every data file in manifest order through the checks, handing each entry to `onEntry`. */
export async function readEntries(dir: string, manifest: SnapshotManifest, onEntry: EntrySink): Promise<void> {
  const state: Record<SnapshotBackend, BackendState> = { rocksdb: { last: undefined, cursor: undefined }, lmdb: { last: undefined, cursor: undefined } };
  const sequences: Record<SnapshotBackend, number> = { rocksdb: 0, lmdb: 0 };
  for (const file of manifest.files) {
    await readFileEntries(dir, file, sequences[file.backend]++, state[file.backend], onEntry);
  }
  for (const backend of ['rocksdb', 'lmdb'] as const) {
    const found = state[backend].cursor ?? 0;
    if (found !== manifest.offset) {
      throw new SnapshotIntegrityError(dir, MANIFEST_FILE, `the ${backend} files' applied cursor disagrees with the manifest's offset`, String(manifest.offset), String(found));
    }
  }
}

async function readFileEntries(dir: string, file: SnapshotFile, sequence: number, state: BackendState, onEntry: EntrySink): Promise<void> {
  const bad = (reason: string, expected?: string, found?: string): SnapshotIntegrityError => new SnapshotIntegrityError(dir, file.name, reason, expected, found);
  const hasher = blake3Hasher();
  const parser = new EntryParser();
  let size = 0;
  let header: Buffer | undefined = Buffer.alloc(0);
  let keys = 0;
  /** The first content error; bytes after it are only hashed, so damage is reported as the BLAKE3 mismatch it is. */
  let failure: unknown;
  const stream = createReadStream(join(dir, file.name), { highWaterMark: SNAPSHOT_CHUNK_BYTES });
  try {
    for await (const piece of stream as AsyncIterable<Buffer>) {
      size += piece.length;
      if (size > file.bytes) throw bad('the file is longer than the manifest says', `${file.bytes} bytes`, `at least ${size}`);
      hasher.update(piece);
      if (failure !== undefined) continue;
      try {
        let body = piece;
        if (header !== undefined) {
          header = Buffer.concat([header, piece]);
          if (header.length < FILE_HEADER_BYTES) continue;
          checkHeader(header.subarray(0, FILE_HEADER_BYTES), file, sequence, dir, bad);
          body = header.subarray(FILE_HEADER_BYTES);
          header = undefined;
        }
        for (const [key, value] of parseSafely(parser, body, bad)) {
          keys++;
          await onEntry(file.backend, checkEntry(key, value, file.backend, state, bad), value);
        }
      } catch (err) {
        failure = err;
      }
    }
  } finally {
    stream.destroy();
  }
  if (size !== file.bytes) throw bad('size differs from the manifest', `${file.bytes} bytes`, `${size} bytes`);
  const digest = hasher.digest().toString('hex');
  if (digest !== file.blake3) throw bad('BLAKE3 differs from the manifest', file.blake3, digest);
  if (failure !== undefined) throw failure;
  if (header !== undefined) throw bad(`shorter than the ${FILE_HEADER_BYTES}-byte header`, `${file.bytes} bytes`, `${size}`);
  try {
    parser.finish();
  } catch (err) {
    throw bad((err as Error).message);
  }
  if (keys !== file.keys) throw bad('entry count differs from the manifest', String(file.keys), String(keys));
}

type Bad = (reason: string, expected?: string, found?: string) => SnapshotIntegrityError;

function* parseSafely(parser: EntryParser, body: Buffer, bad: Bad): Generator<[Buffer, Buffer]> {
  try {
    yield* parser.push(body);
  } catch (err) {
    if (err instanceof SnapshotIntegrityError) throw err;
    throw bad((err as Error).message);
  }
}

function checkHeader(b: Buffer, file: SnapshotFile, sequence: number, dir: string, bad: Bad): void {
  const h = decodeFileHeader(b);
  if (typeof h === 'string') throw bad(h);
  if (h.version > SNAPSHOT_FORMAT_VERSION) throw new SnapshotVersionError(dir, file.name, h.version, SNAPSHOT_FORMAT_VERSION);
  if (h.backend !== file.backend) throw bad('the header names another backend', file.backend, String(h.backend));
  if (h.sequence !== sequence) throw bad('the header has another sequence number', String(sequence), String(h.sequence));
}

function checkEntry(key: Buffer, value: Buffer, backend: SnapshotBackend, state: BackendState, bad: Bad): Buffer {
  if (state.last !== undefined && Buffer.compare(state.last, key) >= 0) throw bad('keys are not in strictly ascending order', `a key after ${state.last.toString('hex')}`, key.toString('hex'));
  state.last = key;
  let owner: string;
  try {
    owner = backendOfKey(key);
  } catch (err) {
    throw bad(`an entry's key is not a store key: ${(err as Error).message}`, 'a store key', key.toString('hex'));
  }
  if (owner !== backend) throw bad(`a key of ${owner} is in a ${backend} file`, backend, key.toString('hex'));
  if (key.equals(INTENT_KEY)) throw bad('holds a redo intent (a snapshot is taken between batches and never does)');
  if (key.equals(backend === 'rocksdb' ? CURSOR_KEY : LMDB_CURSOR_KEY)) {
    if (value.length !== 8) throw bad('the cursor value is not 8 bytes', '8', String(value.length));
    state.cursor = Number(value.readBigUInt64BE(0));
  }
  return key;
}
