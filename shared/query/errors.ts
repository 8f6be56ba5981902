/** Error families of the query engine. */

/** A pattern that does not parse or type-check. The reader maps it to INVALID_ARGUMENT on `field`. */
export class QuerySyntaxError extends Error {
  override readonly name = 'QuerySyntaxError';
  constructor(
    /** Character position (0-based) in the pattern text. */
    readonly position: number,
    readonly reason: string,
    readonly field = 'pattern',
  ) {
    super(`${field}: ${reason} (at character ${position})`);
  }
}

/** A query that would do more work, or hold more rows, than its bound. The reader maps it to RESOURCE_EXHAUSTED. */
export class QueryBudgetError extends Error {
  override readonly name = 'QueryBudgetError';
  constructor(
    /** Which bound: 'work' or 'rows'. */
    readonly bound: 'work' | 'rows',
    readonly limit: number,
  ) {
    super(
      bound === 'work'
        ? `the query needs more than ${limit} pair resolutions and index reads; bind more of the pattern (a subject, or a predicate with an object) or narrow it with filters`
        : `the query's joins hold more than ${limit} rows at once; bind more of the pattern or add filters`,
    );
  }
}
