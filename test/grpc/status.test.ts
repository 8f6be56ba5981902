import * as grpc from '@grpc/grpc-js';
import { DecodeError, SignatureError, ValidationError } from '../../shared/domain/errors';
import { AdminSignatureRequiredError, CancelledError, DeadlineError, NotFoundError, QuotaExceededError, SizeLimitError, UnavailableError } from '../../shared/grpc/errors';
import { STATUS_DETAILS_CHARS_MAX } from '../../shared/grpc/limits';
import { ERROR_NAME_METADATA_KEY, FIELD_METADATA_KEY, RETRY_AFTER_METADATA_KEY, RpcStatusError, describeError, toServiceError } from '../../shared/grpc/status';
import { createLogger } from '../../shared/telemetry/logger';
import { WalClosedError, WalCorruptionError, WalLimitError, WalLockedError, WalOffsetError, WalUnavailableError } from '../../shared/wal/errors';
import { logLines } from './fake-writer';

const S = grpc.status;
const logger = createLogger({ test: 'status' });
const field = (e: RpcStatusError): string | undefined => e.metadata.get(FIELD_METADATA_KEY)[0]?.toString();

describe('toServiceError maps each error family to its status code', () => {
  const cases: Array<[string, Error, grpc.status]> = [
    ['ValidationError', new ValidationError('record.assertion.confidence', 'must be within 0..1'), S.INVALID_ARGUMENT],
    ['DecodeError', new DecodeError('truncated varint', 'record'), S.INVALID_ARGUMENT],
    ['SignatureError', new SignatureError('record.signatures[0].signature', 'does not verify'), S.UNAUTHENTICATED],
    ['AdminSignatureRequiredError', new AdminSignatureRequiredError('record.gold_standard'), S.PERMISSION_DENIED],
    ['QuotaExceededError', new QuotaExceededError('ab'.repeat(32), 'records_per_second', 100, 250), S.RESOURCE_EXHAUSTED],
    ['SizeLimitError', new SizeLimitError('records', 1025, 1024, 'records'), S.RESOURCE_EXHAUSTED],
    ['WalLimitError', new WalLimitError('record_bytes', 70_000, 65_536), S.RESOURCE_EXHAUSTED],
    ['NotFoundError', new NotFoundError('assertion', 'ff'.repeat(32), 'id'), S.NOT_FOUND],
    ['DeadlineError', new DeadlineError(Date.now()), S.DEADLINE_EXCEEDED],
    ['CancelledError', new CancelledError(), S.CANCELLED],
    ['UnavailableError', new UnavailableError('reader is catching up'), S.UNAVAILABLE],
    ['WalUnavailableError', new WalUnavailableError('/data/wal', new Error('EIO')), S.UNAVAILABLE],
    ['WalLockedError', new WalLockedError('/data/wal', 123), S.UNAVAILABLE],
    ['WalClosedError', new WalClosedError('/data/wal'), S.UNAVAILABLE],
    ['WalCorruptionError', new WalCorruptionError('/data/wal', '0000000000000000.wal', 80, 'crc mismatch'), S.DATA_LOSS],
    ['WalOffsetError not_boundary', new WalOffsetError('not_boundary', 7, 0, 100), S.INVALID_ARGUMENT],
    ['WalOffsetError before_first', new WalOffsetError('before_first', 0, 4096, 9000), S.OUT_OF_RANGE],
    ['WalOffsetError beyond_head', new WalOffsetError('beyond_head', 9999, 0, 100), S.OUT_OF_RANGE],
    ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), S.CANCELLED],
    ['unknown Error', new TypeError('x is undefined'), S.INTERNAL],
  ];
  test.each(cases)('%s', (_label, err, code) => {
    expect(toServiceError(err, { logger }).code).toBe(code);
  });

  test('a PermissionError defined elsewhere is matched by its name', () => {
    class PermissionError extends Error {
      override readonly name = 'PermissionError';
    }
    expect(toServiceError(new PermissionError('nope'), { logger }).code).toBe(S.PERMISSION_DENIED);
  });
});

