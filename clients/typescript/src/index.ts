/**
 * @stemedb/client — the TypeScript client of StemeDB.
 *
 * Records (typed, canonical bytes, ids, Ed25519 signing: the same code the
 * servers run), a WriterClient (Append / AppendBatch / AppendStream with flow
 * control and safe retry, Head, Tail with resume), a ReaderClient (every
 * query, History, Watch with resume) and a Session that carries the last
 * receipt's offset for read-your-writes. See README.md and API.md.
 */
export * from '../../../shared/domain/types';
export { canonicalBytes, canonicalObjectBytes } from '../../../shared/domain/canonical';
export { blake3, recordId } from '../../../shared/domain/hash';
export { generateKeyPair, keyPairFromSeed, signRecord, signId, signingMessage, verifyRecord, verifySignature, type KeyPair } from '../../../shared/domain/signing';
export { validateRecord } from '../../../shared/domain/validate';
export { recordFromJson, recordToJson, parseRecordJson, objectFromJson, objectToJson } from '../../../shared/domain/record-json';
export { recordFromProto, recordToProto, objectFromProto, objectToProto } from '../../../shared/domain/proto-convert';
export { readKeyFile, writeKeyFile, parseKeyFile, keyFileJson } from '../../../shared/domain/key-file';
export { ValidationError, SignatureError, DecodeError, KeyFileError } from '../../../shared/domain/errors';
export * as pb from './pb';
export { assertion, vote, epoch, goldStandard, trustPack, cosign, idOf, type AssertionInput } from './records';
export { Session } from './session';
export { WriterClient, APPEND_RETRY_CODES, type WriterClientOptions, type TailOptions } from './writer';
export { AppendStream, type AppendStreamOptions } from './append-stream';
export { ReaderClient, type ReaderClientOptions, type QueryOptions, type Answer, type LensName, type Paged } from './reader';
export type { WatchEvent, WatchOptions } from './watch';
export { StemeRpcError, toRpcError, FIELD_TRAILER, ERROR_TRAILER, RETRY_AFTER_TRAILER } from './errors';
export { ProtocolError } from './convert';
export type { CallOptions, ConnectOptions } from './rpc';
export type { Receipt, LogRecordView, Head } from './types';
export * from './limits';
