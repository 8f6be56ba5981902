/** Error families of the lens library. */

/** A lens name no lens answers to. The reader maps it to INVALID_ARGUMENT. */
export class UnknownLensError extends Error {
  override readonly name = 'UnknownLensError';
  constructor(readonly lens: string) {
    super(`unknown lens '${lens}' (expected consensus, recency, authority or threshold)`);
  }
}

/**
 * Candidates or a context that break the lens contract (a caller bug, or a query
 * option out of range). `field` is a dotted path, e.g. `candidates[2].votes[0].value`
 * or `context.min_share`.
 */
export class LensInputError extends Error {
  override readonly name = 'LensInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
