/**
 * The reader end to end with real processes: a writer, two readers tailing it
 * over gRPC and one reading its WAL files. Read-your-writes over 100 rounds,
 * answers reproduced exactly with as_of_offset, and identical answers from
 * every reader at the same offset.
 */
import { recordId } from '../../shared/domain/hash';
import type { ReaderServiceClient, Resolution } from '../../shared/gen/stemedb/v1/reader';
import { Lens } from '../../shared/gen/stemedb/v1/reader';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { claimBy, readerClient, resolve, startReaderProcess, write, type ReaderProcess } from './reader-fixtures';

const ROUNDS = 100;
const COLORS = ['red', 'green', 'blue'];

describe('reader processes tailing a writer', () => {
  const dir = makeTempDir('stemedb-reader-e2e-');
  let writer: WriterProcess;
  let readers: ReaderProcess[] = [];
  let clients: ReaderServiceClient[] = [];
  /** Answers given during the run: the resolution and the offset it was served at. */
  const answers: Array<{ servedAt: bigint; resolution: Resolution }> = [];
  let lastOffset = 0;

  beforeAll(async () => {
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none']);
    readers = await Promise.all([startReaderProcess(`${dir.path}/a`, ['--writer', writer.address]), startReaderProcess(`${dir.path}/b`, ['--writer', writer.address])]);
    clients = readers.map((r) => readerClient(r.address));
  });

  afterAll(async () => {
    clients.forEach((c) => c.close());
    const codes = await Promise.all(readers.map((r) => r.stop()));
    await writer?.stop();
    dir.cleanup();
    expect(codes).toEqual(codes.map(() => 0));
  });

  it('a read with the receipt offset as min_offset always sees the write (100 rounds)', async () => {
    // The first round writes the log's first record, at offset 0: min_offset 0 must wait for it too.
    for (let i = 0; i < ROUNDS; i++) {
      const record = claimBy(i % 7, 'shared', 'color', COLORS[i % COLORS.length]!, { source: i + 1, at: 1_700_000_000_000 + i });
      const receipt = await write(writer.address, record);
      if (i === 0) expect(receipt.offset).toBe(0n);
      const c = clients[i % clients.length]!;
      const res = await resolve(c, 'shared', 'color', { minOffset: receipt.offset });
      const ids = res.resolution!.alternatives.flatMap((a) => a.assertionIds.map((id) => id.toString('hex')));
      expect(ids).toContain(recordId(record).toString('hex'));
      expect(res.servedAtOffset).toBeGreaterThan(receipt.offset);
      answers.push({ servedAt: res.servedAtOffset, resolution: res.resolution! });
      lastOffset = receipt.at;
    }
  });

  it('as_of_offset answers equal the answers given at that offset, on every reader', async () => {
    expect(answers.length).toBe(ROUNDS);
    for (const { servedAt, resolution } of answers) {
      for (const c of clients) {
        const res = await resolve(c, 'shared', 'color', { asOfOffset: servedAt });
        expect(res.servedAtOffset).toBe(servedAt);
        expect(res.fromMaterializedView).toBe(false);
        expect(res.resolution).toEqual(resolution);
      }
    }
  });

  it('two readers give identical answers at the same offset, for every lens', async () => {
    const at = BigInt(lastOffset + 1);
    for (const lens of [Lens.LENS_CONSENSUS, Lens.LENS_RECENCY, Lens.LENS_AUTHORITY, Lens.LENS_THRESHOLD]) {
      const [a, b] = await Promise.all(clients.map((c) => resolve(c, 'shared', 'color', { lens, minOffset: BigInt(lastOffset) })));
      expect(a!.servedAtOffset).toBe(b!.servedAtOffset);
      expect(a!.servedAtOffset).toBeGreaterThanOrEqual(at);
      expect(a!.resolution).toEqual(b!.resolution);
    }
  });

  it('a reader on the WAL directory (--wal) serves the same answers', async () => {
    const walReader = await startReaderProcess(`${dir.path}/c`, ['--wal', `${dir.path}/wal`]);
    const c = readerClient(walReader.address);
    try {
      const now = await resolve(c, 'shared', 'color', { minOffset: BigInt(lastOffset) });
      const same = await resolve(clients[0]!, 'shared', 'color', { asOfOffset: now.servedAtOffset });
      expect(now.resolution).toEqual(same.resolution);
      for (const { servedAt, resolution } of answers.slice(-10)) {
        expect((await resolve(c, 'shared', 'color', { asOfOffset: servedAt })).resolution).toEqual(resolution);
      }
    } finally {
      c.close();
      expect(await walReader.stop()).toBe(0);
    }
  });
});
