/** The generated protobuf types and service clients (ts-proto), for callers that need the wire forms. */
export * as records from '../../../shared/gen/stemedb/v1/records';
export * as writer from '../../../shared/gen/stemedb/v1/writer';
export * as reader from '../../../shared/gen/stemedb/v1/reader';
