/**
 * The value of V (and PENDING) keys: every vote one agent cast on one
 * assertion, in log order, so the agent's vote as of any offset can be read
 * back.
 *
 *   [version u8 = 1] then per vote: [offset u64][castAtMs u64][value f64]
 *
 * An agent's current vote is its latest: the highest `castAtMs`, then the
 * highest offset (a re-vote with an older cast time does not replace a newer
 * vote; two votes cast at the same ms are ordered by the log).
 */
import { GraphValueError } from './errors';
import { writeU64BE } from '../domain/u64';
import { sortStable } from '../domain/sort';

const VERSION = 1;
const ENTRY_BYTES = 24;

/** One vote record as stored. */
export interface VoteAt {
  readonly value: number;
  readonly castAtMs: number;
  /** Log offset of the vote record. */
  readonly offset: number;
}

export function encodeVoteHistory(votes: readonly VoteAt[]): Buffer {
  const out = Buffer.allocUnsafe(1 + votes.length * ENTRY_BYTES); // every byte is written below
  out[0] = VERSION;
  votes.forEach((v, i) => {
    const pos = 1 + i * ENTRY_BYTES;
    writeU64BE(out, v.offset, pos);
    writeU64BE(out, v.castAtMs, pos + 8);
    out.writeDoubleBE(v.value, pos + 16);
  });
  return out;
}

export function decodeVoteHistory(bytes: Buffer, tag = 'V'): VoteAt[] {
  if (bytes.length < 1 || bytes[0] !== VERSION) throw new GraphValueError(tag, `unknown version ${bytes[0]}`);
  if ((bytes.length - 1) % ENTRY_BYTES !== 0) throw new GraphValueError(tag, `${bytes.length - 1} bytes is not a whole number of ${ENTRY_BYTES}-byte votes`);
  const out: VoteAt[] = [];
  for (let pos = 1; pos < bytes.length; pos += ENTRY_BYTES) {
    out.push({ offset: Number(bytes.readBigUInt64BE(pos)), castAtMs: Number(bytes.readBigUInt64BE(pos + 8)), value: bytes.readDoubleBE(pos + 16) });
  }
  return out;
}

/** True when vote `a` is later than `b` (castAtMs, then offset). */
export function isLaterVote(a: VoteAt, b: VoteAt): boolean {
  return a.castAtMs !== b.castAtMs ? a.castAtMs > b.castAtMs : a.offset > b.offset;
}

/** The agent's current vote among `votes` (only those before `asOfOffset` when given), or undefined. */
export function currentVote(votes: readonly VoteAt[], asOfOffset?: number): VoteAt | undefined {
  let best: VoteAt | undefined;
  for (const v of votes) {
    if (asOfOffset !== undefined && v.offset >= asOfOffset) continue;
    if (best === undefined || isLaterVote(v, best)) best = v;
  }
  return best;
}

/**
 * Net vote of current votes: their values summed in ascending voter order
 * (hex), so the same votes always give the same bits whatever order they came in.
 */
export function netVote(votes: readonly { readonly voter: Buffer; readonly value: number }[]): number {
  const sorted = sortStable([...votes], (a, b) => Buffer.compare(a.voter, b.voter));
  let sum = 0;
  for (const v of sorted) sum += v.value;
  return sum === 0 ? 0 : sum;
}
