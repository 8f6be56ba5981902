/**
 * The demo graph `stemedb dev` loads into an empty log: five agents and an
 * admin with key pairs derived from fixed seeds, claims with fixed timestamps
 * and named evidence — so every id is the same on every machine and the README
 * can quote them. Pure: builds signed records, does no I/O.
 *
 * What it shows (docs in README "Try it"):
 * - city:denver/water_boiling_point_c — a clear Consensus winner, a co-signature
 *   added later by another agent, a negative vote, and a gold standard;
 * - planet:pluto/classification — an agent corrects its own claim (parent_hash),
 *   so the answer before the correction ("planet") differs from now;
 * - country:kazakhstan/capital — a calibration fact with a gold standard;
 * - country:myanmar/capital — stale copies outnumber the current answer:
 *   Consensus says Yangon, Recency and Authority (trust learned from gold
 *   standards) say Naypyidaw;
 * - city:lagos/population — two sources close enough to be contested, which
 *   ingest records as an escalation (the only pair that ever becomes contested);
 * - country:nigeria/largest_city — an entity reference (city:lagos), so a
 *   pattern query can follow it to the city's population (docs/QUERIES.md).
 */
import { blake3, recordId } from '../../shared/domain/hash';
import { keyPairFromSeed, signRecord, type KeyPair } from '../../shared/domain/signing';
import type { Assertion, Epoch, GoldStandard, ObjectValue, StemeRecord, Vote } from '../../shared/domain/types';

/** Seeds are BLAKE3 of this prefix plus the agent's name. */
export const DEMO_SEED_PREFIX = 'stemedb-demo/';

export const DEMO_AGENT_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin'] as const;
export type DemoAgentName = (typeof DEMO_AGENT_NAMES)[number];

/** The deterministic key pair of a demo agent (or of `admin`). */
export function demoKeyPair(name: DemoAgentName | 'admin'): KeyPair {
  return keyPairFromSeed(blake3(Buffer.from(DEMO_SEED_PREFIX + name, 'utf8')));
}

/** The pairs the tour talks about. */
export const DEMO_PAIRS = {
  denver: { subject: 'city:denver', predicate: 'water_boiling_point_c' },
  pluto: { subject: 'planet:pluto', predicate: 'classification' },
  myanmar: { subject: 'country:myanmar', predicate: 'capital' },
  kazakhstan: { subject: 'country:kazakhstan', predicate: 'capital' },
  lagos: { subject: 'city:lagos', predicate: 'population' },
} as const;

/** The entity reference a two-hop query follows (docs/QUERIES.md): not a conflict, one claim. */
export const DEMO_REFERENCE = { subject: 'country:nigeria', predicate: 'largest_city', entity: 'city:lagos' } as const;

/** The epoch the corrected Pluto claims belong to. */
export const DEMO_EPOCH = 'iau-2006';

export interface DemoGraph {
  /** Signed records in log order (references point backwards only). */
  readonly records: readonly StemeRecord[];
  /** Index in `records` of the assertion that supersedes an earlier claim. */
  readonly supersessionIndex: number;
  /** Id of that superseding assertion. */
  readonly supersessionId: Buffer;
  /** The public key the writer must accept as admin (gold standards, epochs). */
  readonly adminKey: Buffer;
}

const utc = (iso: string): number => Date.parse(iso);
/** Named evidence: the 32-byte source hash of a document we only name. */
const source = (name: string): Buffer => blake3(Buffer.from(`${DEMO_SEED_PREFIX}source/${name}`, 'utf8'));
const text = (value: string): ObjectValue => ({ kind: 'text', value });
const number = (value: number): ObjectValue => ({ kind: 'number', value });
const integer = (value: bigint): ObjectValue => ({ kind: 'integer', value });
const entity = (value: string): ObjectValue => ({ kind: 'entity', value });

interface Claim {
  readonly pair: { readonly subject: string; readonly predicate: string };
  readonly object: ObjectValue;
  readonly confidence: number;
  readonly source: string;
  readonly at: string;
  readonly parent?: Buffer;
  readonly epoch?: string;
}

function claim(c: Claim): Assertion {
  return {
    kind: 'assertion',
    subject: c.pair.subject,
    predicate: c.pair.predicate,
    object: c.object,
    confidence: c.confidence,
    sourceHash: source(c.source),
    visualHash: null,
    parentHash: c.parent ?? null,
    epoch: c.epoch ?? null,
    assertedAtMs: utc(c.at),
    signatures: [],
  };
}

function gold(pair: { readonly subject: string; readonly predicate: string }, object: ObjectValue, at: string): GoldStandard {
  return { kind: 'gold_standard', subject: pair.subject, predicate: pair.predicate, object, createdAtMs: utc(at), signatures: [] };
}

