/**
 * The graph data model on the hybrid store: what each key's value holds
 * (docs/STORAGE.md "Data model"), and the read API the reader service builds on.
 * Ingest (services/ingest) is the only writer.
 */
export { GraphReader, type AsOf, type GraphReaderOptions, type PageRequest } from './graph-reader';
export { DecodedRecordCache } from './decoded-cache';
export type { AssertionView, EscalationView, Page, RecordView, VoterVotes } from './views';
export { candidateOf, votesAsOf } from './views';
export { GraphInputError, GraphValueError } from './errors';
export { DECODED_RECORDS_CACHED_MAX, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX } from './limits';
export { GRAPH_META, MATERIALIZED_LENS } from './meta';
export { decodeTrustEvidence, encodeTrustEvidence, NO_EVIDENCE, withJudgement, type TrustEvidence } from './trust-evidence';
export { decodeStoredRecord, encodeStoredRecord, mergedRecord, signersOf, type SignerAt, type StoredRecord } from './stored-record';
export { currentVote, decodeVoteHistory, encodeVoteHistory, isLaterVote, netVote, type VoteAt } from './vote-history';
export { decodeF64, decodeU64, encodeF64, encodeU64 } from './scalars';
export { formatDumpEntry, formatValue } from './value-format';
export { writeOps } from './write-ops';
export { agentHistory, revokedAgents } from './agent-reads';
export { REVOKED_AGENTS_READ_MAX } from './limits';
