/**
 * The verification worker's whole program: one function, started with
 * `new Worker(source, { eval: true })`, so the same program runs from the
 * TypeScript sources under jest and from dist/ (its compiled text is the
 * worker's source). It must be self-contained: no imports, only `require`.
 *
 * Protocol. A request is `{ batch, count, entries }`, `entries` one transferred
 * ArrayBuffer of `count` entries `[message length: u8][message][public key: 32]
 * [signature: 64]`; the answer is `{ batch, ok }`, one byte per entry, 1 when
 * the signature verifies (libsodium's `crypto_sign_verify_detached`). The
 * calling thread has already refused malformed input and weak keys.
 */

/** What the worker is started with. */
export interface VerifyWorkerData {
  /** Resolved path of the sodium-native package (an eval'd worker resolves nothing relative to a file). */
  readonly sodiumPath: string;
  readonly publicKeyBytes: number;
  readonly signatureBytes: number;
}

export interface VerifyWorkerRequest {
  readonly batch: number;
  readonly count: number;
  readonly entries: ArrayBuffer;
}

export interface VerifyWorkerAnswer {
  readonly batch: number;
  readonly ok: Uint8Array;
}

function verifyWorkerMain(): void {
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const data = workerData as VerifyWorkerData;
  const sodium = require(data.sodiumPath) as typeof import('sodium-native');
  const pkBytes = data.publicKeyBytes;
  const sigBytes = data.signatureBytes;
  parentPort!.on('message', (req: VerifyWorkerRequest) => {
    const bytes = new Uint8Array(req.entries);
    const ok = new Uint8Array(req.count);
    let at = 0;
    for (let i = 0; i < req.count; i++) {
      const len = bytes[at]!;
      const message = bytes.subarray(at + 1, at + 1 + len);
      const key = bytes.subarray(at + 1 + len, at + 1 + len + pkBytes);
      const sig = bytes.subarray(at + 1 + len + pkBytes, at + 1 + len + pkBytes + sigBytes);
      at += 1 + len + pkBytes + sigBytes;
      try {
        ok[i] = sodium.crypto_sign_verify_detached(sig, message, key) ? 1 : 0;
      } catch {
        ok[i] = 0;
      }
    }
    const answer: VerifyWorkerAnswer = { batch: req.batch, ok };
    parentPort!.postMessage(answer, [ok.buffer]);
  });
}

/** The worker's source text: the compiled function, called. */
export const VERIFY_WORKER_SOURCE = `(${verifyWorkerMain.toString()})();`;
