/**
 * The log notices its directory or active segment vanished (removed, renamed,
 * replaced): the batch that went to the vanished file is not acknowledged, the
 * log enters its failed state, and a writer process answers UNAVAILABLE and
 * reports NOT_SERVING instead of acknowledging appends that a restart would lose.
 */
import { copyFileSync, mkdirSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { callUnary } from '../../shared/grpc/client';
import { Wal, WalUnavailableError, WalVanishedError } from '../../shared/wal';
import { healthProbe } from '../grpc/probes';
import { makeTempDir, useTempDir } from '../helpers/tmp';
import { append, client, pb, signedAssertion, startWriterProcess } from '../writer/writer-fixtures';
import { memoryLogger, payloadOf } from './wal-fixtures';

describe('a vanished WAL directory or segment', () => {
  const tmp = useTempDir('stemedb-wal-vanish-');

  test.each([
    ['the directory removed (rm -rf)', (dir: string) => rmSync(dir, { recursive: true, force: true }), 'the active segment was unlinked'],
    ['the directory renamed', (dir: string) => renameSync(dir, `${dir}.moved`), 'the WAL directory is gone'],
    ['the active segment removed', (dir: string, file: string) => unlinkSync(join(dir, file)), 'the active segment was unlinked'],
    ['the active segment replaced by a copy', (dir: string, file: string) => {
      copyFileSync(join(dir, file), join(dir, 'copy'));
      renameSync(join(dir, 'copy'), join(dir, file));
    }, 'the active segment was unlinked'],
    ['the active segment moved aside and a copy put in its place', (dir: string, file: string) => {
      copyFileSync(join(dir, file), join(dir, 'copy'));
      renameSync(join(dir, file), join(dir, 'aside'));
      renameSync(join(dir, 'copy'), join(dir, file));
    }, 'the active segment was replaced'],
    ['the active segment renamed', (dir: string, file: string) => renameSync(join(dir, file), join(dir, 'aside')), 'the active segment is no longer in the directory'],
    ['the directory replaced by another one', (dir: string) => {
      renameSync(dir, `${dir}.moved`);
      mkdirSync(dir);
    }, 'the WAL directory was replaced'],
  ])('%s: the next append is not acknowledged and the log refuses every later one', async (_what, act, reason) => {
    const dir = join(tmp.path, 'wal');
    const wal = await Wal.open({ dir, logger: memoryLogger() });
    const good = await wal.append(payloadOf(50));
    act(dir, wal.segments()[0]!.fileName);
    const err = await wal.append(payloadOf(50)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalUnavailableError);
    expect((err as WalUnavailableError).cause).toBeInstanceOf(WalVanishedError);
    expect(((err as WalUnavailableError).cause as WalVanishedError).reason).toBe(reason);
    expect(wal.headOffset).toBe(good.nextOffset);
    await expect(wal.append(payloadOf(50))).rejects.toBeInstanceOf(WalUnavailableError);
    await wal.close();
    rmSync(`${dir}.moved`, { recursive: true, force: true });
  });

  test.each(['fsync', 'none'] as const)('a two-record batch (durability %s) into a removed segment is not acknowledged either', async (durability) => {
    const dir = join(tmp.path, 'wal');
    const wal = await Wal.open({ dir, durability, logger: memoryLogger() });
    const good = await wal.append(payloadOf(50));
    unlinkSync(join(dir, wal.segments()[0]!.fileName));
    const err = await wal.appendBatch([payloadOf(50), payloadOf(50)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WalUnavailableError);
    expect(((err as WalUnavailableError).cause as WalVanishedError).reason).toBe('the active segment was unlinked');
    expect(wal.headOffset).toBe(good.nextOffset);
    expect(wal.stats().appends).toBe(1);
    await wal.close();
  });

  test('a batch that would rotate into a removed directory fails too', async () => {
    const dir = join(tmp.path, 'wal');
    const wal = await Wal.open({ dir, durability: 'none', segmentBytesMax: 200, logger: memoryLogger() });
    await wal.append(payloadOf(100));
    rmSync(dir, { recursive: true, force: true });
    await expect(wal.append(payloadOf(100))).rejects.toBeInstanceOf(WalUnavailableError);
    await wal.close();
  });
});

describe('rm -rf of a running writer process WAL directory', () => {
  test('the next Append is UNAVAILABLE, health goes NOT_SERVING, nothing more is acknowledged', async () => {
    const tmp = makeTempDir('stemedb-wal-vanish-writer-');
    const walDir = join(tmp.path, 'wal');
    const writer = await startWriterProcess(walDir);
    const c = client(writer.address);
    const probe = healthProbe(writer.address);
    try {
      const first = await append(c, pb(signedAssertion('before')));
      expect(await probe.check('')).toBe('SERVING');
      rmSync(walDir, { recursive: true, force: true });
      for (const tag of ['after-1', 'after-2', 'after-3']) {
        const err = await append(c, pb(signedAssertion(tag))).catch((e: unknown) => e);
        expect((err as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
      }
      expect(await probe.check('')).toBe('NOT_SERVING');
      const head = await callUnary(c.head.bind(c), {});
      expect(head.headOffset).toBe(first.nextOffset);
    } finally {
      probe.close();
      c.close();
      await writer.stop();
      tmp.cleanup();
    }
  }, 60_000);
});
