/** Errors of the truth-discovery estimator. */

/** An input or option the estimator refuses; `field` names it. */
export class TruthInputError extends Error {
  override readonly name = 'TruthInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
