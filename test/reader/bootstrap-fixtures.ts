/** Shared by the bootstrap tests: bulk appends and answer comparisons between two readers. */
import { recordToProto } from '../../shared/domain/proto-convert';
import type { StemeRecord } from '../../shared/domain/types';
import { Lens, type HistoryResponse, type ReaderServiceClient } from '../../shared/gen/stemedb/v1/reader';
import { callUnary } from '../../shared/grpc/client';
import { client as writerClient } from '../writer/writer-fixtures';
import { CLI, startNode, waitForReady, type ServiceProcess } from '../helpers/process';
import { options } from './reader-fixtures';

/** A reader whose start may take long (a catch-up or a restore under load): its ready line within `readyMs`. */
export async function startReaderWithin(dataDir: string, args: string[], readyMs: number, env: NodeJS.ProcessEnv = {}): Promise<ServiceProcess> {
  const proc = startNode(CLI, ['reader', '--data', dataDir, ...args, '--listen', '127.0.0.1:0'], { STEMEDB_LOG_LEVEL: 'warn', ...env });
  const ready = await waitForReady(proc, readyMs);
  return {
    address: String(ready.address),
    ready,
    proc,
    stop: async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      return proc.exited;
    },
  };
}

/** Appends with AppendBatch (500 a call); returns the offset just past the last record. */
export async function appendAll(address: string, records: readonly StemeRecord[]): Promise<number> {
  const c = writerClient(address);
  let next = 0;
  try {
    for (let i = 0; i < records.length; i += 500) {
      const res = await callUnary(c.appendBatch.bind(c), { records: records.slice(i, i + 500).map(recordToProto) }, { deadlineMs: 60_000 });
      const head = await callUnary(c.head.bind(c), {}, { deadlineMs: 10_000 });
      next = Number(head.headOffset);
      void res;
    }
  } finally {
    c.close();
  }
  return next;
}

export const LENSES = [Lens.LENS_CONSENSUS, Lens.LENS_RECENCY, Lens.LENS_AUTHORITY, Lens.LENS_THRESHOLD] as const;

type Query = { subject: string; predicate: string; lens: Lens; at: { minOffset?: bigint; asOfOffset?: bigint } };

async function history(c: ReaderServiceClient, q: Query): Promise<HistoryResponse[]> {
  const call = c.history({ subject: q.subject, predicate: q.predicate, options: options({ lens: q.lens, ...q.at }), pageSize: 50 }, { deadline: Date.now() + 20_000 });
  const out: HistoryResponse[] = [];
  for await (const m of call as AsyncIterable<HistoryResponse>) out.push(m);
  return out;
}

/** Resolve, Explain and History of one query on one reader, as one comparable value. */
export async function answersOf(c: ReaderServiceClient, q: Query): Promise<unknown> {
  const request = { subject: q.subject, predicate: q.predicate, options: options({ lens: q.lens, ...q.at }) };
  const [resolved, explained, pages] = await Promise.all([
    callUnary(c.resolve.bind(c), request, { deadlineMs: 20_000 }),
    callUnary(c.explain.bind(c), request, { deadlineMs: 20_000 }),
    history(c, q),
  ]);
  return { resolved, explained, pages };
}
