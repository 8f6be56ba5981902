/** A WriterLog for in-process writer tests (every append waits until the test releases it), and a writer over one. */
import { Admission } from '../../services/writer/admission';
import { AppendLoad } from '../../services/writer/append-load';
import { AgentQuota } from '../../services/writer/quota';
import { writerService } from '../../services/writer/service';
import type { WriterLog } from '../../services/writer/writer-log';
import { WriterServiceClient } from '../../shared/gen/stemedb/v1/writer';
import { makeClient } from '../../shared/grpc/client';
import { startServer, type RunningServer } from '../../shared/grpc/server';
import { createLogger } from '../../shared/telemetry/logger';
import type { AppendBatchResult, AppendResult } from '../../shared/wal';

export class HeldLog implements WriterLog {
  readonly held: Array<() => void> = [];
  started = 0;
  private next = 0;
  headOffset = 0;
  firstOffset = 0;

  append(payload: Uint8Array): Promise<AppendResult> {
    return this.appendBatch([payload]).then(({ offset, nextOffset }) => ({ offset, nextOffset }));
  }

  appendBatch(payloads: readonly Uint8Array[]): Promise<AppendBatchResult> {
    this.started += payloads.length;
    return new Promise((resolve) => {
      this.held.push(() => {
        const offset = this.next;
        const offsets: number[] = [];
        for (const p of payloads) {
          offsets.push(this.next);
          this.next += 40 + p.length;
        }
        this.headOffset = this.next;
        resolve({ offset, nextOffset: this.next, offsets });
      });
    });
  }

  /** Complete the `n` oldest held appends (or batches). */
  release(n: number): void {
    for (const done of this.held.splice(0, n)) done();
  }

  readFrom(): Promise<never[]> {
    return Promise.resolve([]);
  }
  waitFor(): Promise<void> {
    return new Promise(() => undefined);
  }
  segments(): [] {
    return [];
  }
}

/** An in-process writer over a HeldLog, on a free loopback port, and a client of it. */
export interface HeldWriter {
  readonly log: HeldLog;
  readonly admission: Admission;
  readonly server: RunningServer;
  readonly client: WriterServiceClient;
  /** Closes the client, the server and the admission's verifier. */
  stop(): Promise<void>;
}

export async function startHeldWriter(test: string, options: { quota?: AgentQuota; load?: AppendLoad } = {}): Promise<HeldWriter> {
  const log = new HeldLog();
  const logger = createLogger({ test });
  const admission = new Admission([], options.quota ?? new AgentQuota({ recordsPerSec: 0, burstRecords: 0 }));
  const deps = { log, admission, logger, onLogUnwritable: () => undefined, load: options.load ?? new AppendLoad() };
  const server = await startServer({ address: '127.0.0.1:0', services: [writerService(deps)], logger, maxConnectionAgeMs: null });
  const client = makeClient(WriterServiceClient, server.address);
  return {
    log,
    admission,
    server,
    client,
    stop: async () => {
      client.close();
      await server.shutdown(1_000);
      await admission.verifier.close();
    },
  };
}
