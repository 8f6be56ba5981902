/**
 * One trace across real processes: the agent's `stemedb assert` call, the
 * writer's Append with its wal.append and wal.group_commit (fsync), and the
 * reader's ingest of that very record, all under one trace id, exported over
 * OTLP/HTTP to a receiver this test starts.
 */
import { join } from 'node:path';
import { CLI, kill9, runCli, startNode, waitForReady, type Spawned } from '../helpers/process';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../helpers/otlp-receiver';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const SERVER = 2;
const CLIENT = 3;

describe('a trace spans agent → writer → fsync → reader ingest', () => {
  let receiver: OtlpReceiver;
  let dir: { path: string; cleanup: () => void };
  let env: NodeJS.ProcessEnv;
  const procs: Spawned[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    dir = makeTempDir();
    env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_METRICS_EXPORTER: 'none',
      OTEL_TRACES_SAMPLER: 'always_on',
    };
  });

  afterAll(async () => {
    for (const p of procs) await kill9(p);
    await receiver.close();
    dir.cleanup();
  });

  it('shares one trace id from the client call to the ingest on the reader', async () => {
    const writer = startNode(CLI, ['writer', '--wal', join(dir.path, 'wal'), '--listen', '127.0.0.1:0'], env);
    procs.push(writer);
    const writerAddress = String((await waitForReady(writer)).address);
    const reader = startNode(CLI, ['reader', '--data', join(dir.path, 'reader'), '--writer', writerAddress, '--listen', '127.0.0.1:0'], env);
    procs.push(reader);
    const readerAddress = String((await waitForReady(reader)).address);

    const keyFile = join(dir.path, 'agent.key');
    expect((await runCli(['keygen', '--out', keyFile])).code).toBe(0);
    const asserted = await runCli(['assert', '--writer', writerAddress, '--key', keyFile, '--subject', 'water', '--predicate', 'boils_at_c', '--object', '100', '--type', 'number', '--json'], env);
    expect(asserted.stderr).toBe('');
    expect(asserted.code).toBe(0);
    const receipt = JSON.parse(asserted.stdout) as { id: string; offset: number | string };
    const offset = Number(receipt.offset);
    const resolved = await runCli(['resolve', '--reader', readerAddress, '--subject', 'water', '--predicate', 'boils_at_c', '--min-offset', String(offset), '--json'], env);
    expect(resolved.code).toBe(0);

    const isAppendCall = (s: ReceivedSpan): boolean => s.service === 'stemedb-cli' && s.kind === CLIENT && s.name.endsWith('stemedb.v1.WriterService/Append');
    const trace = await waitFor(
      () => {
        const client = receiver.spans().find(isAppendCall);
        if (client === undefined) return undefined;
        const inTrace = receiver.spans().filter((s) => s.traceId === client.traceId);
        const has = (service: string, pred: (s: ReceivedSpan) => boolean): boolean => inTrace.some((s) => s.service === service && pred(s));
        const complete =
          has('stemedb-writer', (s) => s.kind === SERVER && s.name.endsWith('stemedb.v1.WriterService/Append')) &&
          has('stemedb-writer', (s) => s.name === 'wal.append') &&
          has('stemedb-writer', (s) => s.name === 'wal.group_commit' && typeof s.attributes.fsync_us === 'number') &&
          has('stemedb-reader', (s) => s.name === 'ingest.record' && s.attributes.offset === offset);
        return complete ? inTrace : undefined;
      },
      'the whole trace at the receiver',
      20_000,
      25,
    );

    const byName = (service: string, name: string): ReceivedSpan => trace.find((s) => s.service === service && s.name === name)!;
    const serverAppend = trace.find((s) => s.service === 'stemedb-writer' && s.kind === SERVER)!;
    const clientAppend = trace.find(isAppendCall)!;
    // The writer's server span is the child of the agent's client span.
    expect(serverAppend.parentSpanId).toBe(clientAppend.spanId);
    expect(byName('stemedb-writer', 'wal.group_commit').attributes).toMatchObject({ records: 1, offset });
    expect(byName('stemedb-reader', 'ingest.record').attributes).toMatchObject({ offset, record_kind: 'assertion', id: receipt.id });
  });
});
