/**
 * Every limit and default of the writer service, in one place (units last).
 * `stemedb writer --help` and docs quote them; tests check each at ±1.
 */

/**
 * Records the writer holds between "request taken" and "acknowledged", across
 * every Append, AppendBatch and AppendStream call. Past it a call is refused
 * with RESOURCE_EXHAUSTED (and a retry-after hint) before any work is done, so
 * a flood of clients meets a bounded verification queue and WAL queue instead
 * of growing the writer's memory. ~8k records is several group commits' worth
 * at this machine's fsync rate, far above what throughput needs.
 */
export const RECORDS_IN_FLIGHT_MAX = 8192;

/** The retry-after hint sent with an overload refusal. */
export const OVERLOAD_RETRY_AFTER_MS = 50;

/**
 * Unary Append calls admitted as one group (append-group.ts): the calls of one
 * event-loop turn, at most this many (the rest form the next groups, flushed on
 * the following turns). Each call already holds a slot of RECORDS_IN_FLIGHT_MAX,
 * so this bounds one group's verification message and WAL batch, not memory.
 *
 * Small on purpose: a group's stages run one after the other (verify, id claim,
 * append and fdatasync), so with clients that send again as soon as they are
 * answered, a turn's calls in one group wait for each other at every stage;
 * split, the first part is already in its fdatasync while the next is verified.
 * Measured with 64 calls in flight (three writers side by side, alternated with
 * the echo server, 2 s points): Append/echo 0.74, 0.61, 0.67, 0.99, 1.05, 0.81,
 * 0.87, 0.82 with 16 against 0.59, 0.53, 0.61, 0.87, 0.92, 0.82, 0.81, 0.69 with
 * 256 in the same rounds; with 256 in flight the two were within the rounds'
 * noise (0.76–0.86 against 0.60–0.99).
 */
export const APPEND_GROUP_CALLS_MAX = 16;

/** Records in one AppendBatch (the proto's documented 1..1024). */
export const APPEND_BATCH_RECORDS_MAX = 1024;

/**
 * Records of one AppendStream that may be between "read from the client" and
 * "result handed to the client" at once. The handler reads another request
 * only while fewer are held, so at most APPEND_STREAM_IN_FLIGHT_MAX − 1 +
 * APPEND_STREAM_MESSAGE_RECORDS_MAX records (2047) are held; past that it
 * stops pulling requests, grpc-js stops reading the HTTP/2 stream and the
 * client's flow-control window fills: a fast producer cannot grow the
 * writer's memory without bound. 1024 is several group commits' worth of
 * multi-record requests (what AppendBatch gets from 8 calls of 100 in flight),
 * what one stream needs to run at the batch rate.
 */
export const APPEND_STREAM_IN_FLIGHT_MAX = 1024;

/**
 * Records in one multi-record AppendStream request (`batch.records`), as in
 * one AppendBatch. One more is refused in-stream with RESOURCE_EXHAUSTED
 * naming `batch.records`, and the stream goes on.
 */
export const APPEND_STREAM_MESSAGE_RECORDS_MAX = 1024;

/** Payload bytes per Tail response when the request says 0. */
export const TAIL_BATCH_BYTES_DEFAULT = 256 * 1024;
/** Largest payload bytes per Tail response a client may ask for (a single bigger record is still sent alone). */
export const TAIL_BATCH_BYTES_MAX = 4 * 1024 * 1024;

/**
 * Tail streams open at once, writer-wide. One more is refused with
 * RESOURCE_EXHAUSTED (`tail_streams`) before it reads anything: each stream
 * holds log reads and a call buffer, and readers are few (one per reader pod).
 */
export const TAIL_STREAMS_MAX = 128;

/**
 * Payload bytes all Tail streams together may hold read from the log and not
 * yet handed to HTTP/2 (a paused consumer's stream holds its share until it
 * reads). Each batch is cut to a fair share of it (TAIL_BUFFERED_BYTES_MAX /
 * open streams, at least TAIL_BATCH_BYTES_FLOOR) and to what is left.
 */
export const TAIL_BUFFERED_BYTES_MAX = 32 * 1024 * 1024;

/**
 * The smallest batch a Tail stream is cut to when the budget is tight, so a
 * live consumer always progresses beside paused ones. Together with the
 * stream cap it bounds the overshoot: at most TAIL_STREAMS_MAX ×
 * TAIL_MESSAGES_UNSENT_MAX × TAIL_BATCH_BYTES_FLOOR (16 MiB) past the budget.
 */
export const TAIL_BATCH_BYTES_FLOOR = 64 * 1024;

/** Tail messages of one stream read but not yet handed to HTTP/2: one being sent, one ready behind it. */
export const TAIL_MESSAGES_UNSENT_MAX = 2;