/** Builds the demo graph. Deterministic: the same records, ids and signatures on every call. */
export function buildDemoGraph(): DemoGraph {
  const key = {
    alice: demoKeyPair('alice'),
    bob: demoKeyPair('bob'),
    carol: demoKeyPair('carol'),
    dave: demoKeyPair('dave'),
    erin: demoKeyPair('erin'),
    admin: demoKeyPair('admin'),
  };
  const records: StemeRecord[] = [];
  const add = <R extends StemeRecord>(record: R, ...signers: KeyPair[]): Buffer => {
    records.push(signRecord(record, signers));
    return recordId(record);
  };
  const vote = (by: KeyPair, on: Buffer, value: number, at: string): void => {
    const v: Vote = { kind: 'vote', assertionId: on, voter: by.publicKey, value, castAtMs: utc(at), signatures: [] };
    add(v, by);
  };
  const { denver, pluto, kazakhstan, myanmar, lagos } = DEMO_PAIRS;

  const epoch: Epoch = { kind: 'epoch', name: DEMO_EPOCH, description: "planets under the IAU's 2006 definition", startsAtMs: utc('2006-08-24T00:00:00Z'), parent: null, signatures: [] };
  add(epoch, key.admin);

  // Denver: water boils near 95 °C at 1600 m; bob forgot the altitude. (Log order is
  // arrival order, not asserted_at order; this one never makes the pair contested.)
  add(claim({ pair: denver, object: number(95), confidence: 0.9, source: 'usgs-altitude-table', at: '2003-05-01T00:00:00Z' }), key.alice);
  const carolDenver = claim({ pair: denver, object: number(95), confidence: 0.85, source: 'field-measurement-2004', at: '2004-07-10T00:00:00Z' });
  add(carolDenver, key.carol);
  // The same claim co-signed later by dave: same id, one more signer.
  add(carolDenver, key.dave);
  const bobDenver = add(claim({ pair: denver, object: number(100), confidence: 0.8, source: 'school-textbook', at: '2003-06-01T00:00:00Z' }), key.bob);
  vote(key.erin, bobDenver, -1, '2004-08-01T00:00:00Z');
  add(gold(denver, number(95), '2010-01-01T00:00:00Z'), key.admin);

  // Pluto: a planet until 2006; alice corrects her own claim.
  const alicePlanet = add(claim({ pair: pluto, object: text('planet'), confidence: 0.9, source: 'encyclopedia-2005', at: '2005-01-10T00:00:00Z' }), key.alice);
  add(claim({ pair: pluto, object: text('planet'), confidence: 0.8, source: 'school-textbook', at: '2005-03-01T00:00:00Z' }), key.bob);
  add(claim({ pair: pluto, object: text('dwarf planet'), confidence: 0.95, source: 'iau-resolution-b5', at: '2006-08-24T12:00:00Z', epoch: DEMO_EPOCH }), key.carol);
  const supersessionIndex = records.length;
  const supersessionId = add(claim({ pair: pluto, object: text('dwarf planet'), confidence: 0.95, source: 'nasa-pluto-2006', at: '2006-08-25T00:00:00Z', epoch: DEMO_EPOCH, parent: alicePlanet }), key.alice);
  add(gold(pluto, text('dwarf planet'), '2010-01-01T00:00:00Z'), key.admin);

  // Kazakhstan: the capital moved from Almaty to Astana in 1997; bob copied an older almanac.
  add(claim({ pair: kazakhstan, object: text('Astana'), confidence: 0.9, source: 'state-gazette-1998', at: '2000-06-10T00:00:00Z' }), key.carol);
  add(claim({ pair: kazakhstan, object: text('Astana'), confidence: 0.85, source: 'encyclopedia-2010', at: '2010-03-01T00:00:00Z' }), key.alice);
  add(claim({ pair: kazakhstan, object: text('Almaty'), confidence: 0.8, source: 'almanac-1996', at: '2000-01-15T00:00:00Z' }), key.bob);
  add(gold(kazakhstan, text('Astana'), '2010-01-01T00:00:00Z'), key.admin);

  // Myanmar: the capital moved to Naypyidaw in 2006; two stale claims outnumber it.
  add(claim({ pair: myanmar, object: text('Yangon'), confidence: 0.9, source: 'almanac-2004', at: '2004-01-01T00:00:00Z' }), key.bob);
  add(claim({ pair: myanmar, object: text('Yangon'), confidence: 0.5, source: 'travel-blog-2005', at: '2005-02-01T00:00:00Z' }), key.erin);
  const carolCapital = add(claim({ pair: myanmar, object: text('Naypyidaw'), confidence: 0.9, source: 'state-gazette-2006', at: '2006-03-27T00:00:00Z' }), key.carol);
  vote(key.dave, carolCapital, 1, '2006-04-01T00:00:00Z');
  add(gold(myanmar, text('Naypyidaw'), '2010-01-01T00:00:00Z'), key.admin);

  // Lagos: two official figures for the same year, neither clearly ahead.
  const aliceLagos = add(claim({ pair: lagos, object: integer(14_368_000n), confidence: 0.75, source: 'un-world-urbanization-2018', at: '2018-05-16T00:00:00Z' }), key.alice);
  add(claim({ pair: lagos, object: integer(15_388_000n), confidence: 0.8, source: 'lagos-state-bureau-2018', at: '2018-06-01T00:00:00Z' }), key.erin);
  vote(key.dave, aliceLagos, 0.5, '2018-07-01T00:00:00Z');

  // Nigeria: its largest city, as an entity reference a query can follow to Lagos's population.
  add(claim({ pair: DEMO_REFERENCE, object: entity(DEMO_REFERENCE.entity), confidence: 0.9, source: 'national-census-2006', at: '2007-01-10T00:00:00Z' }), key.carol);

  return { records, supersessionIndex, supersessionId, adminKey: key.admin.publicKey };
}
