/**
 * The error families of the domain layer. Each carries the field it concerns as
 * a dotted path of proto (snake_case) names, e.g. `record.assertion.confidence`
 * or `records[3].vote.value`, so the gRPC layer can name it to the client.
 */

/** A record or value breaks a rule (range, length, characters, count). */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** A signature does not verify, or a key cannot be used. */
export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Bytes cannot be decoded (log payloads, protobuf bodies, JSON, key files). */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    readonly reason: string,
    readonly field?: string,
    cause?: unknown,
  ) {
    super(field === undefined ? reason : `${field}: ${reason}`, cause === undefined ? undefined : { cause });
  }
}

/** A key file is missing, unreadable, malformed or would be overwritten. */
export class KeyFileError extends Error {
  override readonly name = 'KeyFileError';
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
  }
}
