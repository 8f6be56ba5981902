/** The record bytes of a log payload: shared with the writer, see shared/domain/record-bytes.ts. */
export { recordBytesOf } from '../../shared/domain/record-bytes';
