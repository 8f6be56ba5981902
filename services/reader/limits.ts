/**
 * Every limit and default of the reader service, in one place (units last).
 * `stemedb reader --help` and docs quote them; tests check each at ±1.
 */
export { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from '../../shared/graph/limits';

/** Address the reader listens on when neither --listen nor STEMEDB_LISTEN is given. */
export const READER_LISTEN_DEFAULT = '127.0.0.1:7071';

/**
 * Longest a query waits for ingest to reach its `min_offset` (or an
 * `as_of_offset` past the applied offset) when the client set no deadline
 * (or a later one): then DEADLINE_EXCEEDED. A bound so a typo'd offset cannot
 * hold a call forever.
 */
export const OFFSET_WAIT_MS_MAX = 60_000;

/**
 * A min_offset / as_of_offset wait gives up this long before the call's own
 * deadline, so the reader's DEADLINE_EXCEEDED (naming the offset and the log
 * head) reaches the client before the client's timer fires with a bare
 * "Deadline exceeded". Covers transit plus the head lookup below; a call
 * with less than ten times this left keeps a tenth of it instead.
 */
export const OFFSET_WAIT_REPLY_MARGIN_MS = 1_000;

/** Bound on asking the log source for its head when a wait gives up (for the error message). */
export const OFFSET_WAIT_HEAD_DEADLINE_MS = 300;

/** Deadline of the `Head` call Status makes to learn the writer's head. */
export const STATUS_HEAD_DEADLINE_MS = 2_000;

/**
 * Startup: how long the reader waits for the log's head before it reports
 * SERVING without an initial catch-up target (the source unreachable).
 */
export const STARTUP_HEAD_DEADLINE_MS = 5_000;

/** Predicates one ResolveSubject answers; a subject with more is RESOURCE_EXHAUSTED (resolve its predicates one by one). */
export const RESOLVE_SUBJECT_PREDICATES_MAX = 1000;

/** Rows a Query returns when the request says 0. */
export const QUERY_LIMIT_DEFAULT = 1000;
/** Most rows one Query call returns (page on with its next_page_token). */
export const QUERY_LIMIT_MAX = 10_000;
/** Rows per streamed QueryResponse message. */
export const QUERY_ROWS_PER_MESSAGE = 100;
/**
 * Claimants one FindSubjects call examines at most: past it the page ends
 * early with a next_page_token (fewer matches than page_size), so one call's
 * work is bounded however few of the claimants match.
 */
export const FIND_SCAN_SUBJECTS_MAX = 10_000;
/** Queries parked waiting for ingest at once; past this a new wait is RESOURCE_EXHAUSTED, so a flood of far-future offsets cannot grow memory. */
export const OFFSET_WAITERS_MAX = 10_000;

/** Batch listeners at once (one per open Watch); past this a new Watch is RESOURCE_EXHAUSTED. */
export const BATCH_LISTENERS_MAX = 10_000;

/** Snapshot streams (the Snapshot RPC) one reader serves at once; past this a new one is RESOURCE_EXHAUSTED. */
export const SNAPSHOT_STREAMS_MAX = 2;
/** The retry hint a refused Snapshot call carries. */
export const SNAPSHOT_RETRY_AFTER_MS = 5_000;

/**
 * Deadline of each call of the reader's small client (client.ts,
 * query-client.ts: the CLI's resolve, explain, status, query, listings...);
 * a min_offset wait counts against it.
 */
export const READER_CALL_DEADLINE_MS = 10_000;
