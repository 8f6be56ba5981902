/** `stemedb status` for a reader cut off from its writer: the head and the lag are unknown, never 0. */
import { join } from 'node:path';
import { runCli, startService } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';

it('reports an unknown head and lag (null in JSON) when the reader cannot reach its writer', async () => {
  const tmp = makeTempDir('stemedb-status-cut-');
  const writer = await startService('writer', ['--wal', join(tmp.path, 'wal'), '--listen', '127.0.0.1:0']);
  const reader = await startService('reader', ['--data', join(tmp.path, 'store'), '--writer', writer.address, '--listen', '127.0.0.1:0']);
  try {
    await writer.stop();
    const json = await runCli(['status', '--reader', reader.address, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ service: 'reader', writer_head_offset: null, lag_bytes: null });
    const text = await runCli(['status', '--reader', reader.address]);
    expect(text.stdout).toMatch(/lag: +unknown/);
  } finally {
    await reader.stop();
    await writer.stop();
    tmp.cleanup();
  }
}, 90_000);
