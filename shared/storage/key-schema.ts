/**
 * Every kind of key the system stores: its tag, whether it is global
 * (`\x00{TAG}:{suffix}`) or subject-prefixed (`{subject}\x00{TAG}:{suffix}`), and
 * its suffix components in order. docs/STORAGE.md shows each one byte by byte.
 *
 * The components' order is the scan order: e.g. SP sorts a subject's predicate
 * by log offset, so History reads it in log order with one prefix scan.
 */
/** How a suffix component is written (key-components.ts). */
export type FieldType = 'id' | 'agent' | 'text' | 'offset';

export type KeyScope = 'global' | 'subject';

export interface KindSpec {
  readonly tag: string;
  readonly scope: KeyScope;
  readonly fields: readonly (readonly [name: string, type: FieldType])[];
}

export const KEY_KINDS = {
  /** H: assertion body (with its log offset) by id. */
  assertion: { tag: 'H', scope: 'global', fields: [['id', 'id']] },
  /** PENDING: a vote whose assertion has not been ingested yet. */
  pendingVote: { tag: 'PENDING', scope: 'global', fields: [['assertionId', 'id'], ['voter', 'agent']] },
  /** VC: number of votes on an assertion. */
  voteCount: { tag: 'VC', scope: 'global', fields: [['assertionId', 'id']] },
  /** VW: summed vote weight on an assertion. */
  voteWeight: { tag: 'VW', scope: 'global', fields: [['assertionId', 'id']] },
  /** E: epoch by name. */
  epoch: { tag: 'E', scope: 'global', fields: [['name', 'text']] },
  /** SUPERSEDED: parent id → one key per superseding child. */
  superseded: { tag: 'SUPERSEDED', scope: 'global', fields: [['parentId', 'id'], ['childId', 'id']] },
  /** META: RocksDB's own metadata (cursor, redo intent, counters). */
  meta: { tag: 'META', scope: 'global', fields: [['name', 'text']] },
  /** LMETA: LMDB's own metadata (its cursor). */
  lmdbMeta: { tag: 'LMETA', scope: 'global', fields: [['name', 'text']] },
  /** SP: subject+predicate index in log order. */
  subjectPredicate: { tag: 'SP', scope: 'subject', fields: [['predicate', 'text'], ['offset', 'offset'], ['assertionId', 'id']] },
  /** MV: materialized lens result per subject, predicate and lens. */
  view: { tag: 'MV', scope: 'subject', fields: [['predicate', 'text'], ['lens', 'text']] },
  /** TRUST: learned trust rank of an agent. */
  trust: { tag: 'TRUST', scope: 'global', fields: [['agent', 'agent']] },
  /** TP: trust pack by id. */
  trustPack: { tag: 'TP', scope: 'global', fields: [['id', 'id']] },
  /** GS: gold standard by subject, predicate and id. */
  goldStandard: { tag: 'GS', scope: 'subject', fields: [['predicate', 'text'], ['id', 'id']] },
  /** ESC (global): escalations of every subject in log order. */
  escalation: { tag: 'ESC', scope: 'global', fields: [['offset', 'offset'], ['subject', 'text'], ['predicate', 'text']] },
  /** ESC (subject-prefixed): one subject's escalations in log order. */
  subjectEscalation: { tag: 'ESC', scope: 'subject', fields: [['offset', 'offset'], ['predicate', 'text']] },
  /** SRC: assertions by evidence source hash. */
  source: { tag: 'SRC', scope: 'global', fields: [['sourceHash', 'id'], ['assertionId', 'id']] },
  /** SIGNER: assertions an agent signed, in log order (trust updates). */
  signerAssertion: { tag: 'SIGNER', scope: 'global', fields: [['agent', 'agent'], ['offset', 'offset'], ['assertionId', 'id']] },
  /** CHILD: every assertion that names a parent, by parent id (supersession is decided from these). */
  childAssertion: { tag: 'CHILD', scope: 'global', fields: [['parentId', 'id'], ['childId', 'id']] },
  /**
   * PV: the votes of one voter on one assertion, under the assertion's subject
   * and predicate, so a pair's votes are one prefix scan and one assertion's
   * votes the same scan narrowed to its id (the only home of votes).
   */
  pairVote: { tag: 'PV', scope: 'subject', fields: [['predicate', 'text'], ['assertionId', 'id'], ['voter', 'agent']] },
  /** SUBJ: every subject once, with the offset of its first assertion (ListSubjects). */
  subjectName: { tag: 'SUBJ', scope: 'global', fields: [['subject', 'text']] },
  /** PS: every (predicate, subject) pair once, with the offset of its first assertion (by predicate). */
  predicateSubject: { tag: 'PS', scope: 'global', fields: [['predicate', 'text'], ['subject', 'text']] },
  /**
   * PO: one key per assertion by predicate and object value (the value's index
   * form, graph/object-index.ts), then subject and offset: who claims a value.
   */
  predicateObject: { tag: 'PO', scope: 'global', fields: [['predicate', 'text'], ['object', 'text'], ['subject', 'text'], ['offset', 'offset']] },
  /** REF: one key per assertion whose object is an entity: reverse edges, by the entity referred to. */
  entityReference: { tag: 'REF', scope: 'global', fields: [['entity', 'text'], ['predicate', 'text'], ['subject', 'text'], ['offset', 'offset']] },
  /** TRUSTH: an agent's trust rank after the changes made at one log offset (time travel). */
  trustHistory: { tag: 'TRUSTH', scope: 'global', fields: [['agent', 'agent'], ['offset', 'offset']] },
  /** AGRANT: an AgentGrant of an agent, by the offset it arrived at. */
  agentGrant: { tag: 'AGRANT', scope: 'global', fields: [['agent', 'agent'], ['offset', 'offset']] },
  /** AREV: an AgentRevoke of an agent, by the offset it arrived at (the first one revokes). */
  agentRevoke: { tag: 'AREV', scope: 'global', fields: [['agent', 'agent'], ['offset', 'offset']] },
} as const satisfies Record<string, KindSpec>;

export type KeyKind = keyof typeof KEY_KINDS;
