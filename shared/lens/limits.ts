/**
 * Limits of the lenses' own work (units last). What a lens computes is set by
 * params.ts; these only bound how it goes about it.
 */

/**
 * Up to this many candidates of one pair, duplicate ids are found by comparing
 * each id with the earlier ones (no set of hex strings); above it, with a set,
 * so the check stays linear for a pair with many candidates.
 */
export const DUPLICATES_PAIRWISE_MAX = 8;
