/**
 * The writer's request codec (request-records.ts: the request's fields walked
 * by hand, each Record decoded once by record-decoder.ts) against what it
 * replaces: ts-proto's request decode, admission's conversion of each record
 * (unsigned first, then `recordFromProto`), and the byte views of
 * wire-fields.ts checked by canonical-record-wire.ts. Same requests refused,
 * same records (or the same error class naming the same field), and the
 * record bytes kept exactly when they are the canonical encoding.
 */
import fc from 'fast-check';
import { isCanonicalRecordWire } from '../../shared/domain/canonical-record-wire';
import { SignatureError } from '../../shared/domain/errors';
import { encodeRecordBytes, recordFromProto } from '../../shared/domain/proto-convert';
import type { StemeRecord } from '../../shared/domain/types';
import { lenFieldsOf } from '../../shared/domain/wire-fields';
import type { Record as PbRecord } from '../../shared/gen/stemedb/v1/records';
import { AppendBatchRequest, AppendRequest, AppendStreamRequest } from '../../shared/gen/stemedb/v1/writer';
import { WireRecord, WRITER_SERVICE_DEFINITION } from '../../services/writer/request-records';
import { anyRecord } from '../domain/arbitraries';
import { fieldBytes, fieldsOf, join, longer, varint } from './wire-spelling';

type Converted = { ok: true; record: StemeRecord } | { ok: false; error: string; field: string | undefined; message: string };

const NAMES: Record<string, string> = { goldStandard: 'gold_standard', trustPack: 'trust_pack', agentGrant: 'agent_grant', agentRevoke: 'agent_revoke' };

/** Admission's conversion before: an unsigned record is UNAUTHENTICATED before its fields are looked at. */
function convertBefore(message: PbRecord | undefined, field: string): Converted {
  try {
    const kind = message?.kind;
    if (kind !== undefined) {
      const unsigned = kind.$case === 'vote' ? kind.value.signature === undefined : kind.value.signatures.length === 0;
      if (unsigned) throw new SignatureError(`${field}.${NAMES[kind.$case] ?? kind.$case}.${kind.$case === 'vote' ? 'signature' : 'signatures'}`, 'the record is unsigned');
    }
    return { ok: true, record: recordFromProto(message as PbRecord, field) };
  } catch (err) {
    return outcome(err);
  }
}

function outcome(err: unknown): Converted {
  const e = err as Error & { field?: string };
  return { ok: false, error: e.name, field: e.field, message: e.message };
}

function convertNow(message: PbRecord | undefined, field: string): Converted {
  try {
    return { ok: true, record: (message as WireRecord).domain(field) };
  } catch (err) {
    return outcome(err);
  }
}

/** The views before: wire-fields.ts one for one, kept when canonical-record-wire.ts says so. */
function viewsBefore(bytes: Buffer, field: number, count: number): (string | undefined)[] {
  const views = lenFieldsOf(bytes, field);
  return Array.from({ length: count }, (_, i) => (views?.length === count && isCanonicalRecordWire(views[i]!) ? views[i]!.toString('hex') : undefined));
}

function viewOf(message: WireRecord): string | undefined {
  return message.canonical ? message.wire?.toString('hex') : undefined;
}

/** A decode's result, or the message of what it threw (node's own errors come from another realm under Jest: no instanceof). */
function attempt<T>(fn: () => T): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return { ok: true, value: fn() };
  } catch (err) {
    return { ok: false, message: String((err as { message?: unknown }).message) };
  }
}

function sameBatch(bytes: Buffer): void {
  const b = attempt(() => AppendBatchRequest.decode(bytes));
  const n = attempt(() => WRITER_SERVICE_DEFINITION.appendBatch.requestDeserialize(bytes));
  expect([bytes.toString('hex'), n.ok]).toEqual([bytes.toString('hex'), b.ok]);
  if (!b.ok || !n.ok) return;
  const [before, now] = [b.value, n.value];
  expect(now.records.length).toBe(before.records.length);
  const views = viewsBefore(bytes, 1, before.records.length);
  now.records.forEach((m, i) => {
    const got = convertNow(m, `records[${i}]`);
    expect(got).toEqual(convertBefore(before.records[i], `records[${i}]`));
    if (!got.ok) return;
    const view = viewOf(m as WireRecord);
    // Bytes are kept whenever they were before (and where the old walk gave up on the request, too), and only canonical ones.
    if (views[i] !== undefined) expect(view).toBe(views[i]);
    if (view !== undefined) expect(encodeRecordBytes(got.record).toString('hex')).toBe(view);
  });
}

const batchOf = (records: readonly Buffer[]): Buffer => Buffer.concat(records.map((value) => fieldBytes({ number: 1, wire: 2, value })));