describe('what the client sees', () => {
  test('a validation error names its field in details and in the stemedb-field metadata', () => {
    const e = toServiceError(new ValidationError('record.assertion.subject', 'contains NUL'), { logger });
    expect(e.details).toBe('record.assertion.subject: contains NUL');
    expect(field(e)).toBe('record.assertion.subject');
    expect(e.metadata.get(ERROR_NAME_METADATA_KEY)).toEqual(['ValidationError']);
  });

  test('an error without a field takes the field the handler names (a Tail offset)', () => {
    const e = toServiceError(new WalOffsetError('not_boundary', 7, 0, 100), { logger, field: 'from_offset' });
    expect(field(e)).toBe('from_offset');
    expect(e.details).toContain('offset 7 is not the start of a record');
  });

  test('a quota error carries retry-after in metadata', () => {
    const e = toServiceError(new QuotaExceededError('aa', 'records_per_second', 10, 1500.2), { logger });
    expect(e.metadata.get(RETRY_AFTER_METADATA_KEY)).toEqual(['1501']);
  });

  test('an unknown error becomes INTERNAL with a generic text; the message and stack go to the log under an incident id', () => {
    const secret = new Error('password=hunter2 at /etc/secret');
    const e = toServiceError(secret, { logger, method: '/stemedb.v1.WriterService/Append' });
    expect(e.code).toBe(S.INTERNAL);
    expect(e.details).not.toContain('hunter2');
    const incident = /incident ([0-9a-f]{12})/.exec(e.details)?.[1];
    expect(incident).toBeDefined();
    const line = logLines.find((l) => l.incident === incident);
    expect(line).toMatchObject({ level: 'error', error: secret.message, method: '/stemedb.v1.WriterService/Append' });
    expect(String(line?.stack)).toContain('status.test.ts');
  });

  test('a thrown non-Error value is INTERNAL too', () => {
    expect(toServiceError('just a string', { logger }).code).toBe(S.INTERNAL);
  });

  test('log failures are not described to the client beyond "nothing was acknowledged"', () => {
    const e = toServiceError(new WalUnavailableError('/data/wal', new Error('EIO: fsync failed')), { logger });
    expect(e.details).toContain('nothing was acknowledged');
    expect(e.details).not.toContain('/data/wal');
    expect(e.details).not.toContain('EIO');
  });

  test(`details are cut at ${STATUS_DETAILS_CHARS_MAX} characters (±1)`, () => {
    const at = (n: number): string => toServiceError(new ValidationError('f', 'x'.repeat(n - 3)), { logger }).details; // 'f: ' + reason
    expect(at(STATUS_DETAILS_CHARS_MAX - 1)).toHaveLength(STATUS_DETAILS_CHARS_MAX - 1);
    expect(at(STATUS_DETAILS_CHARS_MAX)).toHaveLength(STATUS_DETAILS_CHARS_MAX);
    const cut = at(STATUS_DETAILS_CHARS_MAX + 1);
    expect(cut).toHaveLength(STATUS_DETAILS_CHARS_MAX);
    expect(cut.endsWith('…')).toBe(true);
  });

  test('an RpcStatusError passes through unchanged', () => {
    const e = new RpcStatusError(S.FAILED_PRECONDITION, 'already done');
    expect(toServiceError(e)).toBe(e);
  });

  test("an upstream call's failure is UNAVAILABLE to our caller, except its deadline and cancellation", () => {
    const upstream = (code: grpc.status): grpc.ServiceError => Object.assign(new Error('x'), { code, details: 'boom', metadata: new grpc.Metadata() });
    expect(describeError(upstream(S.INTERNAL), { logger })).toMatchObject({ code: S.UNAVAILABLE, details: 'upstream INTERNAL: boom' });
    expect(describeError(upstream(S.DEADLINE_EXCEEDED), { logger }).code).toBe(S.DEADLINE_EXCEEDED);
    expect(describeError(upstream(S.CANCELLED), { logger }).code).toBe(S.CANCELLED);
  });

  test('describeError gives code, details and field for an in-stream AppendError', () => {
    expect(describeError(new SignatureError('record.signatures[1]', 'signs another id'), { logger })).toEqual({
      code: S.UNAUTHENTICATED,
      details: 'record.signatures[1]: signs another id',
      field: 'record.signatures[1]',
      name: 'SignatureError',
      retryAfterMs: undefined,
    });
  });
});
