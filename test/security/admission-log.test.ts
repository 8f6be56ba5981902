/**
 * The writer's admission table is rebuilt from the log at start: payloads that
 * are not grants or revocations are not decoded at all, and a grant-typed
 * payload that does not decode (no writer could have admitted it) is logged
 * and skipped — the writer starts and serves, as ingest skips such a record.
 */
import { join } from 'node:path';
import { RECORD_TYPE_BYTE } from '../../shared/domain/types';
import { PAYLOAD_HEADER_BYTES } from '../../shared/domain/log-payload';
import { Wal } from '../../shared/wal';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess } from '../writer/writer-fixtures';

describe('admission table from a log with foreign bytes', () => {
  it('a writer starts on a log holding an undecodable grant and an unknown record type, and says so', async () => {
    const dir = makeTempDir('stemedb-admission-log-');
    const walDir = join(dir.path, 'wal');
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0x0f, 0x01]);
    const badGrant = Buffer.concat([Buffer.alloc(PAYLOAD_HEADER_BYTES), garbage]);
    badGrant[0] = RECORD_TYPE_BYTE.agent_grant;
    const unknownType = Buffer.concat([Buffer.alloc(PAYLOAD_HEADER_BYTES), garbage]);
    unknownType[0] = 183;
    const wal = await Wal.open({ dir: walDir, durability: 'none' });
    await wal.appendBatch([badGrant, unknownType]);
    await wal.close();
    const writer = await startWriterProcess(walDir, ['--admission', 'on'], { STEMEDB_LOG_LEVEL: 'warn' });
    try {
      expect(writer.proc.stderr()).toContain('the admission table skipped an undecodable grant or revocation');
    } finally {
      expect(await writer.stop()).toBe(0);
      dir.cleanup();
    }
  });
});
