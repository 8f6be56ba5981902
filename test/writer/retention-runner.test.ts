/**
 * The writer's retention runner over a real Wal in-process: it runs after a
 * rotation (no timer needed), makes the consumers' cursors durable before it
 * deletes, records a `writer.retention` span, and never deletes above a cursor.
 */
import { ConsumerRegistry } from '../../services/writer/consumer-registry';
import { readConsumersFile } from '../../services/writer/consumer-file';
import { Retention } from '../../services/writer/retention';
import { Wal } from '../../shared/wal';
import { useSpanCapture } from '../helpers/spans';
import { useTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { memoryLogger, payloadOf } from '../wal/wal-fixtures';

describe('the retention runner', () => {
  const tmp = useTempDir('stemedb-retention-runner-');
  const spans = useSpanCapture();

  it('runs after a rotation, writes the cursors first, and deletes only below the lowest cursor', async () => {
    let retention: Retention | undefined;
    const rotations: number[] = [];
    const wal = await Wal.open({
      dir: tmp.path,
      durability: 'none',
      segmentBytesMax: 1024,
      logger: memoryLogger(),
      onRotate: (base) => {
        rotations.push(base);
        retention?.schedule();
      },
    });
    try {
      const registry = ConsumerRegistry.open(tmp.path, wal.logId, memoryLogger());
      retention = new Retention(wal, registry, { enabled: true, keepBytes: 0, lagBytesMax: 1 << 30 }, memoryLogger());
      registry.report('a', 0);
      for (let i = 0; i < 20; i++) await wal.append(payloadOf(200));
      expect(rotations.length).toBeGreaterThan(3);
      expect(rotations).toEqual(wal.segments().slice(1).map((s) => s.baseOffset));
      // Cursor 0 holds everything, however many rotations ran the pass.
      expect(wal.firstOffset).toBe(0);

      const cut = wal.segments()[2]!.baseOffset;
      registry.report('a', cut); // moving up: in memory only until the next pass
      expect(readConsumersFile(tmp.path, wal.logId)[0]!.appliedOffset).toBe(0);
      spans.reset();
      await wal.append(payloadOf(900)); // rotates: the pass runs on its own
      await waitFor(() => (wal.firstOffset === cut ? true : undefined), 'the pass after the rotation');
      expect(readConsumersFile(tmp.path, wal.logId)[0]!.appliedOffset).toBe(cut);
      const pass = spans.getFinishedSpans().find((s) => s.name === 'writer.retention' && s.attributes.segments_deleted === 2);
      expect(pass?.attributes).toMatchObject({ segments_deleted: 2, bound: cut, first_offset: cut, retention_floor: cut, consumers: 1, consumers_expired: 0 });
      expect(pass?.attributes.bytes_deleted).toBe(cut + 2 * 32);
    } finally {
      retention?.stop();
      await wal.close();
    }
  });

  it('off: a pass deletes nothing, and start() sets no timer', async () => {
    const wal = await Wal.open({ dir: tmp.path, durability: 'none', segmentBytesMax: 1024, logger: memoryLogger() });
    try {
      const registry = ConsumerRegistry.open(tmp.path, wal.logId, memoryLogger());
      const retention = new Retention(wal, registry, { enabled: false, keepBytes: 0, lagBytesMax: 1 << 30 }, memoryLogger());
      for (let i = 0; i < 20; i++) await wal.append(payloadOf(200));
      const first = wal.firstOffset;
      retention.start(10);
      expect(retention.runOnce()).toMatchObject({ segmentsDeleted: 0, bound: undefined });
      expect(wal.firstOffset).toBe(first);
      retention.stop();
    } finally {
      await wal.close();
    }
  });
});
