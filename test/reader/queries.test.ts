/**
 * Every ReaderService RPC against a real reader process: escalations, MV hits
 * against fresh resolutions, stored assertions with signers, votes and
 * supersession, paged History and BySource, Watch, Status, and bad queries
 * (each with its status code, the server serving on after each).
 */
import * as grpc from '@grpc/grpc-js';
import { recordId } from '../../shared/domain/hash';
import { Lens, ResolveResponse, type HistoryResponse, type ReaderServiceClient, type WatchResponse } from '../../shared/gen/stemedb/v1/reader';
import { callUnary, fieldOf } from '../../shared/grpc/client';
import { agent, signed, claim, vote } from '../graph/log-builder';
import { rng } from '../helpers/random';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { claimBy, codeOf, options, readerClient, resolve, startReaderProcess, text, write, type ReaderProcess } from './reader-fixtures';

const identity = (b: Buffer): Buffer => b;
const RawReader = grpc.makeGenericClientConstructor(
  { resolve: { path: '/stemedb.v1.ReaderService/Resolve', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
  'RawReader',
);

/** Read a server stream to its end (or error). */
function collect<T>(call: grpc.ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    call.on('data', (m: T) => got.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(got));
  });
}

describe('ReaderService over the wire', () => {
  const dir = makeTempDir('stemedb-reader-rpc-');
  let writer: WriterProcess;
  let reader: ReaderProcess;
  let c: ReaderServiceClient;
  let last = 0;

  const w = async (record: Parameters<typeof write>[1]): Promise<number> => {
    const r = await write(writer.address, record);
    last = r.at;
    return r.at;
  };

  beforeAll(async () => {
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none']);
    reader = await startReaderProcess(`${dir.path}/data`, ['--writer', writer.address]);
    c = readerClient(reader.address);
    await w(claimBy(0, 'setup', 'p', 'x'));
  });

  afterAll(async () => {
    c?.close();
    const code = await reader?.stop();
    await writer?.stop();
    dir.cleanup();
    expect(code).toBe(0);
  });

  it('a contested pair appears in ListEscalations, for all subjects and for its subject', async () => {
    await w(claimBy(1, 'ada', 'born', '1815'));
    const at = await w(claimBy(2, 'ada', 'born', '1816'));
    const res = await resolve(c, 'ada', 'born', { minOffset: BigInt(at) });
    expect(res.resolution!.contested).toBe(true);
    for (const subject of ['', 'ada']) {
      const list = await callUnary(c.listEscalations.bind(c), { subject, minOffset: BigInt(at), pageSize: 0, pageToken: '' });
      const e = list.escalations.find((x) => x.subject === 'ada' && x.predicate === 'born');
      expect(e).toBeDefined();
      expect(Number(e!.offset)).toBe(at);
      expect([e!.top?.value, e!.runnerUp?.value].map((v) => (v?.$case === 'text' ? v.value : undefined)).sort()).toEqual(['1815', '1816']);
      expect(list.servedAtOffset).toBeGreaterThan(BigInt(at));
    }
    const other = await callUnary(c.listEscalations.bind(c), { subject: 'nobody', pageSize: 0, pageToken: '' });
    expect(other.escalations).toEqual([]);
  });

  it('an MV hit and a fresh resolution at the same offset agree over the wire', async () => {
    await w(claimBy(3, 'ada', 'born', '1815'));
    const mv = await resolve(c, 'ada', 'born', { minOffset: BigInt(last) });
    expect(mv.fromMaterializedView).toBe(true);
    const fresh = await resolve(c, 'ada', 'born', { asOfOffset: mv.servedAtOffset });
    expect(fresh.fromMaterializedView).toBe(false);
    expect(fresh.servedAtOffset).toBe(mv.servedAtOffset);
    expect(ResolveResponse.encode({ ...fresh, fromMaterializedView: true }).finish()).toEqual(ResolveResponse.encode(mv).finish());
    // Explain never comes from MV, and resolves to the same winner with every candidate explained.
    const explained = await callUnary(c.explain.bind(c), { subject: 'ada', predicate: 'born', options: options({ asOfOffset: mv.servedAtOffset }) });
    expect(explained.resolution!.winnerId).toEqual(mv.resolution!.winnerId);
    expect(explained.resolution!.explanations).toHaveLength(3);
    expect(explained.resolution!.explanations[0]!.terms.length).toBeGreaterThan(0);
  });

  it('ResolveSubject answers every predicate in order at one offset', async () => {
    await w(claimBy(1, 'ada', 'died', '1852'));
    const res = await callUnary(c.resolveSubject.bind(c), { subject: 'ada', options: options({ minOffset: BigInt(last) }) });
    expect(res.resolutions.map((r) => r.predicate)).toEqual(['born', 'died']);
    const recency = await callUnary(c.resolveSubject.bind(c), { subject: 'ada', options: options({ lens: Lens.LENS_RECENCY, asOfOffset: res.servedAtOffset }) });
    expect(recency.servedAtOffset).toBe(res.servedAtOffset);
    expect(recency.resolutions.map((r) => r.lens)).toEqual([Lens.LENS_RECENCY, Lens.LENS_RECENCY]);
  });

  it('GetAssertion shows signers, votes and supersession; History and BySource page through a pair', async () => {
    const parent = signed(claim({ subject: 'bob', predicate: 'job', object: text('clerk'), source: 9 }), [agent(4)]);
    const child = signed(claim({ subject: 'bob', predicate: 'job', object: text('judge'), source: 9, parent: recordId(parent) }), [agent(4)]);
    await w(parent);
    await w(signed(claim({ subject: 'bob', predicate: 'job', object: text('clerk'), source: 9 }), [agent(5)])); // a co-signature: same id
    const beforeSupersession = await w(vote(recordId(parent), agent(6), 1));
    await w(child);
    const got = await callUnary(c.getAssertion.bind(c), { id: recordId(parent), minOffset: BigInt(last) });
    const a = got.assertion!;
    expect(a.assertion!.signatures.map((s) => s.publicKey.toString('hex')).sort()).toEqual([agent(4), agent(5)].map((k) => k.publicKey.toString('hex')).sort());
    expect(a.votes.map((v) => [v.voter.toString('hex'), v.value])).toEqual([[agent(6).publicKey.toString('hex'), 1]]);
    expect(a.netVote).toBe(1);
    // agent 4 wrote the child and withdrew; agent 5 co-signed the parent and still supports it.
    expect(a.superseded).toBe(false);
    expect(a.supersededBy).toEqual([recordId(child)]);
    expect(a.withdrawals.map((x) => [x.agent, x.childId, Number(x.offset)])).toEqual([[agent(4).publicKey, recordId(child), last]]);
    expect(a.supersededAtOffset).toBeUndefined();
    const before = await callUnary(c.getAssertion.bind(c), { id: recordId(parent), asOfOffset: BigInt(beforeSupersession) });
    expect(before.assertion!.superseded).toBe(false);
    expect(before.assertion!.votes).toEqual([]);

    const pages = await collect<HistoryResponse>(c.history({ subject: 'bob', predicate: 'job', options: options({ minOffset: BigInt(last) }), pageSize: 1 }));
    expect(pages.map((p) => p.assertions.map((x) => x.id.toString('hex')))).toEqual([[recordId(parent).toString('hex')], [recordId(child).toString('hex')]]);
    expect(new Set(pages.map((p) => p.servedAtOffset)).size).toBe(1);
    const empty = await collect<HistoryResponse>(c.history({ subject: 'nobody', predicate: 'job', options: options(), pageSize: 0 }));
    expect(empty).toHaveLength(1);
    expect(empty[0]!.assertions).toEqual([]);

    const first = await callUnary(c.bySource.bind(c), { sourceHash: Buffer.alloc(32, 9), pageSize: 1, pageToken: '' });
    expect(first.assertions).toHaveLength(1);
    expect(first.nextPageToken).not.toBe('');
    const second = await callUnary(c.bySource.bind(c), { sourceHash: Buffer.alloc(32, 9), pageSize: 1, pageToken: first.nextPageToken });
    expect(second.assertions).toHaveLength(1);
    expect(second.nextPageToken).toBe('');
    expect([first, second].map((p) => p.assertions[0]!.id.toString('hex')).sort()).toEqual([parent, child].map((r) => recordId(r).toString('hex')).sort());
  });

  it('Watch sends the current resolution, then a change after a conflicting write, and ends cleanly on cancel', async () => {
    await w(claimBy(1, 'eve', 'mood', 'calm'));
    const call = c.watch({ subject: 'eve', predicate: 'mood', options: options({ minOffset: BigInt(last) }) });
    const got: WatchResponse[] = [];
    call.on('data', (m: WatchResponse) => got.push(m));
    const ended = new Promise<grpc.status>((res) => call.on('status', (s: grpc.StatusObject) => res(s.code)));
    call.on('error', () => undefined);
    await waitFor(() => (got.length >= 1 ? true : undefined), 'the first Watch message');
    expect(got[0]!.resolution!.object?.value).toEqual({ $case: 'text', value: 'calm' });
    await w(claimBy(2, 'eve', 'mood', 'angry', { source: 50 }));
    await w(claimBy(3, 'eve', 'mood', 'angry', { source: 51 }));
    await waitFor(() => (got.some((m) => m.resolution!.object?.value?.value === 'angry') ? true : undefined), 'a Watch message with the new winner');
    const offsets = got.map((m) => m.servedAtOffset);
    expect([...offsets].sort((a, b) => (a < b ? -1 : 1))).toEqual(offsets);
    call.cancel();
    expect(await ended).toBe(grpc.status.CANCELLED);
    // as_of on a Watch is refused.
    const bad = c.watch({ subject: 'eve', predicate: 'mood', options: options({ asOfOffset: 1n }) });
    await expect(collect(bad)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
  });

  it('Status reports the applied offset, the writer head, lag and the source', async () => {
    const s = await callUnary(c.status.bind(c), {});
    expect(s.source).toBe(`writer ${writer.address}`);
    expect(s.writerHeadOffset).toBeGreaterThan(BigInt(last));
    expect(s.appliedOffset).toBeLessThanOrEqual(s.writerHeadOffset);
    expect(s.lagBytes).toBe(s.writerHeadOffset - s.appliedOffset);
    expect(s.recordsApplied).toBeGreaterThan(0n);
    expect(s.recordsRejected).toBe(0n);
  });

  describe('bad queries get clear status codes, and the server keeps serving', () => {
    afterEach(async () => {
      expect((await resolve(c, 'ada', 'born')).resolution!.subject).toBe('ada');
    });

    const failure = async (p: Promise<unknown>): Promise<{ code: grpc.status; field: string | undefined }> => {
      try {
        await p;
      } catch (err) {
        return { code: (err as grpc.ServiceError).code, field: fieldOf(err as grpc.ServiceError) };
      }
      throw new Error('expected the call to fail');
    };

    it.each([
      ['an unknown lens (enum value 99)', 'ada', 'born', { lens: 99 as Lens }, 'options.lens'],
      ['an empty subject', '', 'born', {}, 'subject'],
      ['an empty predicate', 'ada', '', {}, 'predicate'],
      ['a NUL in the subject', 'a\u0000da', 'born', {}, 'subject'],
      ['a negative min_offset', 'ada', 'born', { minOffset: -1n }, 'options.min_offset'],
      ['a negative as_of_offset', 'ada', 'born', { asOfOffset: -5n }, 'options.as_of_offset'],
      ['min_share 0', 'ada', 'born', { lens: Lens.LENS_THRESHOLD, minShare: 0 }, 'options.min_share'],
      ['min_share above 1', 'ada', 'born', { lens: Lens.LENS_THRESHOLD, minShare: 1.0000001 }, 'options.min_share'],
      ['a short trust pack id', 'ada', 'born', { lens: Lens.LENS_AUTHORITY, trustPackId: Buffer.alloc(31) }, 'options.trust_pack_id'],
    ] as const)('%s is INVALID_ARGUMENT naming the field', async (_label, subject, predicate, o, field) => {
      expect(await failure(resolve(c, subject, predicate, o))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field });
    });

    it('min_share exactly 1 is accepted', async () => {
      expect((await resolve(c, 'ada', 'born', { lens: Lens.LENS_THRESHOLD, minShare: 1 })).resolution!.lens).toBe(Lens.LENS_THRESHOLD);
    });

    it('a min_offset beyond the head waits until the deadline: DEADLINE_EXCEEDED', async () => {
      const started = Date.now();
      expect(await codeOf(resolve(c, 'ada', 'born', { minOffset: BigInt(last + 1_000_000) }, 300))).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    });

    it('an unknown assertion or trust pack is NOT_FOUND; a wrong-length id is INVALID_ARGUMENT', async () => {
      expect(await failure(callUnary(c.getAssertion.bind(c), { id: Buffer.alloc(32, 0xee) }))).toEqual({ code: grpc.status.NOT_FOUND, field: 'id' });
      expect(await failure(resolve(c, 'ada', 'born', { lens: Lens.LENS_AUTHORITY, trustPackId: Buffer.alloc(32, 1) }))).toEqual({ code: grpc.status.NOT_FOUND, field: 'options.trust_pack_id' });
      expect(await failure(callUnary(c.getAssertion.bind(c), { id: Buffer.alloc(33) }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'id' });
      expect(await failure(callUnary(c.bySource.bind(c), { sourceHash: Buffer.alloc(3), pageSize: 0, pageToken: '' }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'source_hash' });
    });

    it('a bad page token or page size is INVALID_ARGUMENT', async () => {
      expect(await failure(callUnary(c.bySource.bind(c), { sourceHash: Buffer.alloc(32, 9), pageSize: 0, pageToken: 'zz' }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'page_token' });
      expect(await failure(callUnary(c.listEscalations.bind(c), { subject: '', pageSize: 0, pageToken: 'abcd' }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'page_token' });
      expect(await failure(callUnary(c.listEscalations.bind(c), { subject: '', pageSize: 1001, pageToken: '' }))).toEqual({ code: grpc.status.INVALID_ARGUMENT, field: 'page_size' });
      expect((await callUnary(c.listEscalations.bind(c), { subject: '', pageSize: 1000, pageToken: '' })).escalations.length).toBeGreaterThan(0);
    });

    it('random bytes as a request body are INVALID_ARGUMENT', async () => {
      const raw = new RawReader(reader.address, grpc.credentials.createInsecure()) as unknown as { resolve: (b: Buffer, m: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void; close(): void };
      const next = rng(42);
      try {
        for (let i = 0; i < 20; i++) {
          const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(next() * 300) }, () => Math.floor(next() * 256)));
          const code = await new Promise<grpc.status>((res) => raw.resolve(bytes, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, (e) => res(e === null ? grpc.status.OK : e.code)));
          expect(code).toBe(grpc.status.INVALID_ARGUMENT);
        }
      } finally {
        raw.close();
      }
    });
  });
});
