/**
 * What the writer's Tail checks when it reads the log, and what the reader
 * checks on receipt (docs/WAL.md "Reads"): the writer checks every frame's
 * CRC32C — a record damaged on disk is DATA_LOSS — and sends each record's
 * stored BLAKE3 without hashing the payload again; the reader's Tail source
 * hashes every payload, so a stored hash that does not match its payload (a
 * frame with a valid CRC32C) is refused there, after the good records before it.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { TailIntegrityError, WriterTailSource } from '../../services/ingest/sources/writer-tail-source';
import { blake3, frameCrc } from '../../shared/wal/checksum';
import { RECORD_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '../../shared/wal/limits';
import { useTempDir } from '../helpers/tmp';
import { segmentFiles } from '../wal/wal-fixtures';
import { append, client, pb, signedAssertion, startWriterProcess, tailRecords, type WriterProcess } from './writer-fixtures';

/** The frame of the record at `offset` (first segment) in place, as `edit` leaves it. */
function editFrame(walDir: string, offset: number, nextOffset: number, edit: (frame: Buffer) => void): void {
  const fd = openSync(join(walDir, segmentFiles(walDir)[0]!), 'r+');
  try {
    const frame = Buffer.alloc(nextOffset - offset);
    readSync(fd, frame, 0, frame.length, SEGMENT_HEADER_BYTES + offset);
    edit(frame);
    writeSync(fd, frame, 0, frame.length, SEGMENT_HEADER_BYTES + offset);
  } finally {
    closeSync(fd);
  }
}

describe("Tail's checks on both ends", () => {
  const tmp = useTempDir('stemedb-tail-checks-');
  let writer: WriterProcess | undefined;
  afterEach(async () => writer?.stop());

  it('a stored BLAKE3 that does not match its payload (valid CRC32C) goes out as stored and the reader refuses it; a bad CRC32C is DATA_LOSS at the writer', async () => {
    writer = await startWriterProcess(tmp.path);
    const c = client(writer.address);
    try {
      const receipts = [];
      for (const tag of ['a', 'b', 'c']) receipts.push(await append(c, pb(signedAssertion(`tail-checks-${tag}`))));
      const [a, b, d] = receipts.map((r) => ({ offset: Number(r.offset), nextOffset: Number(r.nextOffset) }));
      const wrongHash = blake3(Buffer.from('another payload'));
      editFrame(tmp.path, b!.offset, b!.nextOffset, (frame) => {
        wrongHash.copy(frame, 8);
        frame.writeUInt32LE(frameCrc(b!.offset, frame, 0, frame.length - RECORD_HEADER_BYTES), 4);
      });

      const sent = await tailRecords(c, 0, 3);
      expect(sent.map((r) => r.offset)).toEqual([a!.offset, b!.offset, d!.offset]);
      expect(sent[1]!.hash).toEqual(wrongHash);

      const source = new WriterTailSource(writer.address, { consumerId: null, backoffMsMin: 10, backoffMsMax: 20 });
      const stop = new AbortController();
      const delivered: number[] = [];
      const error = await (async () => {
        for await (const r of source.records(0, stop.signal)) {
          delivered.push(r.offset);
          if (delivered.length === receipts.length) return undefined; // only a source that checks nothing gets here
        }
        return undefined;
      })().catch((err: unknown) => err);
      stop.abort();
      await source.close();
      expect(delivered).toEqual([a!.offset]);
      expect(error).toBeInstanceOf(TailIntegrityError);
      expect(error).toMatchObject({ offset: b!.offset, reason: expect.stringMatching(/BLAKE3/) });

      editFrame(tmp.path, d!.offset, d!.nextOffset, (frame) => (frame[frame.length - 1] ^= 0xff));
      const damaged = await tailRecords(c, d!.offset, 1).catch((err: unknown) => err);
      expect(damaged).toMatchObject({ code: grpc.status.DATA_LOSS });
    } finally {
      c.close();
    }
  });
});
