/**
 * kill -9 under concurrent load: every acknowledged record is found via Tail
 * after a restart on the same WAL, and a WriterTailSource consumer rides
 * through the outage without gaps or duplicates.
 */
import * as grpc from '@grpc/grpc-js';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { recordId } from '../../shared/domain/hash';
import type { Receipt } from '../../shared/gen/stemedb/v1/writer';
import { callUnary } from '../../shared/grpc/client';
import { setLogLevel } from '../../shared/telemetry/logger';
import { WriterTailSource } from '../../services/ingest/sources/writer-tail-source';
import type { SourceRecord } from '../../services/ingest/wal-source';
import { kill9 } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';
import { append, client, pb, signedAssertion, startWriterProcess } from './writer-fixtures';

const APPENDERS = 4;
/** Acknowledged appends before the kill. */
const ACKS_BEFORE_KILL = 150;
const APPENDS_AFTER_RESTART = 20;

setLogLevel('error');

describe('writer killed with SIGKILL mid-load', () => {
  it('keeps every acknowledged record, and a WriterTailSource resumes across the restart with no gap or duplicate', async () => {
    const tmp = makeTempDir('stemedb-writer-crash-');
    const consumer = new AbortController();
    let source: WriterTailSource | undefined;
    try {
      const first = await startWriterProcess(tmp.path);
      const listen = first.address; // restart on the same port so the source's channel finds it again
      source = new WriterTailSource(listen, { backoffMsMin: 20, backoffMsMax: 200 });
      const delivered: SourceRecord[] = [];
      const consuming = (async () => {
        for await (const r of source.records(0, consumer.signal)) delivered.push(r);
      })();

      const acked: Receipt[] = [];
      let stop = false;
      const c = client(first.address);
      const appenders = Array.from({ length: APPENDERS }, async (_, k) => {
        for (let i = 0; !stop; i++) {
          try {
            acked.push(await append(c, pb(signedAssertion(`crash-${k}-${i}`)), 2_000));
          } catch (err) {
            if ((err as grpc.ServiceError).code === undefined) throw err;
            return; // the writer is gone: stop this appender
          }
        }
      });
      await waitFor(() => (acked.length >= ACKS_BEFORE_KILL ? true : undefined), `${ACKS_BEFORE_KILL} acknowledged appends`, 30_000);
      await kill9(first.proc);
      stop = true;
      await Promise.all(appenders);
      c.close();
      expect(acked.length).toBeGreaterThanOrEqual(ACKS_BEFORE_KILL);

      const second = await startWriterProcess(tmp.path, [], {}, listen);
      const c2 = client(second.address);
      for (let i = 0; i < APPENDS_AFTER_RESTART; i++) acked.push(await append(c2, pb(signedAssertion(`after-${i}`))));
      const head = Number((await callUnary(c2.head.bind(c2), {})).headOffset);

      // Every acknowledged record is in the log, with the id its receipt named.
      const byOffset = new Map<number, Buffer>();
      let count = 0;
      await new Promise<void>((resolve, reject) => {
        const call = c2.tail({ fromOffset: 0n, maxBatchBytes: 0 });
        call.on('data', (m: { records: Array<{ offset: bigint; payload: Buffer }> }) => {
          for (const r of m.records) {
            byOffset.set(Number(r.offset), recordId(decodeLogPayload(r.payload).record));
            count += 1;
            if (Number(r.offset) + 40 + r.payload.length === head) {
              call.cancel();
              resolve();
            }
          }
        });
        call.on('error', (e: grpc.ServiceError) => (e.code === grpc.status.CANCELLED ? undefined : reject(e)));
      });
      expect(byOffset.size).toBe(count);
      for (const r of acked) expect(byOffset.get(Number(r.offset))?.equals(r.id)).toBe(true);

      // The source delivered the same log: contiguous from 0, each record once, up to the head.
      await waitFor(() => (delivered.length > 0 && delivered[delivered.length - 1]!.nextOffset === head ? true : undefined), 'the source to reach the head', 30_000);
      let expected = 0;
      for (const r of delivered) {
        expect(r.offset).toBe(expected);
        expected = r.nextOffset;
      }
      expect(delivered).toHaveLength(count);
      expect(source.connects).toBeGreaterThanOrEqual(2);
      consumer.abort();
      await consuming;
      c2.close();
      expect(await second.stop()).toBe(0);
    } finally {
      consumer.abort();
      await source?.close();
      tmp.cleanup();
    }
  });
});
