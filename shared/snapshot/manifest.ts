/**
 * MANIFEST.json: what a snapshot holds and how to check it (docs/SNAPSHOTS.md,
 * "Manifest"). Its bytes are canonical — exactly `canonicalManifestText` of
 * its fields (two-space JSON, fields in the order below, a final newline) —
 * and carry their own BLAKE3 (`blake3`, over the same text with that field
 * empty), so a flipped byte anywhere in it is refused, not misread.
 */
import { blake3 } from '../domain/hash';
import { STORE_FORMAT_VERSION } from '../storage/store-format';
import { SnapshotIntegrityError, SnapshotLimitError, SnapshotStoreFormatError, SnapshotVersionError } from './errors';
import { DATA_FILE_PATTERN, MANIFEST_FILE, type SnapshotBackend } from './format';
import { SNAPSHOT_BYTES_MAX, SNAPSHOT_FILES_MAX, SNAPSHOT_FORMAT_VERSION } from './limits';

export const SNAPSHOT_FORMAT_NAME = 'stemedb-snapshot';

export interface SnapshotFile {
  readonly name: string;
  readonly backend: SnapshotBackend;
  /** Entries (keys) in the file. */
  readonly keys: number;
  /** The file's size, header included. */
  readonly bytes: number;
  /** BLAKE3-256 of the whole file, lowercase hex. */
  readonly blake3: string;
}

export interface SnapshotManifest {
  readonly format: typeof SNAPSHOT_FORMAT_NAME;
  readonly version: number;
  /** The store format of the snapshotted store (shared/storage/store-format.ts): restored only by a build of that format. */
  readonly storeFormat: number;
  /** The store's applied offset O: every record below O is in it, none at or past it. */
  readonly offset: number;
  /** The writer's log id (32 hex digits), or '' when the snapshotting reader did not know it. */
  readonly logId: string;
  /** When the view was pinned (ISO 8601, UTC). */
  readonly createdAt: string;
  readonly keys: number;
  /** Data files' bytes together. */
  readonly bytes: number;
  readonly files: readonly SnapshotFile[];
  /** BLAKE3-256 of the canonical text with this field '' (lowercase hex). */
  readonly blake3: string;
}

