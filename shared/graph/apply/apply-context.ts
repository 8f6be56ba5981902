/**
 * What the apply rules (apply-*.ts, trust-judge.ts) may ask of the batch they
 * apply into. GraphBatch implements it; the rules depend on this interface,
 * never on GraphBatch, so the batch imports the rules and not the reverse.
 */
import type { Logger } from '../../telemetry/logger';
import type { BatchState } from './batch-state';
import type { CandidateState, PairModel } from './pair-model';

export interface ApplyContext {
  /** The batch's overlay on the store: reads see earlier records' writes. */
  readonly state: BatchState;
  readonly logger: Logger;
  /** Ids (hex) of assertions that have PENDING votes. */
  readonly pendingIds: Set<string>;
  /** The pair's model, loaded from the store on first use. */
  pair(subject: string, predicate: string): Promise<PairModel>;
  /** The pair's model when no store read is needed; undefined when `pair()` must load it. */
  cachedPair(subject: string, predicate: string): PairModel | undefined;
  /** A known assertion (loading its pair; `idHex` in hex, when the caller has it), or undefined when the log has not carried it yet. */
  candidate(id: Buffer, idHex?: string): Promise<CandidateState | undefined>;
  /** A cached assertion; null when the log has certainly not carried it; undefined when `candidate()` must ask the store. */
  cachedCandidate(idHex: string): CandidateState | null | undefined;
  /** Adds a new assertion to its (loaded) pair. */
  register(c: CandidateState): void;
  /** The record being applied may change this pair's resolution. */
  touch(pair: PairModel): void;
  /** CHILD: a new assertion names `parentId`. */
  addChild(parentId: Buffer, childId: Buffer, offset: number): void;
  /** Every known assertion that names `parentId` (`parentHex` in hex, when the caller has it) as its parent. */
  childrenOf(parentId: Buffer, parentHex?: string): Promise<CandidateState[]>;
  /** False when no assertion can name `parentHex` as its parent (the cache knows every CHILD edge and has none); true when one may. */
  mayHaveChildren(parentHex: string): boolean;
  /** Whether the subject has its SUBJ entry (in the store or written by this batch). */
  subjectIndexed(subject: string): Promise<boolean>;
  /** `subjectIndexed` when it is known without a store read (the cache, or a value this batch already holds); undefined when only `subjectIndexed` can tell. */
  subjectIndexedNow(subject: string): boolean | undefined;
  /** This batch writes the subject's SUBJ entry. */
  noteSubjectIndexed(subject: string): void;
  /** PENDING: `voter` voted on the unknown assertion `assertionId`. */
  addPending(assertionId: Buffer, voter: Buffer): void;
  /** The voters with PENDING votes on `assertionId` (`idHex` in hex, when the caller has it), by voter. */
  pendingVotersOf(assertionId: Buffer, idHex?: string): Promise<Buffer[]>;
}
