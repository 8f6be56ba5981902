/**
 * The protobuf `Record` bytes inside a log payload, as the log carries them:
 * H keeps them (shared/graph/stored-record.ts) instead of re-encoding the
 * decoded record. A wire-format walk over the LogEntry body (field 3 is
 * `record`, wire-fields.ts), run only on payloads that already decoded: it
 * answers undefined — re-encode — for anything it does not take apart exactly
 * (a record field split in two, which protobuf merges; groups; truncation).
 */
import { PAYLOAD_HEADER_BYTES } from './log-payload';
import { lenFieldsOf } from './wire-fields';

/** LogEntry.record's field number. */
const RECORD_FIELD = 3;

/** A view of the record's bytes within `payload`, or undefined when they cannot be cut out exactly. */
export function recordBytesOf(payload: Buffer): Buffer | undefined {
  const found = lenFieldsOf(payload, RECORD_FIELD, PAYLOAD_HEADER_BYTES);
  return found?.length === 1 ? found[0] : undefined;
}