/** The manifest's canonical bytes (with `blake3` as given). */
export function canonicalManifestText(m: SnapshotManifest): string {
  const ordered = {
    format: m.format,
    version: m.version,
    storeFormat: m.storeFormat,
    offset: m.offset,
    logId: m.logId,
    createdAt: m.createdAt,
    keys: m.keys,
    bytes: m.bytes,
    files: m.files.map((f) => ({ name: f.name, backend: f.backend, keys: f.keys, bytes: f.bytes, blake3: f.blake3 })),
    blake3: m.blake3,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/** Fills in the self-hash and returns the manifest and its bytes. */
export function sealManifest(m: Omit<SnapshotManifest, 'blake3'>): { manifest: SnapshotManifest; bytes: Buffer } {
  const unsealed = { ...m, blake3: '' };
  const hash = blake3(Buffer.from(canonicalManifestText(unsealed), 'utf8')).toString('hex');
  const manifest = { ...m, blake3: hash };
  return { manifest, bytes: Buffer.from(canonicalManifestText(manifest), 'utf8') };
}

const HEX32 = /^[0-9a-f]{64}$/;
const LOG_ID = /^([0-9a-f]{32})?$/;

/**
 * Parses and checks a manifest's bytes: the version first (a newer one is
 * refused before anything else is read), then every field, the canonical
 * form and the self-hash. Throws SnapshotVersionError, SnapshotIntegrityError
 * or SnapshotLimitError naming `dir`.
 */
export function parseManifest(dir: string, bytes: Buffer): SnapshotManifest {
  const bad = (reason: string, expected?: string, found?: string): SnapshotIntegrityError => new SnapshotIntegrityError(dir, MANIFEST_FILE, reason, expected, found);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw bad(`not JSON: ${(err as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  if (o.format !== SNAPSHOT_FORMAT_NAME) throw bad('not a StemeDB snapshot manifest', `format "${SNAPSHOT_FORMAT_NAME}"`, JSON.stringify(o.format));
  const version = count(o.version, 'version', bad);
  if (version > SNAPSHOT_FORMAT_VERSION) throw new SnapshotVersionError(dir, MANIFEST_FILE, version, SNAPSHOT_FORMAT_VERSION);
  if (version < 1) throw bad('version must be at least 1', '>= 1', String(version));
  const storeFormat = count(o.storeFormat, 'storeFormat', bad);
  if (storeFormat !== STORE_FORMAT_VERSION) throw new SnapshotStoreFormatError(dir, storeFormat, STORE_FORMAT_VERSION);
  if (!Array.isArray(o.files)) throw bad('files must be an array');
  if (o.files.length > SNAPSHOT_FILES_MAX) throw new SnapshotLimitError('SNAPSHOT_FILES_MAX', SNAPSHOT_FILES_MAX, o.files.length, `snapshot ${dir}: data files`);
  const files = o.files.map((f, i) => fileOf(f, `files[${i}]`, bad));
  const m: SnapshotManifest = {
    format: SNAPSHOT_FORMAT_NAME,
    version,
    storeFormat,
    offset: count(o.offset, 'offset', bad),
    logId: text(o.logId, 'logId', LOG_ID, bad),
    createdAt: text(o.createdAt, 'createdAt', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, bad),
    keys: count(o.keys, 'keys', bad),
    bytes: count(o.bytes, 'bytes', bad),
    files,
    blake3: text(o.blake3, 'blake3', HEX32, bad),
  };
  if (m.bytes > SNAPSHOT_BYTES_MAX) throw new SnapshotLimitError('SNAPSHOT_BYTES_MAX', SNAPSHOT_BYTES_MAX, m.bytes, `snapshot ${dir}: total bytes`);
  const canonical = Buffer.from(canonicalManifestText(m), 'utf8');
  if (!canonical.equals(bytes)) throw bad('not in canonical form (edited or damaged)');
  const { manifest } = sealManifest(m);
  if (manifest.blake3 !== m.blake3) throw bad('BLAKE3 of the manifest does not match', manifest.blake3, m.blake3);
  checkTotals(m, bad);
  return m;
}

type Bad = (reason: string, expected?: string, found?: string) => SnapshotIntegrityError;

function checkTotals(m: SnapshotManifest, bad: Bad): void {
  const keys = m.files.reduce((n, f) => n + f.keys, 0);
  const bytes = m.files.reduce((n, f) => n + f.bytes, 0);
  if (keys !== m.keys) throw bad('keys is not the sum of the files\' keys', String(keys), String(m.keys));
  if (bytes !== m.bytes) throw bad('bytes is not the sum of the files\' bytes', String(bytes), String(m.bytes));
  const names = new Set(m.files.map((f) => f.name));
  if (names.size !== m.files.length) throw bad('a file is listed twice');
}

function count(v: unknown, field: string, bad: Bad): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw bad(`${field} must be a non-negative integer`, 'an integer', JSON.stringify(v));
  return v;
}

function text(v: unknown, field: string, pattern: RegExp, bad: Bad): string {
  if (typeof v !== 'string' || !pattern.test(v)) throw bad(`${field} is malformed`, String(pattern), JSON.stringify(v));
  return v;
}

function fileOf(v: unknown, field: string, bad: Bad): SnapshotFile {
  if (typeof v !== 'object' || v === null) throw bad(`${field} must be an object`);
  const f = v as Record<string, unknown>;
  const name = text(f.name, `${field}.name`, DATA_FILE_PATTERN, bad);
  const backend = text(f.backend, `${field}.backend`, /^(rocksdb|lmdb)$/, bad) as SnapshotBackend;
  if (!name.startsWith(`${backend}-`)) throw bad(`${field}: the name does not match the backend`, backend, name);
  return { name, backend, keys: count(f.keys, `${field}.keys`, bad), bytes: count(f.bytes, `${field}.bytes`, bad), blake3: text(f.blake3, `${field}.blake3`, HEX32, bad) };
}
