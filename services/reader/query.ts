/**
 * A reader query as the service works on it (domain form, after the edge
 * converters in from-proto.ts validated the request).
 */
import type { LensName } from '../../shared/lens/types';

export interface ReadQuery {
  /** @default 'consensus' (LENS_UNSPECIFIED) */
  readonly lens: LensName;
  /** Read-your-writes: the record at this offset must be applied first. undefined = no wait. */
  readonly minOffset: number | undefined;
  /** Time travel: only records at offsets < this count. undefined = now. */
  readonly asOfOffset: number | undefined;
  /** Only assertions of this epoch; null = every epoch. */
  readonly epoch: string | null;
  /** Authority lens: a trust pack to use instead of the learned ranks; null = learned. */
  readonly trustPackId: Buffer | null;
  readonly includeSuperseded: boolean;
  /** Threshold lens: minimum share; undefined = the lens default. */
  readonly minShare: number | undefined;
}

/** The query with every option at its default: what a bare Resolve asks. */
export const DEFAULT_QUERY: ReadQuery = {
  lens: 'consensus',
  minOffset: undefined,
  asOfOffset: undefined,
  epoch: null,
  trustPackId: null,
  includeSuperseded: false,
  minShare: undefined,
};

/**
 * The applied offset ingest must have reached before the query can be
 * answered: past the record at `minOffset` (the receipt's offset names the
 * record's first byte, so that record must be applied: applied > minOffset,
 * which covers a record at offset 0 too), and at least `asOfOffset`.
 * 0 = no wait.
 */
export function requiredOffset(q: Pick<ReadQuery, 'minOffset' | 'asOfOffset'>): number {
  return Math.max(q.minOffset === undefined ? 0 : q.minOffset + 1, q.asOfOffset ?? 0);
}

/**
 * True when the materialized view answers the query: the default lens with
 * the default context, now. Consensus ignores trust and min_share, so those
 * options do not matter.
 */
export function isMaterializable(q: ReadQuery): boolean {
  return q.lens === 'consensus' && q.asOfOffset === undefined && q.epoch === null && !q.includeSuperseded;
}
