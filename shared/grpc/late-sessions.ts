/**
 * Sessions that begin during a graceful shutdown. grpc-js's `tryShutdown`
 * closes the HTTP/2 sessions it holds when it is called and then waits for
 * Node's server close, which waits for every connection. A TLS connection
 * accepted just before the shutdown but whose handshake ends after it (a
 * client reconnecting, a probe) becomes a session grpc-js never closes: an
 * idle client on it held the stop for its whole grace period, and the stop
 * was then forced. So once a shutdown begins, every new session is closed at
 * once (a GOAWAY: no stream can start on it; HTTP/2 ends it when idle).
 *
 * grpc-js keeps its Node HTTP/2 servers in a private `http2Servers` map (1.14:
 * pinned in package-lock.json); test/grpc/shutdown-late-session.test.ts fails
 * if that ever changes under us.
 */
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../telemetry/logger';

/** Close every HTTP/2 session `server` accepts from now on. */
export function closeLateSessions(server: grpc.Server, logger: Logger): void {
  const servers = (server as unknown as { http2Servers?: Map<Http2Server, unknown> }).http2Servers;
  if (!(servers instanceof Map)) {
    logger.warn('cannot watch for sessions that begin during shutdown: grpc-js no longer keeps http2Servers');
    return;
  }
  for (const http2Server of servers.keys()) {
    http2Server.on('session', (session: ServerHttp2Session) => {
      logger.debug('closing a session that began during shutdown', { remote: session.socket?.remoteAddress });
      session.close();
    });
  }
}
