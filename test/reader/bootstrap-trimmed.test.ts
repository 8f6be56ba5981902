/**
 * A reader whose offset the writer's log no longer holds (segments deleted
 * offline with the WAL library's deleteSegmentsBelow, as retention does):
 * without a bootstrap source it exits naming both offsets and the flags that
 * fix it; with --bootstrap-from a peer it wipes its store, restores the
 * peer's snapshot and serves what the peer serves. And a snapshot of another
 * log, or with one flipped byte, is refused at startup with the store left
 * empty (--bootstrap-snapshot over a WAL source, whose log id is known).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatusResponse } from '../../shared/gen/stemedb/v1/reader';
import { callUnary } from '../../shared/grpc/client';
import { MANIFEST_FILE } from '../../shared/snapshot/format';
import { Wal } from '../../shared/wal';
import { readManifest } from '../../shared/wal/manifest';
import { payloadOf } from '../graph/log-builder';
import { runCli } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess } from '../writer/writer-fixtures';
import { answersOf, LENSES } from './bootstrap-fixtures';
import { claimBy, readerClient, startReaderProcess } from './reader-fixtures';

jest.setTimeout(180_000);

async function appendOffline(dir: string, from: number, count: number): Promise<number> {
  const wal = await Wal.open({ dir, durability: 'none', segmentBytesMax: 16 * 1024 });
  try {
    const payloads = Array.from({ length: count }, (_, i) => payloadOf(claimBy((from + i) % 5, `s${(from + i) % 40}`, 'p', `v${(from + i) % 3}`), from + i));
    // A batch goes into one segment whatever its size: small batches make many small segments.
    for (let i = 0; i < payloads.length; i += 50) await wal.appendBatch(payloads.slice(i, i + 50));
    return wal.headOffset;
  } finally {
    await wal.close();
  }
}

function status(address: string): Promise<StatusResponse> {
  const c = readerClient(address);
  return callUnary(c.status.bind(c), {}, { deadlineMs: 10_000 }).finally(() => c.close());
}

describe('bootstrap on a trimmed log', () => {
  const dir = makeTempDir('stemedb-trimmed-');
  afterAll(() => dir.cleanup());
  const p = (name: string): string => join(dir.path, name);

  it('exits naming both offsets without a source; bootstraps from a peer with one', async () => {
    const h1 = await appendOffline(p('wal'), 0, 600);
    expect((await runCli(['ingest', '--wal', p('wal'), '--data', p('c')])).code).toBe(0);
    const h2 = await appendOffline(p('wal'), 600, 1200);
    expect((await runCli(['ingest', '--wal', p('wal'), '--data', p('a')])).code).toBe(0);
    const wal = await Wal.open({ dir: p('wal'), durability: 'none', segmentBytesMax: 16 * 1024 });
    wal.deleteSegmentsBelow(h2 - 20_000);
    const first = wal.firstOffset;
    await wal.close();
    expect(first).toBeGreaterThan(h1);

    const writer = await startWriterProcess(p('wal'), ['--durability', 'none']);
    const a = await startReaderProcess(p('a'), ['--writer', writer.address]);
    try {
      const refused = await runCli(['reader', '--data', p('c'), '--writer', writer.address, '--listen', '127.0.0.1:0'], { STEMEDB_LOG_LEVEL: 'warn' });
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain(`has applied the log through ${h1}, but writer ${writer.address} now starts at ${first}`);
      expect(refused.stderr).toContain('--bootstrap-from HOST:PORT');
      expect(refused.stderr).toContain('--bootstrap-snapshot DIR');

      const c = await startReaderProcess(p('c'), ['--writer', writer.address, '--bootstrap-from', a.address], { STEMEDB_LOG_LEVEL: 'info' });
      try {
        expect(c.proc.stderr()).toContain('the log was trimmed past this store');
        expect(Number((await status(c.address)).appliedOffset)).toBe(h2);
        const [ca, cc] = [readerClient(a.address), readerClient(c.address)];
        for (let s = 0; s < 40; s++) {
          const q = { subject: `s${s}`, predicate: 'p', lens: LENSES[s % LENSES.length]!, at: { minOffset: BigInt(h2 - 1) } };
          expect(await answersOf(cc, q)).toEqual(await answersOf(ca, q));
        }
        ca.close();
        cc.close();
      } finally {
        await c.stop();
      }
    } finally {
      await a.stop();
      await writer.stop();
    }
  });

  it('refuses, at startup, a snapshot of another log and one with a flipped byte; the store stays empty', async () => {
    await appendOffline(p('wal-x'), 0, 300);
    await appendOffline(p('wal-y'), 0, 300);
    for (const log of ['x', 'y']) {
      // A reader over the WAL directory learns (and records) the log id; then a snapshot of its store.
      const r = await startReaderProcess(p(`data-${log}`), ['--wal', p(`wal-${log}`)]);
      await r.stop();
      expect((await runCli(['snapshot', 'create', '--data', p(`data-${log}`), '--out', p(`snap-${log}`)])).code).toBe(0);
    }
    const idOf = (log: string): string => {
      const m = readManifest(p(`wal-${log}`));
      if (m.kind !== 'ok') throw new Error('no manifest');
      return m.manifest.logId;
    };
    expect(JSON.parse(readFileSync(join(p('snap-y'), MANIFEST_FILE), 'utf8')).logId).toBe(idOf('y'));

    const other = await runCli(['reader', '--data', p('e'), '--wal', p('wal-x'), '--bootstrap-snapshot', p('snap-y'), '--listen', '127.0.0.1:0']);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toContain(`is of log ${idOf('y')}, but wal ${p('wal-x')} serves log ${idOf('x')}`);
    expect(existsSync(p('e')) ? readdirSync(p('e')).filter((n) => n !== 'log-id') : []).toEqual([]);

    // A store built from log x never tails log y.
    const crossed = await runCli(['reader', '--data', p('data-x'), '--wal', p('wal-y'), '--listen', '127.0.0.1:0']);
    expect(crossed.code).not.toBe(0);
    expect(crossed.stderr).toContain(`holds log ${idOf('x')}, but wal ${p('wal-y')} serves log ${idOf('y')}`);

    const file = readdirSync(p('snap-x')).find((n) => n.startsWith('lmdb-'))!;
    const bytes = readFileSync(join(p('snap-x'), file));
    bytes[bytes.length - 3] ^= 0x40;
    writeFileSync(join(p('snap-x'), file), bytes);
    const flipped = await runCli(['reader', '--data', p('f'), '--wal', p('wal-x'), '--bootstrap-snapshot', p('snap-x'), '--listen', '127.0.0.1:0']);
    expect(flipped.code).not.toBe(0);
    expect(flipped.stderr).toContain(`${file}: BLAKE3 differs from the manifest`);
    expect(readdirSync(p('f')).filter((n) => n !== 'log-id')).toEqual([]);
    const verify = await runCli(['snapshot', 'verify', p('snap-x')]);
    expect(verify.code).toBe(1);
    expect(verify.stderr).toContain('BLAKE3 differs');
  });

  it('replays a whole log when no peer answers (the first reader of a deployment), but not a trimmed one', async () => {
    const head = await appendOffline(p('wal-z'), 0, 200);
    const r = await startReaderProcess(p('z'), ['--wal', p('wal-z'), '--bootstrap-from', '127.0.0.1:1'], { STEMEDB_LOG_LEVEL: 'warn' });
    try {
      expect(r.proc.stderr()).toContain('no peer reader answered for a snapshot; the log is whole, so replaying it from 0');
      expect(Number((await status(r.address)).appliedOffset)).toBe(head);
    } finally {
      await r.stop();
    }
    const wal = await Wal.open({ dir: p('wal-z'), durability: 'none', segmentBytesMax: 16 * 1024 });
    wal.deleteSegmentsBelow(head - 5_000);
    expect(wal.firstOffset).toBeGreaterThan(0);
    await wal.close();
    const stuck = await runCli(['reader', '--data', p('z2'), '--wal', p('wal-z'), '--bootstrap-from', '127.0.0.1:1', '--listen', '127.0.0.1:0']);
    expect(stuck.code).not.toBe(0);
    expect(stuck.stderr).toMatch(/UNAVAILABLE|14 /);
  });
});
