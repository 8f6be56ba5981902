/**
 * Test fixture (compiled into dist/, run as a child process by test/wal): opens a
 * WAL and runs concurrent appenders, printing one line per acknowledged record,
 *   ack <offset> <nextOffset> <sha256 of the payload, hex>
 * so the parent can SIGKILL it at any moment and check every acknowledged record
 * afterwards. Stdout writes to a pipe are synchronous on Linux, so a printed ack
 * reaches the parent even if the process dies right after.
 *
 * usage: crash-appender.js --dir DIR [--concurrency N] [--count N] [--size-max BYTES]
 *                          [--durability fsync|none] [--segment-bytes-max BYTES] [--hold]
 * --count is per appender (default: run until killed); --hold only takes the lock.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Wal } from '../wal';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      count: { type: 'string' },
      'size-max': { type: 'string', default: '2000' },
      durability: { type: 'string', default: 'fsync' },
      'segment-bytes-max': { type: 'string' },
      hold: { type: 'boolean', default: false },
    },
  });
  if (values.dir === undefined) throw new Error('--dir is required');
  const durability = values.durability === 'none' ? 'none' : 'fsync';
  const wal = await Wal.open({
    dir: values.dir,
    durability,
    ...(values['segment-bytes-max'] !== undefined ? { segmentBytesMax: Number(values['segment-bytes-max']) } : {}),
  });
  process.stdout.write(JSON.stringify({ ready: true, service: 'wal-crash-appender', pid: process.pid, head: wal.headOffset, recovery: wal.recoveryReport }) + '\n');
  if (values.hold) {
    setInterval(() => undefined, 1 << 30);
    return;
  }
  const sizeMax = Number(values['size-max']);
  const count = values.count === undefined ? Infinity : Number(values.count);
  await Promise.all(
    Array.from({ length: Number(values.concurrency) }, async () => {
      for (let i = 0; i < count; i++) {
        const payload = randomBytes(1 + Math.floor(Math.random() * sizeMax));
        const r = await wal.append(payload);
        process.stdout.write(`ack ${r.offset} ${r.nextOffset} ${createHash('sha256').update(payload).digest('hex')}\n`);
      }
    }),
  );
  await wal.close();
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`crash-appender: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
  process.exitCode = 1;
});