describe("the writer's request codec agrees with ts-proto, admission's conversion and the canonical views", () => {
  it('on AppendBatch requests of valid, respelled and broken records', () => {
    fc.assert(
      fc.property(fc.array(anyRecord, { minLength: 1, maxLength: 4 }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }), (records, how, at, byte) => {
        const encoded = records.map((r) => encodeRecordBytes(r));
        sameBatch(batchOf(encoded));
        const k = at % encoded.length;
        const fs = fieldsOf(encoded[k]!);
        const respelled = [...encoded];
        if (how % 4 === 0) respelled[k] = join([...fs, { number: 12, wire: 0, value: varint(1) }]);
        else if (how % 4 === 1) respelled[k] = join([{ ...fs[0]!, value: join(fieldsOf(fs[0]!.value).reverse()) }]);
        else if (how % 4 === 2) respelled[k] = Buffer.concat([fieldBytes(fs[0]!, (n) => longer(varint(n)))]);
        else respelled[k] = join([{ ...fs[0]!, value: join(fieldsOf(fs[0]!.value).filter((f) => f.wire !== 2 || f.number !== 10)) }]);
        sameBatch(batchOf(respelled));
        const broken = Buffer.from(batchOf(encoded));
        broken[at % broken.length] = byte;
        sameBatch(broken);
        sameBatch(broken.subarray(0, at % broken.length));
      }),
      { numRuns: 120 },
    );
  }, 120_000);

  it('on Append and AppendStream: a record written twice keeps the last and no bytes, a batch beside a record, unknown fields', () => {
    fc.assert(
      fc.property(anyRecord, anyRecord, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (a, b, sequence) => {
        const [ea, eb] = [encodeRecordBytes(a), encodeRecordBytes(b)];
        for (const bytes of [fieldBytes({ number: 1, wire: 2, value: ea }), Buffer.concat([fieldBytes({ number: 1, wire: 2, value: ea }), fieldBytes({ number: 1, wire: 2, value: eb })]), Buffer.concat([fieldBytes({ number: 7, wire: 0, value: varint(3) }), fieldBytes({ number: 1, wire: 2, value: eb })])]) {
          const before = AppendRequest.decode(bytes);
          const now = WRITER_SERVICE_DEFINITION.append.requestDeserialize(bytes);
          expect(convertNow(now.record, 'record')).toEqual(convertBefore(before.record, 'record'));
          const views = lenFieldsOf(bytes, 1)!;
          expect(viewOf(now.record as WireRecord)).toBe(views.length === 1 && isCanonicalRecordWire(views[0]!) ? views[0]!.toString('hex') : undefined);
        }
        const seq = Buffer.from(AppendStreamRequest.encode({ sequence, record: undefined, batch: undefined }).finish());
        const stream = Buffer.concat([seq, fieldBytes({ number: 2, wire: 2, value: ea }), fieldBytes({ number: 3, wire: 2, value: batchOf([ea, eb]) })]);
        const before = AppendStreamRequest.decode(stream);
        const now = WRITER_SERVICE_DEFINITION.appendStream.requestDeserialize(stream);
        expect(now.sequence).toBe(before.sequence);
        expect(convertNow(now.record, 'record')).toEqual(convertBefore(before.record, 'record'));
        expect(now.batch!.records.map((m, i) => convertNow(m, `batch.records[${i}]`))).toEqual(before.batch!.records.map((m, i) => convertBefore(m, `batch.records[${i}]`)));
        expect(now.batch!.records.map((m) => viewOf(m as WireRecord))).toEqual([ea, eb].map((e) => (isCanonicalRecordWire(e) ? e.toString('hex') : undefined)));
        // The generated view of a record, on demand, is ts-proto's.
        expect(now.record!.kind).toEqual(before.record!.kind);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it('refuses what ts-proto refuses: a truncated record, invalid UTF-8, a group left open', () => {
    const good = encodeRecordBytes({ kind: 'epoch', name: 'e', description: '', startsAtMs: 1_700_000_000_000, parent: null, signatures: [{ publicKey: Buffer.alloc(32, 2), signature: Buffer.alloc(64, 3) }] });
    const badUtf8 = Buffer.from(good);
    badUtf8[4] = 0xff; // the epoch's one-byte name
    for (const bytes of [batchOf([good]).subarray(0, 20), batchOf([badUtf8]), Buffer.from('0b', 'hex'), Buffer.from('0a05' + '0b', 'hex')]) {
      expect(() => AppendBatchRequest.decode(bytes)).toThrow();
      expect(() => WRITER_SERVICE_DEFINITION.appendBatch.requestDeserialize(bytes)).toThrow();
    }
  });
});
