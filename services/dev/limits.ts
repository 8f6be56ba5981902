/** Every limit and default of `stemedb dev`, in one place (units last). */

/** Where `stemedb dev` keeps the log, the reader's store, the logs and the demo key. */
export const DEV_DATA_DIR_DEFAULT = './data';
/** The writer's address unless --writer-listen says otherwise. */
export const DEV_WRITER_LISTEN_DEFAULT = '127.0.0.1:7070';
/** The reader's address unless --reader-listen says otherwise. */
export const DEV_READER_LISTEN_DEFAULT = '127.0.0.1:7071';

/** How long a child may take to print its ready line before `dev` gives up. */
export const CHILD_READY_TIMEOUT_MS = 30_000;
/**
 * How long a child may take to exit after SIGTERM before it is killed. The
 * services bound their own drain at SHUTDOWN_GRACE_MS (10 s); this leaves room.
 */
export const CHILD_STOP_TIMEOUT_MS = 15_000;
/** How long the reader may take to apply the log up to the writer's head. */
export const READER_CATCH_UP_TIMEOUT_MS = 60_000;
/** Pause between two reader Status polls while waiting for it to catch up. */
export const READER_POLL_INTERVAL_MS = 25;
/** Deadline of each gRPC call `dev` makes (Head, AppendBatch, Status, GetAssertion). */
export const DEV_CALL_DEADLINE_MS = 10_000;
/** Last bytes of a child's log quoted when it fails to start. */
export const LOG_TAIL_BYTES_MAX = 2048;
/**
 * Service processes on a machine with at most this many cores run V8's garbage
 * collector on their main thread alone (`--single-threaded-gc`,
 * service-node-flags.ts): there, the collector's helper threads compete for the
 * same cores as the verify workers and the other services.
 */
export const SINGLE_THREADED_GC_CORES_MAX = 2;
/**
 * Size of each of the two semi-spaces of V8's young generation in a reader
 * process, in MiB (`--max-semi-space-size`; Node's default is 16). A reader
 * applies its log in batches whose records and ops live across a few
 * scavenges; with four times the room, a scavenge happens about once per four
 * batches instead of once per batch, far fewer of those objects are still alive
 * (copied or promoted) when it does, and ingest spends about 40% less time in
 * garbage collection. It costs up to 2 × (64 − 16) MiB more of the process's
 * memory (docs/OPERATIONS.md, "Garbage collection").
 */
export const READER_SEMI_SPACE_MIB = 64;
