/**
 * Is a listen address free? Checked before any child starts, so a busy port
 * gives a clear error naming the flag instead of a child dying with EADDRINUSE
 * in a log file. (A port can still be taken between the check and the bind;
 * the child then fails to start and `dev` quotes its log.)
 */
import { createServer } from 'node:net';
import { PortBusyError } from './errors';

/** Host and port of `HOST:PORT` (IPv6 hosts may be bracketed). */
export function splitAddress(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(i + 1));
  if (i <= 0 || address.slice(i + 1) === '' || !Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new RangeError(`'${address}' is not HOST:PORT with a port in 0..65535`);
  }
  return { host, port };
}

/** Resolves when `address` could be bound (port 0 always can); rejects with PortBusyError when it is in use. */
export function ensurePortFree(address: string, flag: string): Promise<void> {
  const { host, port } = splitAddress(address);
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortBusyError(address, flag) : new Error(`${flag} ${address}: ${err.message}`));
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
