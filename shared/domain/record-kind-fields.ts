/**
 * What every record kind's reader (record-kinds.ts, record-admin-kinds.ts)
 * shares: the signatures it collects, and the conversions of an object value
 * and a timestamp, each failing the way proto-convert.ts fails.
 */
import { ValidationError } from './errors';
import { objectKindMissing, signatureAlgorithmOk, unknownAlgorithm } from './proto-rules';
import { messageEnd, type RecordReader, signature } from './record-parts';
import type { ObjectValue, Signature, StemeRecord } from './types';
import { validateObject } from './validate';

/** A kind's domain record, or the rule its fields break. */
export type KindResult = StemeRecord | ValidationError;

/** Signatures read so far and the first whose algorithm the domain refuses. */
export class Signatures {
  readonly list: Signature[] = [];
  bad = -1;
  badAlgorithm = 0;

  read(r: RecordReader): void {
    const s = signature(r, messageEnd(r));
    if (this.bad < 0 && !signatureAlgorithmOk(r.algorithm)) {
      this.bad = this.list.length;
      this.badAlgorithm = r.algorithm;
    }
    this.list.push(s);
  }

  /** The list, after the algorithm check (`field` names the repeated field). */
  checked(field: string): Signature[] {
    if (this.bad >= 0) throw unknownAlgorithm(`${field}[${this.bad}]`, this.badAlgorithm);
    return this.list;
  }
}

/** The ValidationError a conversion threw, as a result (any other error is thrown on). */
export function problem(err: unknown): ValidationError {
  if (err instanceof ValidationError) return err;
  throw err;
}

export function object(value: ObjectValue | undefined, field: string): ObjectValue {
  if (value === undefined) throw objectKindMissing(field);
  validateObject(value, field);
  return value;
}

/** A record timestamp read as int64: a number when small, else its bigint (out of range either way). */
export function timestamp(r: RecordReader): number | bigint {
  r.varint64(true);
  return r.int64Small();
}
