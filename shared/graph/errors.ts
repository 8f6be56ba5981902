/** Errors of the graph data model. */

/** Stored bytes that are not a value this model writes (a bug or a damaged store). */
export class GraphValueError extends Error {
  override readonly name = 'GraphValueError';
  constructor(
    /** Which value, e.g. 'H' or 'V'. */
    readonly tag: string,
    readonly reason: string,
    /** The key in hex, when known. */
    readonly keyHex?: string,
  ) {
    super(`bad ${tag} value${keyHex === undefined ? '' : ` at key ${keyHex}`}: ${reason}`);
  }
}

/** A read argument out of range (page size, page token, offset). */
export class GraphInputError extends Error {
  override readonly name = 'GraphInputError';
  constructor(
    /** The argument, e.g. 'page_token'. */
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Bytes that are not an encoded resolution (resolution-codec.ts, stored-resolution.ts). */
export class ResolutionDecodeError extends Error {
  override readonly name = 'ResolutionDecodeError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`resolution${field === '' ? '' : '.' + field}: ${reason}`);
  }
}

/** A resolution that cannot be encoded (a non-finite number: never from a lens). */
export class ResolutionEncodeError extends Error {
  override readonly name = 'ResolutionEncodeError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`resolution.${field}: ${reason}`);
  }
}
