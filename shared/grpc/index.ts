/**
 * The gRPC layer every service is built on (docs/ARCHITECTURE.md, shared/grpc):
 *
 * - `startServer` (server.ts): limits, keepalive, max connection age, health,
 *   reflection, safe decoding, graceful shutdown bounded in time;
 * - `unary` / `serverStream` / `bidiStream` (handlers.ts): async handlers with a
 *   deadline/cancel AbortSignal, a drain signal for streams, bounded stream
 *   buffering (`StreamWriter`, `writeWithBackpressure`), errors mapped in one
 *   place (`toServiceError`, status.ts);
 * - service error classes (errors.ts) and every limit (limits.ts);
 * - clients (client.ts): `makeClient`, `callUnary` with deadline and signal,
 *   `waitForReady`, `fieldOf`.
 *
 * Client note: a grpc-js client stream that is never read (no 'data' listener,
 * no iterator) buffers everything the server sends, without flow control; start
 * consuming a Tail/Watch stream at once and pause it (or iterate with
 * `for await`) to push back on the server.
 */
export * from './backpressure';
export * from './call-context';
export * from './client';
export * from './codec';
export * from './errors';
export * from './handlers';
export * from './limits';
export * from './server';
export * from './status';
export { DRAIN_EVENT, markDrainable } from './drain';
export * from './access';
export * from './roles';
export * from './tls';
export * from './tls-options';
