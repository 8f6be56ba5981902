/**
 * A graceful shutdown is not held up by a TLS connection whose handshake ends
 * after the shutdown began: grpc-js closes only the HTTP/2 sessions it has
 * when the shutdown starts, and Node's server close waits for every
 * connection, so without the server's own guard such a session (an idle
 * client that says nothing) kept the stop waiting for its whole grace period.
 */
import { readFileSync } from 'node:fs';
import * as http2 from 'node:http2';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { LOOPBACK_SANS, makeCa, makeLeaf } from '../helpers/certs';
import { makeTempDir } from '../helpers/tmp';
import { startFakeWriter, type FakeWriter } from './fake-writer';

const GRACE_MS = 8_000;

let dir: ReturnType<typeof makeTempDir>;
let w: FakeWriter | undefined;
beforeAll(() => {
  dir = makeTempDir('stemedb-late-session-');
});
afterAll(async () => {
  await w?.close();
  dir.cleanup();
});

test('a TLS session established after the shutdown began is closed, so the drain ends without being forced', async () => {
  const ca = makeCa(dir.path, 'ca');
  const leaf = makeLeaf(dir.path, ca, { cn: 'stemedb-server', sans: LOOPBACK_SANS });
  w = await startFakeWriter({}, { tls: { certFile: leaf.cert, keyFile: leaf.key } });
  const port = Number(w.running.address.split(':').pop());
  // TCP is accepted now; the TLS handshake (and so the HTTP/2 session) waits until the shutdown has begun.
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const stopped = w.running.shutdown(GRACE_MS);
  const secure = tls.connect({ socket, ca: [readFileSync(ca.cert)], servername: 'localhost', ALPNProtocols: ['h2'] });
  await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
  // An HTTP/2 client on that connection that sends no request: the server's GOAWAY ends it.
  const session = http2.connect(`https://127.0.0.1:${port}`, { createConnection: () => secure });
  session.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => session.once('close', resolve));
  const report = await stopped;
  expect(report.forced).toBe(false);
  expect(report.durationMs).toBeLessThan(GRACE_MS);
  await closed;
});
