/**
 * The lens and offset flags every query-like command takes (query, find):
 * `--lens --min-offset --as-of --epoch --trust-pack --include-superseded
 * --min-share`, parsed into the reader client's options.
 */
import type { LensFlags } from '../reader/query-client';
import { parseHash, parseNumberFlag, type FlagSpec } from './args';
import { UsageError } from './command';

export const LENS_FLAGS_HELP = `  --lens NAME            consensus (default), recency, authority or threshold
  --min-offset N         read your write: wait until the reader has applied the
                         record at offset N (a receipt's offset)
  --as-of N              answer as the graph stood before log offset N
  --epoch E              only assertions of epoch E
  --trust-pack HEX       authority lens: rank agents by this trust pack (64 hex)
  --include-superseded   also score superseded assertions
  --min-share X          threshold lens: minimum share in (0, 1], default 0.5`;

export const LENS_FLAG_SPEC: FlagSpec = {
  lens: { type: 'string' },
  'min-offset': { type: 'string' },
  'as-of': { type: 'string' },
  epoch: { type: 'string' },
  'trust-pack': { type: 'string' },
  'include-superseded': { type: 'boolean' },
  'min-share': { type: 'string' },
};

const LENSES = ['consensus', 'recency', 'authority', 'threshold'];

/** A non-negative integer offset flag. */
export function offsetFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--${flag}: expected a non-negative integer offset (got '${text}')`);
  return Number(text);
}

/** A page size flag, 1..max. */
export function pageSizeFlag(text: string | undefined, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > max) throw new UsageError(`--page-size: expected an integer 1..${max} (got '${text}')`);
  return n;
}

export function parseLensFlags(v: Record<string, unknown>): LensFlags {
  const lens = v.lens as string | undefined;
  if (lens !== undefined && !LENSES.includes(lens)) throw new UsageError(`--lens must be one of ${LENSES.join(', ')} (got '${lens}')`);
  const minOffset = offsetFlag('min-offset', v['min-offset'] as string | undefined);
  const asOfOffset = offsetFlag('as-of', v['as-of'] as string | undefined);
  const trustPack = v['trust-pack'] as string | undefined;
  const minShare = v['min-share'] as string | undefined;
  return {
    ...(lens === undefined ? {} : { lens }),
    ...(minOffset === undefined ? {} : { minOffset }),
    ...(asOfOffset === undefined ? {} : { asOfOffset }),
    ...(v.epoch === undefined ? {} : { epoch: v.epoch as string }),
    ...(trustPack === undefined ? {} : { trustPackId: parseHash('trust-pack', trustPack) }),
    ...(v['include-superseded'] === true ? { includeSuperseded: true } : {}),
    ...(minShare === undefined ? {} : { minShare: parseNumberFlag('min-share', minShare) }),
  };
}
