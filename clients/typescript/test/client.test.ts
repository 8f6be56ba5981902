/**
 * The TypeScript client against real writer and reader processes: appends of
 * every shape with read-your-writes, Tail from 0, errors as StemeRpcError,
 * a retried append whose first response was lost, and Watch resuming across
 * a reader restart without missing or repeating a change.
 */
import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { assertion, cosign, idOf, keyPairFromSeed, ReaderClient, Session, StemeRpcError, vote, WriterClient, type KeyPair, type WatchEvent } from '../src/index';
import { startService, type ServiceProcess } from '../../../test/helpers/process';
import { makeTempDir } from '../../../test/helpers/tmp';

const key = (n: number): KeyPair => keyPairFromSeed(Buffer.alloc(32, n));
const text = (value: string) => ({ kind: 'text' as const, value });

let dir: { path: string; cleanup: () => void };
let writerProc: ServiceProcess;
let readerProc: ServiceProcess;
let writer: WriterClient;
let reader: ReaderClient;

const startReader = (listen = '127.0.0.1:0'): Promise<ServiceProcess> => startService('reader', ['--data', join(dir.path, 'store'), '--writer', writerProc.address, '--listen', listen]);

beforeAll(async () => {
  dir = makeTempDir('stemedb-client-ts-');
  writerProc = await startService('writer', ['--wal', join(dir.path, 'wal'), '--listen', '127.0.0.1:0']);
  readerProc = await startReader();
  const session = new Session();
  writer = new WriterClient(writerProc.address, { session });
  reader = new ReaderClient(readerProc.address, { session });
}, 60_000);

afterAll(async () => {
  writer?.close();
  reader?.close();
  await readerProc?.stop();
  await writerProc?.stop();
  dir?.cleanup();
});

