/**
 * Every limit and timer of the gRPC layer, in one place. Servers and clients
 * built by `server.ts` and `client.ts` use these unless a caller overrides them;
 * grpc-js defaults are never relied on (they differ between client and server
 * and between versions).
 */

const MIB = 1024 * 1024;

/**
 * Largest request a server accepts and largest response a client accepts from
 * a request-sized call (4 MiB, the gRPC convention). A bigger message is
 * rejected by grpc-js with RESOURCE_EXHAUSTED before any handler runs.
 */
export const MESSAGE_BYTES_MAX = 4 * MIB;

/**
 * Largest message a server sends (and so the largest a client built by
 * `client.ts` accepts). Larger than the receive limit because Tail and History
 * batches are bounded by their own byte budgets, well under this.
 */
export const SEND_MESSAGE_BYTES_MAX = 16 * MIB;

/** Server: ping an idle connection this often to detect dead peers. */
export const SERVER_KEEPALIVE_TIME_MS = 60_000;
/** Client: ping this often when idle, to keep NAT and load balancer state alive. */
export const CLIENT_KEEPALIVE_TIME_MS = 60_000;
/** How long a keepalive ping may go unanswered before the connection is dropped. */
export const KEEPALIVE_TIMEOUT_MS = 20_000;

/**
 * Servers close (GOAWAY) every connection after this age so that long-lived
 * HTTP/2 connections spread over new reader pods after a scale-up on
 * Kubernetes. Clients reconnect transparently; calls in flight are unaffected.
 */
export const MAX_CONNECTION_AGE_MS = 5 * 60_000;

/**
 * After a connection's maximum age, calls still open on it (long streams such
 * as Tail or Watch) get this long before the connection is closed under them;
 * they end with UNAVAILABLE and clients resume from their own cursor.
 */
export const MAX_CONNECTION_AGE_GRACE_MS = 60_000;

/**
 * Graceful shutdown: how long in-flight calls may take to finish after the
 * server stopped accepting new ones, before the rest are cancelled.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * A client cancels its call when *its* deadline timer fires, and that timer runs
 * ahead of the server's: the server counts the same `grpc-timeout` from the moment
 * it read the request, later by the request's transit and queueing time. A
 * cancellation arriving less than this long before the server's deadline is
 * therefore counted as the deadline passing (DeadlineError), not as a client
 * cancellation. Only the server's own logs, metrics and handler signals see the
 * difference; the client already has its status.
 */
export const DEADLINE_CANCEL_SLACK_MS = 1_000;

/** Default deadline of a unary call made with `callUnary` when none is given. */
export const UNARY_DEADLINE_MS_DEFAULT = 30_000;

/** Longest status message text sent to a client (longer texts are cut). */
export const STATUS_DETAILS_CHARS_MAX = 1024;

/**
 * Streams pause their producer once this many response messages wait in the
 * call's write buffer (the Writable high-water mark of grpc-js object streams).
 */
export const STREAM_BUFFERED_MESSAGES_MAX = 16;

/**
 * How often a TLS server re-reads its certificate, key and client CA files to
 * pick up a rotation (Kubernetes updates a mounted Secret within about a
 * minute; three small reads a second cost nothing).
 */
export const TLS_RELOAD_INTERVAL_MS = 1_000;

/** Largest PEM file (certificate chain, key or CA bundle) read. */
export const TLS_FILE_BYTES_MAX = 1024 * 1024;

/** Largest role map file (`--tls-roles`). */
export const ROLE_MAP_BYTES_MAX = 1024 * 1024;

/** Identities a role map may list. */
export const ROLE_MAP_IDENTITIES_MAX = 10_000;
