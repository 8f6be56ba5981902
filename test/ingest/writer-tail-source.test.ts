/**
 * WriterTailSource's integrity checks against a scripted writer (issue 11
 * point 7): a record that does not start where the previous one ended (a gap
 * or a repeat) and a payload that does not match its BLAKE3 are refused with
 * TailIntegrityError, never delivered; good records are delivered in order.
 */
import type { TailResponse } from '../../shared/gen/stemedb/v1/writer';
import { blake3 } from '../../shared/domain/hash';
import { RECORD_HEADER_BYTES } from '../../shared/wal/limits';
import { TailIntegrityError, WriterTailSource } from '../../services/ingest/sources/writer-tail-source';
import { startFakeWriter, type FakeWriter } from '../grpc/fake-writer';

const payloads = [Buffer.from('first record'), Buffer.from('second record'), Buffer.from('third')];
const offsets = [0, RECORD_HEADER_BYTES + payloads[0]!.length, 2 * RECORD_HEADER_BYTES + payloads[0]!.length + payloads[1]!.length];

function message(records: { offset: number; payload: Buffer; hash?: Buffer }[]): TailResponse {
  return { records: records.map((r) => ({ offset: BigInt(r.offset), payload: r.payload, payloadHash: r.hash ?? blake3(r.payload) })), headOffset: 0n };
}

async function collect(source: WriterTailSource, count: number): Promise<{ offsets: number[]; error: unknown }> {
  const stop = new AbortController();
  const seen: number[] = [];
  try {
    for await (const r of source.records(0, stop.signal)) {
      seen.push(r.offset);
      if (seen.length === count) break;
    }
    return { offsets: seen, error: undefined };
  } catch (err) {
    return { offsets: seen, error: err };
  } finally {
    stop.abort();
  }
}

describe('WriterTailSource integrity', () => {
  let writer: FakeWriter;
  let source: WriterTailSource;
  let sent: TailResponse[] = [];

  beforeAll(async () => {
    writer = await startFakeWriter({
      tail: async (_req, out, ctx) => {
        for (const m of sent) await out.write(m);
        // Hold the stream open until the source goes (a clean end would only make it reconnect).
        await new Promise((r) => (ctx.signal.aborted ? r(undefined) : ctx.signal.addEventListener('abort', r, { once: true })));
      },
    });
  });
  beforeEach(() => {
    source = new WriterTailSource(writer.running.address, { backoffMsMin: 10, backoffMsMax: 20 });
  });
  afterEach(async () => source.close());
  afterAll(async () => writer.close());

  it('delivers consecutive records with matching hashes', async () => {
    sent = [message([0, 1].map((i) => ({ offset: offsets[i]!, payload: payloads[i]! }))), message([{ offset: offsets[2]!, payload: payloads[2]! }])];
    expect(await collect(source, 3)).toEqual({ offsets, error: undefined });
  });

  it.each([
    ['a gap', [0, 2]],
    ['a repeat', [0, 0]],
  ])('%s is refused with TailIntegrityError after the good record', async (_what, order) => {
    sent = [message(order.map((i) => ({ offset: offsets[i]!, payload: payloads[i]! })))];
    const { offsets: got, error } = await collect(source, 2);
    expect(got).toEqual([0]);
    expect(error).toBeInstanceOf(TailIntegrityError);
    expect(error).toMatchObject({ offset: offsets[order[1]!], reason: expect.stringMatching(/gap or a repeat/) });
  });

  it('a payload that does not match its BLAKE3 is refused', async () => {
    sent = [message([{ offset: 0, payload: payloads[0]!, hash: blake3(Buffer.from('something else')) }])];
    const { offsets: got, error } = await collect(source, 1);
    expect(got).toEqual([]);
    expect(error).toBeInstanceOf(TailIntegrityError);
    expect(error).toMatchObject({ offset: 0, reason: expect.stringMatching(/BLAKE3/) });
  });
});
