/**
 * Gold standards, trust packs and epochs: signed records kept by id (GS, TP)
 * or name (E). A known id with new signers merges them; a new gold standard
 * judges every signer of the pair's assertions so far, in log order.
 */
import { recordId } from '../../domain/hash';
import type { Epoch, GoldStandard, StemeRecord, TrustPack } from '../../domain/types';
import { decodeStoredRecord, signersOf, withCoSigners, type StoredRecord } from '../stored-record';
import { writeOps } from '../write-ops';
import { keys } from '../../storage/keys';
import type { BatchOp } from '../../storage/kv-store';
import type { ApplyContext } from './apply-context';
import { judge } from './trust-judge';

/** New → `fresh`; known → merged co-signers (or nothing new). */
async function keepSigned<R extends StemeRecord>(batch: ApplyContext, key: Buffer, tag: string, record: R, offset: number, write: (s: StoredRecord) => BatchOp): Promise<boolean> {
  const raw = await batch.state.get(key);
  if (raw === undefined) {
    batch.state.write(write({ record, offset, coSigners: [], supersededAtOffset: null }));
    return true;
  }
  const merged = withCoSigners(decodeStoredRecord<R>(raw, tag), record, offset);
  if (merged !== null) batch.state.write(write(merged.stored));
  return false;
}

export async function applyGoldStandard(batch: ApplyContext, g: GoldStandard, id: Buffer, offset: number): Promise<void> {
  const key = keys.goldStandard(g.subject, g.predicate, id);
  const isNew = await keepSigned(batch, key, 'GS', g, offset, (s) => writeOps.goldStandard(g.subject, g.predicate, id, s));
  if (!isNew) return;
  const pair = await batch.pair(g.subject, g.predicate);
  pair.golds.push({ id, stored: { record: g, offset, coSigners: [], supersededAtOffset: null } });
  for (const c of pair.candidates.values()) {
    for (const signer of signersOf(c.stored)) await judge(batch, signer.publicKey, c.stored.record.object, g.object, offset);
  }
}

export async function applyTrustPack(batch: ApplyContext, t: TrustPack, id: Buffer, offset: number): Promise<void> {
  await keepSigned(batch, keys.trustPack(id), 'TP', t, offset, (s) => writeOps.trustPack(id, s));
}

/** The first epoch of a name keeps it; a different epoch under a taken name is logged and ignored. */
export async function applyEpoch(batch: ApplyContext, e: Epoch, id: Buffer, offset: number): Promise<void> {
  const key = keys.epoch(e.name);
  const raw = await batch.state.get(key);
  if (raw !== undefined && !recordId(decodeStoredRecord(raw, 'E').record).equals(id)) {
    batch.logger.warn('epoch name already taken by another epoch record; ignored', { offset, name: e.name, id });
    return;
  }
  await keepSigned(batch, key, 'E', e, offset, (s) => writeOps.epoch(e.name, s));
}
