/** The one Ed25519 signature verifier (worker threads, libsodium) shared by the writer and ingest. */
export { SignatureVerifier, defaultVerifyWorkers, type SignatureVerifierOptions, type SignatureVerifierStats } from './signature-verifier';
export { VERIFY_BATCH_SIGNATURES_MAX, VERIFY_WORKERS_MAX } from './limits';
