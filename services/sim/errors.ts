/** Errors of the simulator. */

/** A world option out of range; `field` names it. */
export class SimInputError extends Error {
  override readonly name = 'SimInputError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}
