/**
 * The query indexes of an assertion (docs/STORAGE.md "Query indexes"): PO and
 * REF for every new assertion, SIGNER for each signature at the offset that
 * carried it, PS for a pair's first assertion and SUBJ for a subject's first.
 * Each is written once per record, so replay after a crash (which applies a
 * record at most once) never duplicates or moves an entry.
 */
import type { Assertion } from '../../domain/types';
import type { SignerAt } from '../stored-record';
import { writeOps } from '../write-ops';
import type { ApplyContext } from './apply-context';

/** Index a new assertion: PO, REF and its SIGNER entries. */
export function indexAssertion(batch: ApplyContext, a: Assertion, id: Buffer, offset: number): void {
  for (const op of writeOps.valueIndexes(a, offset)) batch.state.write(op);
  for (const s of a.signatures) batch.state.write(writeOps.signer(s.publicKey, offset, id));
}

/** PS, and SUBJ for a new subject: `a` is the first assertion of its pair. Synchronous (undefined) when whether the subject is indexed is known without a read. */
export function indexNewPair(batch: ApplyContext, a: Assertion, offset: number): Promise<void> | undefined {
  batch.state.write(writeOps.newPair(a.subject, a.predicate, offset));
  const known = batch.subjectIndexedNow(a.subject);
  if (known === undefined) return batch.subjectIndexed(a.subject).then((indexed) => indexSubject(batch, a, offset, indexed));
  indexSubject(batch, a, offset, known);
  return undefined;
}

function indexSubject(batch: ApplyContext, a: Assertion, offset: number, indexed: boolean): void {
  if (indexed) return;
  batch.state.write(writeOps.newSubject(a.subject, offset));
  batch.noteSubjectIndexed(a.subject);
}

/** SIGNER entries of the agents a co-signature added. */
export function indexCoSigners(batch: ApplyContext, id: Buffer, added: readonly SignerAt[]): void {
  for (const s of added) batch.state.write(writeOps.signer(s.publicKey, s.offset, id));
}
