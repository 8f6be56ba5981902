/** Pattern queries over resolved facts: parse, plan, evaluate (docs/QUERIES.md). */
export type * from './ast';
export { parsePattern } from './parse';
export { evaluate, planOrder, type EvaluateOptions, type Hop, type QueryResult, type Row } from './evaluate';
export type { PairFilter, PairRef, QuerySource } from './source';
export { QueryBudgetError, QuerySyntaxError } from './errors';
export { compareValues, holds } from './values';
export * from './limits';
