/**
 * The bytes Watch compares to decide whether a pair's answer changed: a compact
 * binary form of an explanation-free resolution of any lens (ids raw, numbers
 * as stored doubles, no JSON rendering). Two resolutions get the same bytes
 * exactly when they are equal, so they have the same canonical JSON
 * (resolution-codec.ts) too — test/graph/resolution-fingerprint.test.ts
 * checks it over every lens. Never stored: the layout may change with any
 * build. Layout (binary-fields.ts):
 *
 *   u8 lens ‖ u8 outcome ‖ u8 contested ‖ u8 has winner ‖ [32-byte winner id]
 *   ‖ f64 score ‖ f64 share ‖ u8 has object ‖ [object] ‖ varint alternatives
 *   ‖ per alternative: object ‖ f64 score ‖ f64 share ‖ varint k ‖ k ids
 *   ‖ 32-byte BLAKE3 of the summary's UTF-8
 *
 * The summary is rendered text, a function of the fields above and of the
 * candidate counts the lens considered, which the resolution does not carry:
 * its hash tells a change of those counts alone without comparing the text.
 */
import { blake3 } from '../domain/hash';
import { LENS_NAMES } from '../lens';
import type { Outcome, Resolution } from '../lens/types';
import { FieldWriter } from './binary-fields';
import { ResolutionEncodeError } from './errors';

const OUTCOMES: readonly Outcome[] = ['resolved', 'unresolved', 'no_candidates'];

/** The comparison bytes of `r` (explain: false). Throws ResolutionEncodeError for a resolution with explanations. */
export function resolutionFingerprint(r: Resolution): Buffer {
  if (r.explanations.length > 0) throw new ResolutionEncodeError('explanations', 'a fingerprint covers explanation-free resolutions only');
  const w = new FieldWriter();
  w.u8(LENS_NAMES.indexOf(r.lens)).u8(OUTCOMES.indexOf(r.outcome)).u8(r.contested ? 1 : 0);
  w.u8(r.winnerId === null ? 0 : 1);
  if (r.winnerId !== null) w.id(r.winnerId, 'winnerId');
  w.f64(r.score, 'score').f64(r.share, 'share').u8(r.object === null ? 0 : 1);
  if (r.object !== null) w.object(r.object, 'object');
  w.varint(r.alternatives.length, 'alternatives');
  r.alternatives.forEach((a, i) => {
    const field = `alternatives[${i}]`;
    w.object(a.object, `${field}.object`).f64(a.score, `${field}.score`).f64(a.share, `${field}.share`);
    w.varint(a.assertionIds.length, `${field}.assertionIds`);
    a.assertionIds.forEach((id, j) => w.id(id, `${field}.assertionIds[${j}]`));
  });
  return w.id(blake3(Buffer.from(r.summary, 'utf8')), 'summary').finish();
}
