/**
 * A world as signed records, appended through a real writer: one key pair per
 * agent, each claim an assertion (a co-sign re-signs the victim's assertion
 * with the hijacker's key alone; a hijack child names the victim as parent),
 * gold standards and an oracle trust pack (the true reliabilities) signed by
 * the admin key, in AppendBatch calls of SIM_APPEND_BATCH_RECORDS.
 */
import { recordToProto } from '../../shared/domain/proto-convert';
import { recordId } from '../../shared/domain/hash';
import { generateKeyPair, signRecord, type KeyPair } from '../../shared/domain/signing';
import { TRUST_ENTRIES_MAX } from '../../shared/domain/limits';
import type { Assertion, GoldStandard, StemeRecord, TrustPack } from '../../shared/domain/types';
import { WriterServiceClient } from '../../shared/gen/stemedb/v1/writer';
import { callUnary, makeClient } from '../../shared/grpc/client';
import { rpcErrorOf } from '../writer/client';
import { SIM_APPEND_BATCH_RECORDS, SIM_CALL_DEADLINE_MS } from './limits';
import type { SimClaim, World } from './world';

export const SIM_PREDICATE = 'value';

export const factSubject = (f: number): string => `sim:f${f}`;
export const valueText = (v: number): string => `v${v}`;

export interface LoadedWorld {
  readonly keys: readonly KeyPair[];
  /** Offset just past the last record appended. */
  readonly headOffset: number;
  readonly oraclePackId: Buffer;
  readonly records: number;
}

function assertionOf(c: SimClaim, parent: Buffer | null): Assertion {
  return {
    kind: 'assertion',
    subject: factSubject(c.fact),
    predicate: SIM_PREDICATE,
    object: { kind: 'text', value: valueText(c.value) },
    confidence: c.confidence,
    sourceHash: c.source,
    visualHash: null,
    parentHash: parent,
    epoch: null,
    assertedAtMs: c.assertedAtMs,
    signatures: [],
  };
}

/** The world's records in log order: gold standards first, then the claims, then the oracle pack. */
export function worldRecords(world: World, admin: KeyPair): { records: StemeRecord[]; keys: KeyPair[]; oraclePack: TrustPack } {
  const keys = world.agents.map(() => generateKeyPair());
  const created = Date.UTC(2024, 0, 1);
  const records: StemeRecord[] = [];
  for (const f of [...world.goldFacts].sort((a, b) => a - b)) {
    const g: GoldStandard = { kind: 'gold_standard', subject: factSubject(f), predicate: SIM_PREDICATE, object: { kind: 'text', value: valueText(world.truth[f]!) }, createdAtMs: created, signatures: [] };
    records.push(signRecord(g, [admin]));
  }
  const unsigned: Assertion[] = [];
  world.claims.forEach((c, i) => {
    const base = c.coSignOf !== undefined ? unsigned[c.coSignOf]! : assertionOf(c, c.parent === undefined ? null : recordId(unsigned[c.parent]!));
    unsigned[i] = base;
    records.push(signRecord(base, [keys[c.agent]!]));
  });
  const entries = world.agents
    .map((a, i) => ({ agent: keys[i]!.publicKey, weight: a.reliability, role: a.role }))
    .filter((e) => e.role === 'independent' || e.role === 'copier')
    .slice(0, TRUST_ENTRIES_MAX)
    .map(({ agent, weight }) => ({ agent, weight }))
    .sort((a, b) => Buffer.compare(a.agent, b.agent));
  const oraclePack = signRecord<TrustPack>({ kind: 'trust_pack', name: `oracle@seed${world.options.seed}`, entries, createdAtMs: created, signatures: [] }, [admin]);
  records.push(oraclePack);
  return { records, keys, oraclePack };
}

export async function loadWorld(world: World, admin: KeyPair, writerAddress: string): Promise<LoadedWorld> {
  const { records, keys, oraclePack } = worldRecords(world, admin);
  const client = makeClient(WriterServiceClient, writerAddress);
  let headOffset = 0;
  try {
    for (let i = 0; i < records.length; i += SIM_APPEND_BATCH_RECORDS) {
      const batch = records.slice(i, i + SIM_APPEND_BATCH_RECORDS);
      const res = await callUnary(client.appendBatch.bind(client), { records: batch.map(recordToProto) }, { deadlineMs: SIM_CALL_DEADLINE_MS });
      const last = res.receipts[res.receipts.length - 1];
      if (res.receipts.length !== batch.length || last === undefined) throw new Error(`the writer acknowledged ${res.receipts.length} of ${batch.length} records`);
      headOffset = Number(last.nextOffset);
    }
  } catch (err) {
    throw rpcErrorOf(err);
  } finally {
    client.close();
  }
  return { keys, headOffset, oraclePackId: recordId(oraclePack), records: records.length };
}
