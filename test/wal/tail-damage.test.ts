/**
 * A record damaged on disk under a running writer: a Tail from its offset ends
 * with DATA_LOSS naming the segment file and the offset (not INVALID_ARGUMENT,
 * and not the server's directory path).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { SEGMENT_HEADER_BYTES } from '../../shared/wal/limits';
import { makeTempDir } from '../helpers/tmp';
import { append, client, pb, signedAssertion, startWriterProcess, tailRecords } from '../writer/writer-fixtures';
import { segmentFiles } from './wal-fixtures';

test('Tail from a damaged record ends with DATA_LOSS naming segment and offset', async () => {
  const tmp = makeTempDir('stemedb-wal-tail-damage-');
  const walDir = join(tmp.path, 'wal');
  const writer = await startWriterProcess(walDir);
  const c = client(writer.address);
  try {
    const receipts = [];
    for (let i = 0; i < 4; i++) receipts.push(await append(c, pb(signedAssertion(`damage-${i}`))));
    const victim = Number(receipts[2]!.offset);
    const file = segmentFiles(walDir)[0]!;
    const bytes = readFileSync(join(walDir, file));
    bytes[SEGMENT_HEADER_BYTES + victim + 50]! ^= 0x40;
    writeFileSync(join(walDir, file), bytes);
    for (const from of [victim, Number(receipts[0]!.offset)]) {
      const err = (await tailRecords(c, from, 4).catch((e: unknown) => e)) as grpc.ServiceError;
      expect(err.code).toBe(grpc.status.DATA_LOSS);
      expect(err.details).toContain(`segment ${file} at offset ${victim}`);
      expect(err.details).not.toContain(walDir);
      expect(err.metadata.get('stemedb-error')).toEqual(['WalCorruptionError']);
    }
  } finally {
    c.close();
    await writer.stop();
    tmp.cleanup();
  }
}, 60_000);
