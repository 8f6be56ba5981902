/**
 * BLAKE3-256 (blake3-wasm) and record ids: `recordId(r) = BLAKE3(canonicalBytes(r))`.
 */
import { withCanonicalBytes } from './canonical';
import { HASH_BYTES } from './limits';
import type { StemeRecord } from './types';

// blake3-wasm's Node entry loads its WebAssembly synchronously; it ships no types.
const blake3Wasm = require('blake3-wasm') as { createHash(): Blake3Hasher };

/** An incremental BLAKE3-256: feed `update` any number of times, then `digest()` once. */
export interface Blake3Hasher {
  update(input: Uint8Array): Blake3Hasher;
  digest(): Buffer;
}

/** A new incremental BLAKE3-256 hasher (same digest as `blake3` over the concatenated input). */
export function blake3Hasher(): Blake3Hasher {
  return blake3Wasm.createHash();
}

/**
 * BLAKE3-256 of `data` written into `out` (32 bytes): the wasm binding that
 * blake3-wasm's `hash` wraps, without the wrapper's options object, input
 * normalization and new Buffer, so a check can hash into a reused scratch (the
 * WAL's frame check) and an id per record costs one allocation. The one place
 * this repository reaches BLAKE3.
 */
export const blake3Into = (require('blake3-wasm/dist/wasm/nodejs/blake3_js') as { hash(data: Uint8Array, out: Uint8Array): void }).hash;

/** The 32-byte BLAKE3 hash of `bytes`. */
export function blake3(bytes: Uint8Array): Buffer {
  // From Node's pool (every byte is written below): a Buffer of its own would
  // carry an ArrayBuffer and a backing store for each of 32 bytes, and record
  // ids live long in ingest's pair cache.
  const out = Buffer.allocUnsafe(HASH_BYTES);
  blake3Into(bytes, out);
  return out;
}

/** The 32-byte id of a (valid) record: BLAKE3 over its canonical bytes (written in a reused scratch buffer, hashed in place). */
export function recordId(record: StemeRecord): Buffer {
  return withCanonicalBytes(record, blake3);
}
