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

/**
 * Authority lens: n, the number of false values a fact is assumed to have,
 * each as likely as the others (trust-weight.ts). An agent of reliability
 * 1/(n+1) is a random pick among the n+1 values and weighs 0.
 */
export const AUTHORITY_FALSE_VALUES = 3;

/** Beta prior of an agent's reliability: pseudo-judgements right. */
export const TRUST_PRIOR_RIGHT = 1;

/** Beta prior of an agent's reliability: pseudo-judgements wrong (n, so the prior mean is a random pick). */
export const TRUST_PRIOR_WRONG = AUTHORITY_FALSE_VALUES;

/**
 * Authority lens: the reliability of an agent the context does not list when
 * it carries no trust at all: the prior mean 1/(n+1) = 0.25, weight 0.
 */
export const TRUST_DEFAULT_RANK = TRUST_PRIOR_RIGHT / (TRUST_PRIOR_RIGHT + TRUST_PRIOR_WRONG);

/**
 * Reliabilities above this are read as this: a trust pack weight of 1 would
 * otherwise be an infinite log-odds. 0.999 weighs ln(3 · 999) ≈ 8.0.
 */
export const RELIABILITY_MAX = 0.999;

/** Digits after the point for numbers in summaries and details. */
export const DISPLAY_DECIMALS = 3;

/** Hex characters of ids and keys shown in summaries and details. */
export const DISPLAY_ID_HEX_CHARS = 12;

/** Longest text (or hex of bytes) shown in summaries and explanation details, in characters; longer ones end in "…" (object-value.ts formatObject). */
export const OBJECT_DISPLAY_CHARS_MAX = 80;

/**
 * A learned pack's reliability r for an agent counts as this many
 * pseudo-judgements (r of them right) when gold judgements made after the
 * pack update it: (K·r + right) / (K + right + wrong).
 */
export const LEARNED_PACK_PRIOR_JUDGEMENTS = 20;
