/**
 * The JSON form of reader answers the CLI prints (`--json`) and renders as
 * text: ids in hex, offsets as numbers, objects as {kind, value} with 64-bit
 * values and bytes as strings. Pure: no gRPC, safe for the command registry.
 */
import { formatObject } from '../../shared/lens/object-value';
import type { ObjectValue } from '../../shared/domain/types';

export interface ObjectJson {
  readonly kind: ObjectValue['kind'];
  /** Text, entity, number and boolean as themselves; integer and timestamp as decimal strings; bytes as hex. */
  readonly value: string | number | boolean;
  /** formatObject's readable form, e.g. `text "Alice"`. */
  readonly display: string;
}

export interface ScoreTermJson {
  readonly name: string;
  readonly value: number;
  readonly detail: string;
}

/** A signer's support withdrawn by a child assertion it also signed. */
export interface WithdrawalJson {
  /** Public key of the signer, hex. */
  readonly agent: string;
  /** Id of the child assertion, hex. */
  readonly child_id: string;
  /** Offset from which it holds. */
  readonly offset: number;
}

export interface ExplanationJson {
  readonly assertion_id: string;
  readonly object: ObjectJson | null;
  readonly score: number;
  readonly terms: readonly ScoreTermJson[];
  readonly superseded: boolean;
  readonly excluded_reason: string | null;
  /** Signers that withdrew as of the answer, in (offset, agent) order. */
  readonly withdrawals: readonly WithdrawalJson[];
}

export interface AlternativeJson {
  readonly object: ObjectJson | null;
  readonly score: number;
  readonly share: number;
  readonly assertion_ids: readonly string[];
}

export interface ResolutionJson {
  readonly subject: string;
  readonly predicate: string;
  readonly lens: string;
  /** resolved, unresolved or no_candidates. */
  readonly outcome: string;
  readonly object: ObjectJson | null;
  readonly winner_id: string | null;
  readonly score: number;
  readonly share: number;
  readonly contested: boolean;
  readonly alternatives: readonly AlternativeJson[];
  readonly explanations: readonly ExplanationJson[];
  readonly summary: string;
}

/** A Resolve or Explain answer. */
export interface AnswerJson {
  readonly resolution: ResolutionJson;
  readonly served_at_offset: number;
  /** Resolve only. */
  readonly from_materialized_view?: boolean;
}

export function objectJson(v: ObjectValue): ObjectJson {
  const display = formatObject(v);
  switch (v.kind) {
    case 'integer':
    case 'timestamp':
      return { kind: v.kind, value: v.value.toString(), display };
    case 'bytes':
      return { kind: v.kind, value: v.value.toString('hex'), display };
    default:
      return { kind: v.kind, value: v.value, display };
  }
}

const fixed = (x: number): string => x.toFixed(3);
/** A score term: integers (offsets, timestamps) as they are, fractions to 3 places. */
const term = (x: number): string => (Number.isInteger(x) ? String(x) : x.toFixed(3));
const short = (hex: string): string => (hex.length > 12 ? `${hex.slice(0, 12)}…` : hex);
const shown = (o: ObjectJson | null): string => (o === null ? '(none)' : o.display);

function header(a: AnswerJson): string {
  const r = a.resolution;
  const from = a.from_materialized_view === undefined ? '' : a.from_materialized_view ? ', from the materialized view' : ', fresh resolution';
  return `${r.subject} ${r.predicate}  (lens ${r.lens}, served at offset ${a.served_at_offset}${from})`;
}

/** What `stemedb resolve` prints. */
export function renderResolution(a: AnswerJson): string {
  const r = a.resolution;
  const lines = [header(a), `  outcome:   ${r.outcome}`];
  if (r.outcome === 'resolved') lines.push(`  winner:    ${shown(r.object)}  (assertion ${short(r.winner_id ?? '')})`);
  lines.push(`  score:     ${fixed(r.score)}`, `  share:     ${fixed(r.share)}`, `  contested: ${r.contested ? 'yes' : 'no'}`);
  if (r.alternatives.length > 0) {
    lines.push('  alternatives:');
    r.alternatives.forEach((alt, i) => {
      lines.push(`    ${i + 1}. ${shown(alt.object)}  score ${fixed(alt.score)}  share ${fixed(alt.share)}  (${alt.assertion_ids.length} assertion${alt.assertion_ids.length === 1 ? '' : 's'}: ${alt.assertion_ids.map(short).join(', ')})`);
    });
  }
  return lines.join('\n');
}

/** What `stemedb explain` prints: the resolution, every candidate's score terms, the summary. */
export function renderExplanation(a: AnswerJson): string {
  const r = a.resolution;
  const lines = [renderResolution(a), '  candidates:'];
  if (r.explanations.length === 0) lines.push('    (none)');
  for (const e of r.explanations) {
    const state = e.excluded_reason !== null ? `excluded: ${e.excluded_reason}` : `score ${fixed(e.score)}${e.superseded ? ' (superseded)' : ''}`;
    lines.push(`    ${short(e.assertion_id)}  ${shown(e.object)}  ${state}`);
    for (const t of e.terms) lines.push(`        ${t.name} = ${term(t.value)}${t.detail === '' ? '' : `  ${t.detail}`}`);
    for (const w of e.withdrawals) lines.push(`        withdrawn: signer ${short(w.agent)} by assertion ${short(w.child_id)} at offset ${w.offset}`);
  }
  lines.push('  summary:', ...wrap(r.summary, 76).map((l) => `    ${l}`));
  return lines.join('\n');
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out;
}
