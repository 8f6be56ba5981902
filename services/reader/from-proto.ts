/**
 * Request converters: protobuf request fields → domain values, validated once
 * at the edge. Every failure is a ValidationError naming the field by its
 * dotted proto path (INVALID_ARGUMENT with the field in the status).
 */
import { ValidationError } from '../../shared/domain/errors';
import { HASH_BYTES, PREDICATE_BYTES_MAX, SUBJECT_BYTES_MAX } from '../../shared/domain/limits';
import { Lens, type QueryOptions } from '../../shared/gen/stemedb/v1/reader';
import type { LensName } from '../../shared/lens/types';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './limits';
import type { ReadQuery } from './query';

const LONE_SURROGATE = /\p{Cs}/u;
/** Unicode general category Cc (NUL included): never part of a stored subject or predicate. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const LENS_BY_ENUM: ReadonlyMap<number, LensName> = new Map([
  [Lens.LENS_UNSPECIFIED, 'consensus'],
  [Lens.LENS_CONSENSUS, 'consensus'],
  [Lens.LENS_RECENCY, 'recency'],
  [Lens.LENS_AUTHORITY, 'authority'],
  [Lens.LENS_THRESHOLD, 'threshold'],
]);

/** A subject, predicate or epoch name: non-empty, at most `bytesMax` bytes of UTF-8, no NUL or other control characters. */
export function nameFromWire(value: string, field: string, bytesMax: number): string {
  if (typeof value !== 'string' || value.length === 0) throw new ValidationError(field, 'must not be empty');
  if (value.includes('\u0000')) throw new ValidationError(field, 'must not contain NUL');
  if (CONTROL.test(value)) throw new ValidationError(field, 'must not contain control characters');
  if (LONE_SURROGATE.test(value)) throw new ValidationError(field, 'must be valid UTF-8 (lone surrogate)');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > bytesMax) throw new ValidationError(field, `at most ${bytesMax} bytes of UTF-8 (got ${bytes})`);
  return value;
}

export const subjectFromWire = (value: string, field = 'subject'): string => nameFromWire(value, field, SUBJECT_BYTES_MAX);
export const predicateFromWire = (value: string, field = 'predicate'): string => nameFromWire(value, field, PREDICATE_BYTES_MAX);

/** A log offset: 0..2^53-1. */
export function offsetFromWire(value: bigint, field: string): number {
  if (value < 0n) throw new ValidationError(field, `must not be negative (got ${value})`);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ValidationError(field, `is past the largest log offset (got ${value})`);
  return Number(value);
}

/** A 32-byte id or hash. */
export function idFromWire(value: Buffer, field: string): Buffer {
  if (value.length !== HASH_BYTES) throw new ValidationError(field, `must be exactly ${HASH_BYTES} bytes (got ${value.length})`);
  return value;
}

/** `page_size`: 0 = PAGE_SIZE_DEFAULT, else 1..PAGE_SIZE_MAX. */
export function pageSizeFromWire(value: number, field = 'page_size'): number {
  if (value === 0) return PAGE_SIZE_DEFAULT;
  if (!Number.isInteger(value) || value < 1 || value > PAGE_SIZE_MAX) throw new ValidationError(field, `must be 0 (default ${PAGE_SIZE_DEFAULT}) or 1..${PAGE_SIZE_MAX} (got ${value})`);
  return value;
}

export function lensFromWire(value: number, field: string): LensName {
  const lens = LENS_BY_ENUM.get(value);
  if (lens === undefined) throw new ValidationError(field, `unknown lens ${value} (expected 0..4: unspecified, consensus, recency, authority, threshold)`);
  return lens;
}

/** Threshold minimum share: (0, 1]. */
export function minShareFromWire(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (!(Number.isFinite(value) && value > 0 && value <= 1)) throw new ValidationError(field, `must be in (0, 1] (got ${value})`);
  return value;
}

/** QueryOptions (absent = every default) as a ReadQuery. */
export function queryFromWire(options: QueryOptions | undefined, field = 'options'): ReadQuery {
  const o = options;
  const trustPackId = o === undefined || o.trustPackId.length === 0 ? null : idFromWire(o.trustPackId, `${field}.trust_pack_id`);
  return {
    lens: o === undefined ? 'consensus' : lensFromWire(o.lens, `${field}.lens`),
    minOffset: o?.minOffset === undefined ? undefined : offsetFromWire(o.minOffset, `${field}.min_offset`),
    asOfOffset: o?.asOfOffset === undefined ? undefined : offsetFromWire(o.asOfOffset, `${field}.as_of_offset`),
    epoch: o === undefined || o.epoch === '' ? null : nameFromWire(o.epoch, `${field}.epoch`, PREDICATE_BYTES_MAX),
    trustPackId,
    includeSuperseded: o?.includeSuperseded ?? false,
    minShare: minShareFromWire(o?.minShare, `${field}.min_share`),
  };
}