/** Per-agent quota: records per second, 0 = unlimited. */
export const QUOTA_RECORDS_PER_SEC_DEFAULT = 0;
/** Per-agent quota: bucket size (records an idle agent may send at once); 0 = twice the rate. */
export const QUOTA_BURST_RECORDS_DEFAULT = 0;
/** Agents whose buckets are kept; past this the least recently seen is forgotten (it then starts full). */
export const QUOTA_AGENTS_TRACKED_MAX = 100_000;

/** Address the writer listens on when neither --listen nor STEMEDB_LISTEN is given. */
export const WRITER_LISTEN_DEFAULT = '127.0.0.1:7070';

/**
 * Agents the admission table holds (grants and revocations together). A grant
 * for a new key past it is refused with RESOURCE_EXHAUSTED; expired grants are
 * dropped first. ~100 bytes each: 100k agents is ~10 MiB of memory.
 */
export const AGENTS_ADMITTED_MAX = 100_000;
/** Log bytes read per step while the admission table catches up with the log at start. */
export const AGENT_SCAN_BYTES_MAX = 4 * 1024 * 1024;
/** Largest admission table file read at start (past it the table is rebuilt from the log). */
export const AGENT_TABLE_BYTES_MAX = 64 * 1024 * 1024;

/** Per-peer fresh-key limit: new signer keys per second one peer may introduce; 0 = off (the default). */
export const PEER_NEW_KEYS_PER_SEC_DEFAULT = 0;
/** Per-peer fresh-key limit: bucket size; 0 = twice the rate, at least 1. */
export const PEER_NEW_KEYS_BURST_DEFAULT = 0;
/** Peers whose buckets are kept; past this the least recently seen is forgotten (it then starts full). */
export const PEERS_TRACKED_MAX = 10_000;
/**
 * Signer keys remembered per peer (least recently used go first). A key the
 * peer used recently is not fresh and costs nothing; a forgotten one costs a
 * token again, so the bound never lets a flood through.
 */
export const PEER_KEYS_REMEMBERED_MAX = 1024;
/** Framed log bytes the id index reads per step when it catches up with the log (on open and after each append). */
export const ID_INDEX_READ_BYTES_MAX = 1024 * 1024;
/** Directory of the on-disk id index inside the WAL directory (the WAL ignores it). */
export const ID_INDEX_DIR_NAME = 'ids';
/**
 * Ids the id index reads from RocksDB in one native read (RocksStore's
 * getManyChunkKeys): a claim's lookups are one hand-off to the libuv pool, not
 * one per 64 ids (an AppendBatch of 100 records was two). The whole of the
 * largest batch, so a claim is always one read.
 */
export const ID_INDEX_GET_MANY_CHUNK_KEYS = APPEND_BATCH_RECORDS_MAX;
/** The file that marks an id index kept in LMDB by an older writer: such an index is deleted and rebuilt from the log. */
export const ID_INDEX_LEGACY_LMDB_FILE = 'data.mdb';
/**
 * Records of appends the writer has noted for the id index (id-index.ts,
 * `indexAppended`) and the index has not yet covered. Receipts do not wait
 * for the index, so while the index lags the notes would pile up: past this bound
 * a note is refused and the index reads those records back from the log
 * instead (slower, same entries). 8192 records are ~1 MiB of notes.
 */
export const ID_INDEX_NOTED_RECORDS_MAX = 8192;
/** Consumers (readers) the writer registers for retention; one more is RESOURCE_EXHAUSTED. */
export const CONSUMERS_MAX = 64;
/** Bytes of a consumer id (`[A-Za-z0-9][A-Za-z0-9._:-]*`). */
export const CONSUMER_ID_BYTES_MAX = 128;
/** The durable consumer registry beside the WAL (docs/OPERATIONS.md, "Retention"). */
export const CONSUMERS_FILE_NAME = 'consumers.json';
/** Largest consumer registry file accepted on open (CONSUMERS_MAX entries fit many times over). */
export const CONSUMERS_FILE_BYTES_MAX = 64 * 1024;
/** How often retention runs when on (it also runs after every rotation). */
export const RETENTION_INTERVAL_MS_DEFAULT = 10_000;
/** Shortest accepted `--retention-interval-ms`. */
export const RETENTION_INTERVAL_MS_MIN = 10;
/** Default `--retention-lag-bytes-max`: a consumer further behind the head stops holding retention back. */
export const RETENTION_LAG_BYTES_MAX_DEFAULT = 16 * 1024 * 1024 * 1024;
/** Smallest `--segment-bytes` (file bytes, header included): smaller segments are all overhead. */
export const WRITER_SEGMENT_BYTES_MIN = 64 * 1024;
/** Largest `--segment-bytes`. */
export const WRITER_SEGMENT_BYTES_MAX = 1024 * 1024 * 1024;

/** Deadline of each call of the writer's small client (client.ts: the CLI's assert, vote, status...). */
export const WRITER_CALL_DEADLINE_MS = 10_000;
