/**
 * The retention rule, the consumer registry file and the registry's bounds
 * (docs/OPERATIONS.md, "Retention"): pure vectors and files in a temp dir.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidationError } from '../../shared/domain/errors';
import { SizeLimitError } from '../../shared/grpc/errors';
import { ConsumerFileError, consumerIdProblem, decodeConsumers, encodeConsumers, readConsumersFile, writeConsumersFile, type ConsumerEntry } from '../../services/writer/consumer-file';
import { ConsumerRegistry } from '../../services/writer/consumer-registry';
import { CONSUMER_ID_BYTES_MAX, CONSUMERS_FILE_NAME, CONSUMERS_MAX } from '../../services/writer/limits';
import { retentionDecision, type RetentionPolicy } from '../../services/writer/retention-rule';
import { useTempDir } from '../helpers/tmp';
import { memoryLogger } from '../wal/wal-fixtures';

const LOG_ID = '00112233445566778899aabbccddeeff';
const ON: RetentionPolicy = { enabled: true, keepBytes: 1000, lagBytesMax: 5000 };
const quiet = memoryLogger();

function cursor(consumerId: string, appliedOffset: number): ConsumerEntry {
  return { consumerId, appliedOffset, registeredAtMs: 1, reportedAtMs: 2 };
}

describe('the retention rule', () => {
  const log = { headOffset: 10_000, firstOffset: 0 };

  it('keeps keep_bytes behind the head when no consumer holds more', () => {
    expect(retentionDecision(ON, log, []).bound).toBe(9000);
    expect(retentionDecision(ON, log, [cursor('a', 9500)]).bound).toBe(9000);
  });

  it('never goes above the lowest cursor of a consumer that has not expired', () => {
    const d = retentionDecision(ON, log, [cursor('a', 9500), cursor('b', 6000)]);
    expect(d.bound).toBe(6000);
    expect(d.consumers.map((c) => [c.consumerId, c.lagBytes, c.expired])).toEqual([
      ['a', 500, false],
      ['b', 4000, false],
    ]);
  });

  it('a consumer lagging more than lag_bytes_max expires and stops holding (at the bound exactly it still holds)', () => {
    expect(retentionDecision(ON, log, [cursor('b', 5000)]).bound).toBe(5000); // lag 5000 = the bound: holds
    const d = retentionDecision(ON, log, [cursor('b', 4999)]); // lag 5001: expired
    expect(d.bound).toBe(9000);
    expect(d.consumers[0]!.expired).toBe(true);
  });

  it('a cursor below the first offset is expired whatever the lag; nothing to delete at or below the first offset', () => {
    const trimmed = { headOffset: 10_000, firstOffset: 7000 };
    expect(retentionDecision(ON, trimmed, [cursor('c', 6999)]).consumers[0]!.expired).toBe(true);
    expect(retentionDecision(ON, trimmed, [cursor('c', 6999)]).bound).toBe(9000);
    expect(retentionDecision(ON, trimmed, [cursor('c', 7000)]).bound).toBeUndefined();
  });

  it("never goes above what the writer itself has yet to read (its id index), which never expires", () => {
    expect(retentionDecision(ON, log, [], 4000).bound).toBe(4000);
    expect(retentionDecision(ON, log, [cursor('a', 6000)], 4000).bound).toBe(4000);
    expect(retentionDecision(ON, log, [cursor('a', 5500)], 6000).bound).toBe(5500);
    expect(retentionDecision(ON, log, [cursor('b', 0)], 4000).bound).toBe(4000); // b expired
  });

  it('off: no bound, and lag alone never expires anyone', () => {
    const d = retentionDecision({ ...ON, enabled: false }, log, [cursor('b', 0)]);
    expect(d.bound).toBeUndefined();
    expect(d.consumers[0]!.expired).toBe(false);
  });
});

describe('consumer ids', () => {
  it('takes letters, digits and . _ : - up to CONSUMER_ID_BYTES_MAX, starting with a letter or digit', () => {
    expect(consumerIdProblem('reader-0')).toBeNull();
    expect(consumerIdProblem('stemedb-reader-5d8f9.default:a_b')).toBeNull();
    expect(consumerIdProblem('a'.repeat(CONSUMER_ID_BYTES_MAX))).toBeNull();
    expect(consumerIdProblem('a'.repeat(CONSUMER_ID_BYTES_MAX + 1))).toMatch(/129 bytes, more than 128/);
    expect(consumerIdProblem('')).toBe('is required');
    expect(consumerIdProblem('-x')).toMatch(/starting with a letter or digit/);
    expect(consumerIdProblem('a b')).toMatch(/must be letters/);
    expect(consumerIdProblem('a/b')).toMatch(/must be letters/);
  });
});

describe('the registry file', () => {
  const tmp = useTempDir('stemedb-consumers-');

  it('encodes sorted by id, as documented', () => {
    const bytes = encodeConsumers(LOG_ID, [cursor('b', 20), cursor('a', 10)]);
    expect(bytes.toString()).toBe(
      `{"version":1,"log_id":"${LOG_ID}","consumers":[{"consumer_id":"a","applied_offset":10,"registered_at_ms":1,"reported_at_ms":2},{"consumer_id":"b","applied_offset":20,"registered_at_ms":1,"reported_at_ms":2}]}\n`,
    );
    expect(decodeConsumers(bytes, LOG_ID)).toEqual([cursor('a', 10), cursor('b', 20)]);
  });

  it('refuses a file of another log, another version, a duplicate, a bad entry or too many consumers', () => {
    const good = encodeConsumers(LOG_ID, [cursor('a', 10)]);
    expect(() => decodeConsumers(good, 'ff'.repeat(16))).toThrow(/belongs to log "00112233445566778899aabbccddeeff", not to this log ffff/);
    expect(() => decodeConsumers(Buffer.from(good.toString().replace('"version":1', '"version":2')), LOG_ID)).toThrow(/unsupported version 2/);
    expect(() => decodeConsumers(Buffer.from('{"version":1'), LOG_ID)).toThrow(/not JSON/);
    const dup = Buffer.from(JSON.stringify({ version: 1, log_id: LOG_ID, consumers: [{ consumer_id: 'a', applied_offset: 1, registered_at_ms: 1, reported_at_ms: 1 }, { consumer_id: 'a', applied_offset: 2, registered_at_ms: 1, reported_at_ms: 1 }] }));
    expect(() => decodeConsumers(dup, LOG_ID)).toThrow(/appears twice/);
    const negative = Buffer.from(JSON.stringify({ version: 1, log_id: LOG_ID, consumers: [{ consumer_id: 'a', applied_offset: -1, registered_at_ms: 1, reported_at_ms: 1 }] }));
    expect(() => decodeConsumers(negative, LOG_ID)).toThrow(/consumers\[0\].applied_offset must be a non-negative integer/);
    const badId = Buffer.from(JSON.stringify({ version: 1, log_id: LOG_ID, consumers: [{ consumer_id: 'a b', applied_offset: 1, registered_at_ms: 1, reported_at_ms: 1 }] }));
    expect(() => decodeConsumers(badId, LOG_ID)).toThrow(/consumers\[0\].consumer_id/);
    const many = (n: number): Buffer => encodeConsumers(LOG_ID, Array.from({ length: n }, (_, i) => cursor(`c${i}`, i)));
    expect(decodeConsumers(many(CONSUMERS_MAX), LOG_ID)).toHaveLength(CONSUMERS_MAX);
    expect(() => decodeConsumers(many(CONSUMERS_MAX + 1), LOG_ID)).toThrow(/65 consumers, more than 64/);
  });

  it('a missing file is an empty registry; a damaged one is ConsumerFileError naming the file', () => {
    expect(readConsumersFile(tmp.path, LOG_ID)).toEqual([]);
    writeConsumersFile(tmp.path, LOG_ID, [cursor('a', 10)]);
    expect(readConsumersFile(tmp.path, LOG_ID)).toEqual([cursor('a', 10)]);
    writeFileSync(join(tmp.path, CONSUMERS_FILE_NAME), '{"version":1,');
    const err = (() => {
      try {
        return readConsumersFile(tmp.path, LOG_ID);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConsumerFileError);
    expect((err as ConsumerFileError).path).toBe(join(tmp.path, CONSUMERS_FILE_NAME));
  });
});

describe('the consumer registry', () => {
  const tmp = useTempDir('stemedb-registry-');

  it('registers up to CONSUMERS_MAX consumers; one more is SizeLimitError naming the field', () => {
    const r = ConsumerRegistry.open(tmp.path, LOG_ID, quiet);
    for (let i = 0; i < CONSUMERS_MAX; i++) r.report(`c${i}`, i);
    expect(r.size).toBe(CONSUMERS_MAX);
    expect(() => r.report('one-more', 0)).toThrow(SizeLimitError);
    expect(() => r.report('one-more', 0)).toThrow(/consumer_id: 65 registered consumers exceeds the limit of 64/);
    r.report('c0', 5); // a known consumer still reports
    expect(r.get('c0')!.appliedOffset).toBe(5);
  });

  it('refuses a bad id with ValidationError naming the field', () => {
    const r = ConsumerRegistry.open(tmp.path, LOG_ID, quiet);
    expect(() => r.report('bad id', 0, 'consumer_id')).toThrow(ValidationError);
    expect(r.size).toBe(0);
  });

  it('writes a new consumer and a cursor moving back at once, a cursor moving up at persist()', () => {
    let now = 1000;
    const r = ConsumerRegistry.open(tmp.path, LOG_ID, quiet, () => now);
    r.report('a', 100);
    const onDisk = (): ConsumerEntry[] => readConsumersFile(tmp.path, LOG_ID);
    expect(onDisk()).toEqual([{ consumerId: 'a', appliedOffset: 100, registeredAtMs: 1000, reportedAtMs: 1000 }]);
    now = 2000;
    r.report('a', 500);
    expect(onDisk()[0]!.appliedOffset).toBe(100);
    r.persist();
    expect(onDisk()).toEqual([{ consumerId: 'a', appliedOffset: 500, registeredAtMs: 1000, reportedAtMs: 2000 }]);
    r.report('a', 300);
    expect(onDisk()[0]!.appliedOffset).toBe(300);
    const again = ConsumerRegistry.open(tmp.path, LOG_ID, quiet);
    expect(again.entries()).toEqual(onDisk());
    expect(JSON.parse(readFileSync(join(tmp.path, CONSUMERS_FILE_NAME), 'utf8')).log_id).toBe(LOG_ID);
  });
});
