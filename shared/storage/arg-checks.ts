/**
 * Argument checks every backend runs before touching its database, so a bad
 * call fails the same way everywhere and a batch is refused whole (never half
 * written because its 500th key was too long).
 */
import { StoreError, type BackendName } from './errors';
import type { BatchOp } from './kv-store';
import { KEY_BYTES_MAX } from './limits';

export function checkKey(backend: BackendName, op: string, key: unknown): void {
  if (!Buffer.isBuffer(key)) throw new StoreError(backend, op, 'key must be a Buffer');
  if (key.length === 0) throw new StoreError(backend, op, 'key must not be empty');
  if (key.length > KEY_BYTES_MAX) throw new StoreError(backend, op, `key is ${key.length} bytes, over the ${KEY_BYTES_MAX}-byte maximum`, key);
}

export function checkValue(backend: BackendName, op: string, key: Buffer, value: unknown): void {
  if (!Buffer.isBuffer(value)) throw new StoreError(backend, op, 'value must be a Buffer', key);
}

export function checkBatch(backend: BackendName, ops: readonly BatchOp[]): void {
  for (const op of ops) checkBatchOp(backend, op);
}

/** One op of a batch, as `checkBatch` checks each. */
export function checkBatchOp(backend: BackendName, op: BatchOp): void {
  checkKey(backend, 'batch', op.key);
  if (op.type === 'put') checkValue(backend, 'batch', op.key, op.value);
  else if (op.type !== 'delete') throw new StoreError(backend, 'batch', `unknown op type '${String((op as { type: unknown }).type)}'`);
}

export function checkAddArgs(backend: BackendName, key: Buffer, delta: unknown): void {
  checkKey(backend, 'fetchAndAddU64', key);
  if (typeof delta !== 'bigint') throw new StoreError(backend, 'fetchAndAddU64', `delta must be a bigint, got ${typeof delta}`, key);
}

export function checkCasArgs(backend: BackendName, key: Buffer, expected: number | undefined, next: number): void {
  checkKey(backend, 'compareAndSwapF32', key);
  if (expected !== undefined && !Number.isFinite(expected)) throw new StoreError(backend, 'compareAndSwapF32', `expected must be finite, got ${expected}`, key);
  if (!Number.isFinite(next)) throw new StoreError(backend, 'compareAndSwapF32', `next must be finite, got ${next}`, key);
  if (!Number.isFinite(Math.fround(next))) throw new StoreError(backend, 'compareAndSwapF32', `next ${next} overflows f32`, key);
}
