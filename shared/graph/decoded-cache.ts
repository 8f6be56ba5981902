/**
 * Decoded stored records (H values) kept by the reader, least recently used
 * dropped first. Decoding a stored assertion (protobuf, then the domain
 * checks) is the largest CPU cost of a full resolution; a hot pair is
 * resolved again and again from the same bytes. An entry is reused only when
 * the bytes just read equal the bytes it was decoded from, so a record that
 * gained a co-signer or became superseded is decoded afresh: the cache can
 * never answer with a stale value, and every value is still checked once.
 */
import type { StemeRecord } from '../domain/types';
import { DECODED_RECORDS_CACHED_MAX } from './limits';
import { decodeStoredRecord, type StoredRecord } from './stored-record';

export class DecodedRecordCache {
  /** Map order is recency order. Key: latin1 of the stored key. */
  private readonly entries = new Map<string, { readonly raw: Buffer; readonly stored: StoredRecord }>();

  constructor(private readonly entriesMax = DECODED_RECORDS_CACHED_MAX) {
    if (!Number.isInteger(entriesMax) || entriesMax < 0) throw new RangeError(`entriesMax must be an integer >= 0, got ${entriesMax}`);
  }

  /** `decodeStoredRecord(raw, tag)`, reusing the decode of equal bytes stored under the same key. */
  decode<R extends StemeRecord>(key: Buffer, raw: Buffer, tag: string): StoredRecord<R> {
    const k = key.toString('latin1');
    const hit = this.entries.get(k);
    if (hit !== undefined && hit.raw.equals(raw)) {
      this.entries.delete(k);
      this.entries.set(k, hit);
      return hit.stored as StoredRecord<R>;
    }
    const stored = decodeStoredRecord<R>(raw, tag);
    if (this.entriesMax === 0) return stored;
    this.entries.delete(k);
    // A copy: the store may hand out views of a buffer it reuses.
    this.entries.set(k, { raw: Buffer.from(raw), stored });
    if (this.entries.size > this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
    return stored;
  }

  get size(): number {
    return this.entries.size;
  }
}
