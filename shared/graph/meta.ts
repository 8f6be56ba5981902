/** META names the graph model keeps beside the store's own (cursor, intent). */
export const GRAPH_META = {
  /** u64: log records applied (valid records, duplicates included). */
  applied: 'records_applied',
  /** u64: log records skipped because they failed to decode or verify. */
  rejected: 'records_rejected',
} as const;

/** The lens whose result MV keeps per (subject, predicate): the default lens. */
export { DEFAULT_LENS as MATERIALIZED_LENS } from '../lens/index';
