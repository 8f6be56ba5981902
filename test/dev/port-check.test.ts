/** The busy-port check `stemedb dev` runs before starting anything. */
import { PortBusyError } from '../../services/dev/errors';
import { ensurePortFree, splitAddress } from '../../services/dev/port-check';
import { listenOnLoopback } from '../helpers/net';

describe('port check', () => {
  it('a port in use is a PortBusyError naming the address and the flag to change', async () => {
    const { server, address } = await listenOnLoopback();
    try {
      const err = await ensurePortFree(address, '--reader-listen').then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(PortBusyError);
      expect((err as PortBusyError).address).toBe(address);
      expect((err as PortBusyError).flag).toBe('--reader-listen');
      expect((err as Error).message).toContain(`${address} is already in use`);
      expect((err as Error).message).toContain('--reader-listen HOST:PORT');
    } finally {
      server.close();
    }
  });

  it('a free port passes and stays free', async () => {
    const { server, address } = await listenOnLoopback();
    await new Promise((r) => server.close(r));
    await expect(ensurePortFree(address, '--writer-listen')).resolves.toBeUndefined();
    await expect(ensurePortFree(address, '--writer-listen')).resolves.toBeUndefined();
  });

  it('port 0 always passes', async () => {
    await expect(ensurePortFree('127.0.0.1:0', '--writer-listen')).resolves.toBeUndefined();
  });

  it('addresses split into host and port; ports outside 0..65535 are refused', () => {
    expect(splitAddress('127.0.0.1:7070')).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(splitAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(splitAddress('localhost:65535').port).toBe(65_535);
    expect(() => splitAddress('localhost:65536')).toThrow(RangeError);
    expect(() => splitAddress('localhost:-1')).toThrow(RangeError);
    expect(() => splitAddress(':7070')).toThrow(RangeError);
    expect(() => splitAddress('localhost:')).toThrow(RangeError);
    expect(() => splitAddress('7070')).toThrow(RangeError);
  });
});
