import { createServer, type Server } from 'node:net';

/** A TCP server on a free loopback port, holding it busy until closed. */
export function listenOnLoopback(): Promise<{ server: Server; address: string }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      if (a === null || typeof a === 'string') return reject(new Error('no TCP address'));
      resolve({ server, address: `127.0.0.1:${a.port}` });
    });
  });
}
