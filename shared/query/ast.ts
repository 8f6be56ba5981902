/**
 * A parsed pattern query: conjunctive triples over resolved facts, filters on
 * bound values, and an order (docs/QUERIES.md).
 */
import type { ObjectValue } from '../domain/types';

/** `?name`. */
export interface Variable {
  readonly kind: 'var';
  readonly name: string;
}

/** A bare name in the subject or predicate position: an entity id or a predicate. */
export interface Name {
  readonly kind: 'name';
  readonly value: string;
}

/** A literal in the object position (a bare name there is an entity reference). */
export interface Literal {
  readonly kind: 'literal';
  readonly value: ObjectValue;
}

export type SubjectTerm = Variable | Name;
export type PredicateTerm = Variable | Name;
export type ObjectTerm = Variable | Literal;

export interface Triple {
  readonly subject: SubjectTerm;
  readonly predicate: PredicateTerm;
  readonly object: ObjectTerm;
}

export type ComparisonOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** `FILTER ?x OP literal|?y` or `FILTER kind(?x) = KIND`. */
export type Filter =
  | { readonly kind: 'compare'; readonly left: Variable; readonly op: ComparisonOp; readonly right: Variable | Literal }
  | { readonly kind: 'kind'; readonly variable: Variable; readonly negated: boolean; readonly objectKind: ObjectValue['kind'] };

export interface OrderKey {
  readonly variable: Variable;
  readonly descending: boolean;
}

export interface Pattern {
  readonly triples: readonly Triple[];
  readonly filters: readonly Filter[];
  readonly order: readonly OrderKey[];
  /** Variables in order of first appearance: the columns of every row. */
  readonly variables: readonly string[];
  /** Variables that stand for predicates (never bound to a value). */
  readonly predicateVariables: ReadonlySet<string>;
}
