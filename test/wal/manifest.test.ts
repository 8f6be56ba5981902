/**
 * The manifest: a missing first, middle or last segment, or a renamed one, is
 * reported by `wal check` and refused by open, naming what is missing; a log
 * trimmed by retention still opens; interrupted retention and rotation finish on
 * open; a log from before manifests gets one built from a clean scan.
 */
import { readFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Wal, WalCorruptionError } from '../../shared/wal';
import { checkDir } from '../../shared/wal/check';
import { encodeSegmentHeader, segmentFileName } from '../../shared/wal/format';
import { decodeManifest, encodeManifest, MANIFEST_FILE, readManifest } from '../../shared/wal/manifest';
import { MANIFEST_BYTES } from '../../shared/wal/limits';
import { runCli } from '../helpers/process';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger, payloadOf, segmentFiles } from './wal-fixtures';

/** A log of several segments; returns the offsets of its records. */
async function fill(dir: string, n = 40): Promise<number[]> {
  const wal = await Wal.open({ dir, durability: 'none', segmentBytesMax: 2048, logger: memoryLogger() });
  const offsets: number[] = [];
  for (let i = 0; i < n; i++) offsets.push((await wal.append(payloadOf(200))).offset);
  await wal.close();
  return offsets;
}

async function openError(dir: string): Promise<WalCorruptionError> {
  const err = await Wal.open({ dir, logger: memoryLogger() }).then(
    async (w) => {
      await w.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WalCorruptionError);
  return err as WalCorruptionError;
}

describe('the manifest', () => {
  const tmp = useTempDir('stemedb-wal-manifest-');

  test('byte layout: the documented example decodes and re-encodes to the same 80 bytes', () => {
    const m = { logId: '00112233445566778899aabbccddeeff', firstBase: 0, lastBase: 0x1b58, retentionFloor: 0, batchBytesMax: 8 * 1024 * 1024, generation: 3 };
    const bytes = encodeManifest(m);
    expect(bytes.length).toBe(MANIFEST_BYTES);
    expect(bytes.toString('hex')).toBe(
      '5354454d454d414e' + '01000000' + '02000000' + '00112233445566778899aabbccddeeff' + '0000000000000000' + '581b000000000000' + '0000000000000000' + '0000800000000000' + '0300000000000000' + '00000000' + bytes.subarray(76).toString('hex'),
    );
    expect(decodeManifest(bytes)).toEqual({ ok: true, manifest: m });
    const flipped = Buffer.from(bytes);
    flipped[40]! ^= 1;
    expect(decodeManifest(flipped)).toEqual({ ok: false, reason: 'manifest checksum mismatch' });
  });

  test('MANIFEST_BYTES at ±1: a manifest one byte short or long is refused', () => {
    const bytes = encodeManifest({ logId: 'ff'.repeat(16), firstBase: 0, lastBase: 0, retentionFloor: 0, batchBytesMax: 1, generation: 1 });
    expect(decodeManifest(bytes).ok).toBe(true);
    expect(decodeManifest(bytes.subarray(0, MANIFEST_BYTES - 1))).toEqual({ ok: false, reason: `manifest is ${MANIFEST_BYTES - 1} bytes, expected ${MANIFEST_BYTES}` });
    expect(decodeManifest(Buffer.concat([bytes, Buffer.alloc(1)]))).toEqual({ ok: false, reason: `manifest is ${MANIFEST_BYTES + 1} bytes, expected ${MANIFEST_BYTES}` });
  });

  test('a new log gets a manifest with a random 128-bit id that survives reopen', async () => {
    const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(wal.logId).toMatch(/^[0-9a-f]{32}$/);
    expect(wal.recoveryReport.manifestCreated).toBe(true);
    const id = wal.logId;
    await wal.close();
    const again = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(again.logId).toBe(id);
    expect(again.recoveryReport.manifestCreated).toBe(false);
    await again.close();
    const other = join(tmp.path, 'other');
    const third = await Wal.open({ dir: other, logger: memoryLogger() });
    expect(third.logId).not.toBe(id);
    await third.close();
  });

  test('rotation records the new last segment, retention the first one and the floor', async () => {
    await fill(tmp.path);
    const files = segmentFiles(tmp.path);
    const m = readManifest(tmp.path);
    expect(m).toMatchObject({ kind: 'ok', manifest: { firstBase: 0, lastBase: parseInt(files[files.length - 1]!.slice(0, 16), 16) } });
    const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    const below = wal.segments()[3]!.baseOffset;
    expect(wal.deleteSegmentsBelow(below)).toHaveLength(3);
    await wal.close();
    expect(readManifest(tmp.path)).toMatchObject({ kind: 'ok', manifest: { firstBase: below, retentionFloor: below } });
    // A log trimmed by retention opens and checks clean.
    const reopened = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(reopened.firstOffset).toBe(below);
    await reopened.close();
    expect(checkDir(tmp.path).problems).toEqual([]);
  });

  const cases: [string, (files: string[]) => { victim: string; act: (dir: string) => void }][] = [
    ['the first segment is deleted', (f) => ({ victim: f[0]!, act: (d) => unlinkSync(join(d, f[0]!)) })],
    ['a middle segment is deleted', (f) => ({ victim: f[2]!, act: (d) => unlinkSync(join(d, f[2]!)) })],
    ['the last segment is deleted', (f) => ({ victim: f[f.length - 1]!, act: (d) => unlinkSync(join(d, f[f.length - 1]!)) })],
    ['the last segment is renamed', (f) => ({ victim: f[f.length - 1]!, act: (d) => renameSync(join(d, f[f.length - 1]!), join(d, `${f[f.length - 1]!}.bak`)) })],
    ['the first segment is renamed', (f) => ({ victim: f[0]!, act: (d) => renameSync(join(d, f[0]!), join(d, 'old.wal')) })],
    ['the last segment is truncated away (0 bytes)', (f) => ({ victim: f[f.length - 1]!, act: (d) => truncateSync(join(d, f[f.length - 1]!), 0) })],
  ];

  test.each(cases)('%s: check exits 1 naming it, open refuses naming it', async (_what, pick) => {
    await fill(tmp.path);
    const files = segmentFiles(tmp.path);
    expect(files.length).toBeGreaterThan(4);
    const { victim, act } = pick(files);
    act(tmp.path);
    const report = checkDir(tmp.path);
    expect(report.problems.map((p) => p.file)).toContain(victim);
    expect(report.problems.find((p) => p.file === victim)!.kind).toMatch(/^(missing_segment|corruption)$/);
    const err = await openError(tmp.path);
    expect(err.file).toBe(victim);
    expect(err.message).toContain(victim);
    const cli = await runCli(['wal', 'check', tmp.path]);
    expect(cli.code).toBe(1);
    expect(cli.stdout).toContain(victim);
  });

  test('a damaged manifest is corruption: open refuses, check names MANIFEST', async () => {
    await fill(tmp.path, 5);
    const bytes = readFileSync(join(tmp.path, MANIFEST_FILE));
    bytes[33]! ^= 4;
    writeFileSync(join(tmp.path, MANIFEST_FILE), bytes);
    expect((await openError(tmp.path)).file).toBe(MANIFEST_FILE);
    expect(checkDir(tmp.path).problems).toEqual([expect.objectContaining({ kind: 'corruption', file: MANIFEST_FILE })]);
  });

  test('an interrupted retention (manifest moved, segments still there) finishes on open', async () => {
    await fill(tmp.path);
    const files = segmentFiles(tmp.path);
    const m = readManifest(tmp.path);
    if (m.kind !== 'ok') throw new Error('no manifest');
    const newFirst = parseInt(files[2]!.slice(0, 16), 16);
    writeFileSync(join(tmp.path, MANIFEST_FILE), encodeManifest({ ...m.manifest, firstBase: newFirst, retentionFloor: newFirst, generation: m.manifest.generation + 1 }));
    expect(checkDir(tmp.path)).toMatchObject({ problems: [], retentionLeftovers: files.slice(0, 2) });
    const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(wal.firstOffset).toBe(newFirst);
    expect(wal.recoveryReport.retentionLeftovers).toBe(2);
    await wal.close();
    expect(segmentFiles(tmp.path)).toEqual(files.slice(2));
  });

  test('an interrupted rotation (a new empty segment the manifest does not name yet) is recorded on open', async () => {
    const offsets = await fill(tmp.path, 5);
    const wal0 = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    const head = wal0.headOffset;
    await wal0.close();
    const m = readManifest(tmp.path);
    const fresh = segmentFileName(head);
    // What a crash between creating the segment (temp + rename) and rewriting the manifest leaves.
    writeFileSync(join(tmp.path, fresh), encodeSegmentHeader(head));
    expect(checkDir(tmp.path).problems).toEqual([]);
    const wal = await Wal.open({ dir: tmp.path, logger: memoryLogger() });
    expect(wal.headOffset).toBe(head);
    expect((await wal.read(offsets[4]!)).offset).toBe(offsets[4]);
    await wal.close();
    expect(readManifest(tmp.path)).toMatchObject({ kind: 'ok', manifest: { lastBase: head, generation: (m.kind === 'ok' ? m.manifest.generation : 0) + 1 } });
  });

  test('a log from before manifests gets one built from a clean scan (logged); a damaged one is refused and gets none', async () => {
    const offsets = await fill(tmp.path);
    unlinkSync(join(tmp.path, MANIFEST_FILE));
    const logger = memoryLogger();
    const wal = await Wal.open({ dir: tmp.path, logger });
    expect(wal.recoveryReport.manifestCreated).toBe(true);
    expect(logger.lines.some((l) => l.level === 'warn' && l.msg.includes('manifest built from a clean scan'))).toBe(true);
    expect(wal.headOffset).toBe(offsets[offsets.length - 1]! + 240);
    await wal.close();
    expect(readManifest(tmp.path).kind).toBe('ok');

    unlinkSync(join(tmp.path, MANIFEST_FILE));
    unlinkSync(join(tmp.path, segmentFiles(tmp.path)[2]!));
    await openError(tmp.path);
    expect(readManifest(tmp.path).kind).toBe('absent');
  });
});
