/**
 * A Watch client across five forced connection recycles: a TCP proxy between
 * the client and the reader cuts every connection right after each change is
 * written, so the change lands while the stream is broken or reconnecting.
 * The client must see every change exactly once, offsets strictly increasing.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { assertion, keyPairFromSeed, ReaderClient, WriterClient, type WatchEvent } from '../src/index';
import { startService, type ServiceProcess } from '../../../test/helpers/process';
import { makeTempDir } from '../../../test/helpers/tmp';

/** A loopback TCP proxy to `target` whose `recycle()` destroys every open connection. */
async function startProxy(target: string): Promise<{ address: string; recycle(): void; close(): Promise<void> }> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(port, host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address() as { port: number };
  return {
    address: `127.0.0.1:${addr.port}`,
    recycle: () => {
      for (const s of open) s.destroy();
    },
    close: () => new Promise<void>((r) => {
      for (const s of open) s.destroy();
      server.close(() => r());
    }),
  };
}

it('sees every change exactly once across five forced recycles', async () => {
  const dir = makeTempDir('stemedb-watch-recycle-');
  let writerProc: ServiceProcess | undefined;
  let readerProc: ServiceProcess | undefined;
  let proxy: Awaited<ReturnType<typeof startProxy>> | undefined;
  const stop = new AbortController();
  try {
    writerProc = await startService('writer', ['--wal', join(dir.path, 'wal'), '--listen', '127.0.0.1:0']);
    readerProc = await startService('reader', ['--data', join(dir.path, 'store'), '--writer', writerProc.address, '--listen', '127.0.0.1:0']);
    proxy = await startProxy(readerProc.address);
    const writer = new WriterClient(writerProc.address);
    const reader = new ReaderClient(proxy.address);
    const key = keyPairFromSeed(Buffer.alloc(32, 40));
    const events: WatchEvent[] = [];
    let reconnects = 0;
    const watching = (async () => {
      for await (const e of reader.watch('recycle:x', 'value', { minOffset: null }, { signal: stop.signal, onReconnect: () => reconnects++ })) events.push(e);
    })();
    const valueOf = (e: WatchEvent): unknown => (e.resolution.object?.value as { value?: unknown } | undefined)?.value;
    const until = async (n: number): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (events.length < n) {
        if (Date.now() > deadline) throw new Error(`saw ${JSON.stringify(events.map(valueOf))}, expected ${n} events`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(1);
    let parent: Buffer | null = null;
    const values = ['v1', 'v2', 'v3', 'v4', 'v5'];
    for (const [i, v] of values.entries()) {
      const r = await writer.append(assertion({ subject: 'recycle:x', predicate: 'value', object: { kind: 'text', value: v }, parentHash: parent }, [key]));
      parent = r.id;
      proxy.recycle(); // the change is committed; the stream breaks before (or while) it is delivered
      await writer.append(assertion({ subject: 'recycle:elsewhere', predicate: 'n', object: { kind: 'text', value: v } }, [key])); // the log moves on meanwhile
      await until(i + 2); // the initial event, then one per change
    }
    stop.abort();
    await watching;
    writer.close();
    reader.close();
    expect(reconnects).toBeGreaterThanOrEqual(5);
    expect(events.map(valueOf)).toEqual([undefined, ...values]);
    const offsets = events.map((e) => e.servedAtOffset);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]!).toBeGreaterThan(offsets[i - 1]!);
  } finally {
    stop.abort();
    await proxy?.close();
    await readerProc?.stop();
    await writerProc?.stop();
    dir.cleanup();
  }
}, 120_000);