describe('TypeScript client', () => {
  it('appends, co-signs and votes, then reads its own writes through the shared session', async () => {
    const a = assertion({ subject: 'city:paris', predicate: 'mayor', object: text('Hidalgo'), confidence: 0.8 }, [key(1)]);
    const r1 = await writer.append(a);
    expect(r1.kind).toBe('assertion');
    expect(writer.session.minOffset).toBe(r1.offset);
    const r2 = await writer.append(cosign(a, [key(2)]));
    expect(r2.id.equals(r1.id)).toBe(true);
    await writer.append(vote(r1.id, 1, key(3)));
    const got = await reader.getAssertion(r1.id);
    expect(got.assertion.assertion!.signatures.map((s) => s.publicKey.toString('hex')).sort()).toEqual([key(1).publicKey.toString('hex'), key(2).publicKey.toString('hex')].sort());
    expect(got.assertion.votes).toHaveLength(1);
    const answer = await reader.resolve('city:paris', 'mayor');
    expect(answer.resolution.object?.value).toEqual({ $case: 'text', value: 'Hidalgo' });
    expect(answer.servedAtOffset).toBeGreaterThan(r1.offset);
  });

  it('AppendBatch and a flow-controlled AppendStream; Tail from 0 sees every record once, in order', async () => {
    const batch = [1, 2, 3].map((i) => assertion({ subject: 'batch:x', predicate: `p${i}`, object: text(`v${i}`) }, [key(4)]));
    const receipts = await writer.appendBatch(batch);
    expect(receipts.map((r) => r.offset)).toEqual([...receipts.map((r) => r.offset)].sort((x, y) => x - y));
    const stream = writer.appendStream({ inFlightMax: 8 });
    let peak = 0;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) {
      pending.push(stream.append(assertion({ subject: 'stream:x', predicate: `p${i}`, object: text(`v${i}`) }, [key(5)])));
      peak = Math.max(peak, stream.inFlight);
    }
    const streamed = (await Promise.all(pending)) as { offset: number }[];
    await stream.close();
    expect(peak).toBeLessThanOrEqual(8);
    expect(new Set(streamed.map((r) => r.offset)).size).toBe(100);
    const head = await writer.head();
    const seen: number[] = [];
    let next = 0;
    for await (const r of writer.tail(0, { untilOffset: head.headOffset })) {
      expect(r.offset).toBe(next);
      next = r.nextOffset;
      seen.push(r.offset);
    }
    expect(next).toBe(head.headOffset);
    for (const r of [...receipts, ...streamed]) expect(seen).toContain(r.offset);
  });

  it('AppendStream sends the records of one turn as multi-record requests; a bad record rejects only its own append, named as for Append', async () => {
    const sent: { batch?: { records: unknown[] } }[] = [];
    const countRequests: grpc.Interceptor = (options, next) =>
      new grpc.InterceptingCall(next(options), {
        sendMessage(message: { batch?: { records: unknown[] } }, nextSend) {
          if (options.method_definition.path.endsWith('/AppendStream')) sent.push(message);
          nextSend(message);
        },
      });
    const counted = new WriterClient(writerProc.address, { interceptors: [countRequests] });
    try {
      const stream = counted.appendStream({ messageRecordsMax: 40 });
      const records = Array.from({ length: 100 }, (_, i) => assertion({ subject: 'multi:x', predicate: `p${i}`, object: text(`v${i}`) }, [key(7)]));
      records[57] = { ...records[57]!, confidence: 2 };
      const outcomes = await Promise.all(records.map((r) => stream.append(r).then((receipt) => receipt, (e: unknown) => e)));
      await stream.close();
      expect(sent.map((m) => m.batch?.records.length)).toEqual([40, 40, 20]);
      const failed = outcomes[57] as StemeRpcError;
      expect(failed).toBeInstanceOf(StemeRpcError);
      expect(failed.codeName).toBe('INVALID_ARGUMENT');
      expect(failed.field).toBe('record.assertion.confidence');
      const receipts = outcomes.filter((_, i) => i !== 57) as { offset: number }[];
      expect(new Set(receipts.map((r) => r.offset)).size).toBe(99);
    } finally {
      counted.close();
    }
  });

  it('reports failures as StemeRpcError with the code, the field and a hint', async () => {
    const bad = { ...assertion({ subject: 's', predicate: 'p', object: text('o') }, [key(6)]), signatures: [] };
    const err = await writer.append(bad, { attemptsMax: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StemeRpcError);
    const e = err as StemeRpcError;
    expect(e.codeName).toBe('UNAUTHENTICATED');
    expect(e.field).toBe('record.assertion.signatures');
    expect(e.oneLine()).toMatch(/^UNAUTHENTICATED: .+ \[field record\.assertion\.signatures\] \(Append; hint: .+\)$/);
    const head = (await writer.head()).headOffset;
    const wait = await reader.resolve('s', 'p', { minOffset: head + 9000 }, { deadlineMs: 3000 }).catch((x: unknown) => x);
    expect((wait as StemeRpcError).codeName).toBe('DEADLINE_EXCEEDED');
    expect((wait as StemeRpcError).details).toMatch(new RegExp(`^min_offset ${head + 9000} is past the log head ${head}; waited \\d+ ms$`));
  });

  it('retries an append whose first response was lost and gets a receipt for the same record', async () => {
    let appends = 0;
    // Lets the first Append reach the writer, then replaces its answer with UNAVAILABLE, as a proxy dying mid-response would.
    // Lets the first Append reach the writer and answer, then turns its status into UNAVAILABLE, as a proxy
    // dying mid-response would: the caller never learns its record is durable. (grpc-js holds the status until
    // the message has passed the interceptor, and a unary call with a non-OK status reports only the error.)
    const dropFirstResponse: grpc.Interceptor = (options, next) =>
      new grpc.InterceptingCall(next(options), {
        start(metadata, _listener, nextStart) {
          const drop = options.method_definition.path.endsWith('/Append') && appends++ === 0;
          nextStart(metadata, {
            onReceiveStatus(status, nextStatus) {
              nextStatus(drop ? { code: grpc.status.UNAVAILABLE, details: 'response lost', metadata: new grpc.Metadata() } : status);
            },
          });
        },
      });
    const flaky = new WriterClient(writerProc.address, { interceptors: [dropFirstResponse] });
    try {
      const a = assertion({ subject: 'retry:x', predicate: 'p', object: text('once') }, [key(7)]);
      const receipt = await flaky.append(a);
      expect(appends).toBe(2); // the lost one and its retry
      expect(receipt.id.equals(idOf(a))).toBe(true);
      const copies: number[] = [];
      for await (const r of writer.tail(0, { untilOffset: (await writer.head()).headOffset })) if (r.record.kind === 'assertion' && r.record.subject === 'retry:x') copies.push(r.offset);
      expect(copies).toContain(receipt.offset);
      // The graph holds one assertion whatever the log holds: the retry never doubles a claim.
      const history: unknown[] = [];
      for await (const h of reader.history('retry:x', 'p', { minOffset: receipt.offset })) history.push(h);
      expect(history).toHaveLength(1);
      if (copies.length === 1) expect(receipt.offset).toBe(copies[0]); // idempotent appends: the original receipt
    } finally {
      flaky.close();
    }
  });

  it('Watch resumes across a reader restart: every change once, offsets strictly increasing', async () => {
    const events: WatchEvent[] = [];
    const stop = new AbortController();
    let reconnects = 0;
    const watching = (async () => {
      for await (const e of reader.watch('watch:x', 'value', { minOffset: null }, { signal: stop.signal, onReconnect: () => reconnects++ })) events.push(e);
    })();
    const valueOf = (e: WatchEvent): unknown => (e.resolution.object?.value as { value?: unknown } | undefined)?.value;
    const until = async (n: number): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (events.length < n) {
        if (Date.now() > deadline) throw new Error(`watch saw ${events.length} events, expected ${n}: ${JSON.stringify(events.map(valueOf))}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    await until(1); // the current resolution: no candidates
    // Each value supersedes the one before, so each append changes the winner.
    const one = await writer.append(assertion({ subject: 'watch:x', predicate: 'value', object: text('one') }, [key(8)]));
    await until(2);
    const port = readerProc.address.split(':').pop()!;
    await readerProc.stop();
    // While the reader is down the log moves on, but not for this pair: the resumed stream must not repeat 'one'.
    await writer.append(assertion({ subject: 'watch:other', predicate: 'value', object: text('elsewhere') }, [key(8)]));
    readerProc = await startReader(`127.0.0.1:${port}`);
    const resumed = Date.now();
    while (reconnects === 0 || Date.now() - resumed < 500) await new Promise((r) => setTimeout(r, 20));
    const two = await writer.append(assertion({ subject: 'watch:x', predicate: 'value', object: text('two'), parentHash: one.id }, [key(8)]));
    await until(3);
    const three = await writer.append(assertion({ subject: 'watch:x', predicate: 'value', object: text('three'), parentHash: two.id }, [key(8)]));
    await until(4);
    stop.abort();
    await watching;
    // A watch resumed from the last offset seen, after the log moved on elsewhere, starts with the next change.
    const elsewhere = await writer.append(assertion({ subject: 'watch:other', predicate: 'value', object: text('again') }, [key(9)]));
    const resumedEvents: unknown[] = [];
    const resumedStream = reader.watch('watch:x', 'value', { minOffset: elsewhere.offset }, { fromOffset: events[3]!.servedAtOffset });
    const first = resumedStream.next();
    await writer.append(assertion({ subject: 'watch:x', predicate: 'value', object: text('four'), parentHash: three.id }, [key(8)]));
    resumedEvents.push(valueOf(((await first).value as WatchEvent)));
    await resumedStream.return(undefined);
    expect(resumedEvents).toEqual(['four']);
    expect(reconnects).toBeGreaterThan(0);
    expect(events.map(valueOf)).toEqual([undefined, 'one', 'two', 'three']);
    const offsets = events.map((e) => e.servedAtOffset);
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]!).toBeGreaterThan(offsets[i - 1]!);
  }, 60_000);
});
