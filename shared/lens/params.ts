/**
 * Every parameter of the lenses, named, in one place. docs/LENSES.md quotes
 * them and its worked examples (pinned by test/lens) depend on these values.
 */

/**
 * Two top alternatives whose shares differ by at most this (and are both
 * non-zero) make a resolution contested. Inclusive.
 */
export const CONTEST_MARGIN = 0.1;

/**
 * Slack on CONTEST_MARGIN for floating-point rounding of shares; far below any
 * difference a person would call meaningful.
 */
export const CONTEST_TOLERANCE = 1e-12;

/** Votes can move a value's support by at most ±VOTE_WEIGHT (a fraction). */
export const VOTE_WEIGHT = 0.5;

/** Net vote at which the vote factor reaches tanh(1) ≈ 76% of VOTE_WEIGHT. */
export const VOTE_SCALE = 2;

/** Threshold lens: the minimum share when the query names none. */
export const THRESHOLD_MIN_SHARE_DEFAULT = 0.5;

/** Authority lens: the rank of an unranked agent when the context has no trust. */
export const TRUST_DEFAULT_RANK = 0.5;

/** Digits after the point for numbers in summaries and details. */
export const DISPLAY_DECIMALS = 3;

/** Hex characters of ids and keys shown in summaries and details. */
export const DISPLAY_ID_HEX_CHARS = 12;
