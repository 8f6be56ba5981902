/**
 * Worker thread of the VerifyPool: decodes and verifies log payloads (the CPU
 * cost of ingest: Ed25519 verification) off the applying thread. Answers one
 * verdict per payload, in order.
 */
import { parentPort } from 'node:worker_threads';
import { checkRecord } from './check-record';
import type { VerifyRequest, VerifyResponse, Verdict } from './verify-pool';

parentPort?.on('message', (req: VerifyRequest) => {
  const verdicts: Verdict[] = req.payloads.map((payload) => {
    const c = checkRecord({ offset: 0, nextOffset: 0, hash: Buffer.alloc(0), payload: Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength) });
    return c.ok ? { ok: true, id: c.id.toString('hex') } : { ok: false, reason: c.reason, error: c.error };
  });
  const res: VerifyResponse = { seq: req.seq, verdicts };
  parentPort!.postMessage(res);
});
