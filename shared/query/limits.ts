/** Limits of the pattern query engine (docs/QUERIES.md "Costs and limits"). */

/** Longest pattern text, in UTF-8 bytes. */
export const QUERY_TEXT_BYTES_MAX = 4096;
/** Most triples in one pattern. */
export const QUERY_TRIPLES_MAX = 8;
/** Most FILTER clauses in one pattern. */
export const QUERY_FILTERS_MAX = 8;
/** Most ORDER BY keys. */
export const QUERY_ORDER_KEYS_MAX = 4;
/** Longest bare name (entity id or predicate) or text literal in a pattern, in UTF-8 bytes. */
export const QUERY_TERM_BYTES_MAX = 1024;
/**
 * Work one query may do: every pair resolved and every index entry or
 * subject read counts one. Past it the query fails with RESOURCE_EXHAUSTED
 * rather than run unbounded.
 */
export const QUERY_WORK_MAX = 200_000;
/** Partial or final rows held at once (a join that fans out past this fails). */
export const QUERY_ROWS_MAX = 50_000;
