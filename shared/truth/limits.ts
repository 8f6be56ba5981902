/** Bounds of the truth-discovery estimator (docs/LENSES.md "Learned trust"). */

/** Most rounds of "values from reliabilities, reliabilities from values". */
export const LEARN_ITERATIONS_MAX = 50;

/** Rounds when the caller names none. */
export const LEARN_ITERATIONS_DEFAULT = 30;

/** Stop early when no agent's reliability moved by more than this in a round. */
export const LEARN_TOLERANCE = 1e-6;

/**
 * Most claims (one per assertion) the estimator holds in memory. At roughly
 * 200 bytes each in the job's working set that is ~400 MB; a larger log needs
 * a bigger machine or a narrower job, and the job says so instead of swapping.
 */
export const LEARN_CLAIMS_MAX = 2_000_000;
