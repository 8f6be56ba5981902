/** The public API of the domain layer: records, limits, validation, ids and signatures. */
export * from './types';
export * from './limits';
export * from './errors';
export { validateRecord, validateObject } from './validate';
export { canonicalBytes, canonicalObjectBytes, sortTrustEntries, OBJECT_KIND_BYTE } from './canonical';
export { blake3, recordId } from './hash';
export { publicKeyProblem } from './public-key';
export { ed25519Verify } from './ed25519';
export {
  generateKeyPair,
  keyPairFromSeed,
  signingMessage,
  signId,
  signRecord,
  verifySignature,
  verifyRecord,
  signedMessage,
  signatureFailure,
  type KeyPair,
} from './signing';
export { installStrictUtf8Decoding } from './strict-utf8';
export { recordFromProto, recordToProto, objectFromProto, objectToProto, decodeRecordBytes, encodeRecordBytes } from './proto-convert';
export { encodeLogPayload, decodeLogPayload, peekRecordType, PAYLOAD_HEADER_BYTES } from './log-payload';
export { recordFromJson, recordToJson, parseRecordJson, objectFromJson, objectToJson, type RecordFromJsonOptions } from './record-json';
export { readKeyFile, writeKeyFile, parseKeyFile, keyFileJson } from './key-file';
export type { ValidateOptions } from './validate';
