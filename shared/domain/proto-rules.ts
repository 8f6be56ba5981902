/**
 * The conversion rules a protobuf record's fields obey on their way into the
 * domain, shared by both decoders of `Record` bytes — proto-convert.ts (from
 * ts-proto messages) and record-decoder.ts (straight from the wire) — so both
 * refuse the same values with the same words.
 */
import { ValidationError } from './errors';
import { RECORD_TIMESTAMP_MS_MAX, RECORD_TIMESTAMP_MS_MIN } from './limits';
import { checkRecordTimestamp } from './validate';

/** `SignatureAlgorithm`: UNSPECIFIED is read as Ed25519, so a client may leave the field unset. */
export const SIGNATURE_ALGORITHM_UNSPECIFIED = 0;
export const SIGNATURE_ALGORITHM_ED25519 = 1;

/** An int64 record timestamp as a number, range-checked first (so never rounded). */
export function recordTimestampFrom(value: bigint | number, field: string): number {
  if (typeof value !== 'bigint' && typeof value !== 'number') throw new ValidationError(field, 'must be an integer');
  if (value < RECORD_TIMESTAMP_MS_MIN || value > RECORD_TIMESTAMP_MS_MAX) {
    throw new ValidationError(field, `must be in [${RECORD_TIMESTAMP_MS_MIN}, ${RECORD_TIMESTAMP_MS_MAX}] (2000-01-01 .. 2100-01-01 UTC; got ${value})`);
  }
  const ms = Number(value);
  checkRecordTimestamp(ms, field);
  return ms;
}

/** Whether a signature's algorithm number is one the domain reads (Ed25519, or unset). */
export function signatureAlgorithmOk(algorithm: number): boolean {
  return algorithm === SIGNATURE_ALGORITHM_ED25519 || algorithm === SIGNATURE_ALGORITHM_UNSPECIFIED;
}

/** The error for a signature whose algorithm is not Ed25519; `field` names the signature. */
export function unknownAlgorithm(field: string, algorithm: number): ValidationError {
  return new ValidationError(`${field}.algorithm`, `unknown signature algorithm ${String(algorithm)} (only Ed25519 = 1)`);
}

/** An object value of no kind. */
export function objectKindMissing(field: string): ValidationError {
  return new ValidationError(field, 'required: exactly one object kind must be set');
}
