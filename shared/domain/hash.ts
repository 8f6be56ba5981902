/**
 * BLAKE3-256 (blake3-wasm) and record ids: `recordId(r) = BLAKE3(canonicalBytes(r))`.
 */
import { canonicalBytes } from './canonical';
import type { StemeRecord } from './types';

// blake3-wasm's Node entry loads its WebAssembly synchronously; it ships no types.
const blake3Wasm = require('blake3-wasm') as { hash(input: Uint8Array): Buffer };

/** The 32-byte BLAKE3 hash of `bytes`. */
export function blake3(bytes: Uint8Array): Buffer {
  return blake3Wasm.hash(bytes);
}

/** The 32-byte id of a (valid) record: BLAKE3 over its canonical bytes. */
export function recordId(record: StemeRecord): Buffer {
  return blake3(canonicalBytes(record));
}
