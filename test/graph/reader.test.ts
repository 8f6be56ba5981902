/** The graph read API the reader service builds on. */
import { GraphInputError } from '../../shared/graph/errors';
import { GraphReader } from '../../shared/graph/graph-reader';
import { PAGE_SIZE_MAX } from '../../shared/graph/limits';
import { resolve } from '../../shared/lens/index';
import type { HybridStore } from '../../shared/storage/hybrid-store';
import { setLogLevel } from '../../shared/telemetry/logger';
import { useTempDir } from '../helpers/tmp';
import { agent, claim, gold, idOf, logOf, signed, text, trustPack, vote } from './log-builder';
import { buildStore } from './store-helpers';

beforeAll(() => setLogLevel('error'));

const claims = Array.from({ length: 5 }, (_, i) => signed(claim({ subject: 'ada', predicate: i < 3 ? 'born' : 'died', object: text(`v${i}`), source: 7 }), [agent(i)]));
const other = signed(claim({ subject: 'bob', predicate: 'born', object: text('1900'), source: 8 }), [agent(0)]);
const pack = trustPack('editors', [[agent(0), 0.9]]);
const records = [...claims, other, vote(idOf(claims[0]!), agent(4), 1), gold('ada', 'born', text('v0')), pack];

describe('GraphReader', () => {
  const tmp = useTempDir('stemedb-reader-');
  let store: HybridStore;
  let reader: GraphReader;
  const log = logOf(records);
  beforeEach(async () => {
    store = await buildStore(tmp.path, log);
    reader = new GraphReader(store);
  });
  afterEach(() => store.close());

  it('historyOf streams a pair’s assertions in log order', async () => {
    const seen: number[] = [];
    for await (const a of reader.historyOf('ada', 'born')) seen.push(a.offset);
    expect(seen).toEqual([log[0]!.offset, log[1]!.offset, log[2]!.offset]);
  });

  it('bySource pages by assertion id; the token resumes after the last item', async () => {
    const first = await reader.bySource(Buffer.alloc(32, 7), { pageSize: 2 });
    const second = await reader.bySource(Buffer.alloc(32, 7), { pageSize: 2, pageToken: first.nextPageToken });
    const third = await reader.bySource(Buffer.alloc(32, 7), { pageSize: 2, pageToken: second.nextPageToken });
    const ids = [...first.items, ...second.items, ...third.items].map((a) => a.id.toString('hex'));
    expect(ids).toEqual(claims.map((c) => idOf(c).toString('hex')).sort());
    expect(third.nextPageToken).toBe('');
    const asOf = await reader.bySource(Buffer.alloc(32, 7), { asOfOffset: log[2]!.offset });
    expect(asOf.items).toHaveLength(2);
  });

  it('refuses page sizes outside 1..PAGE_SIZE_MAX and tokens it did not hand out', async () => {
    await expect(reader.bySource(Buffer.alloc(32, 7), { pageSize: 0 })).rejects.toThrow(GraphInputError);
    await expect(reader.bySource(Buffer.alloc(32, 7), { pageSize: PAGE_SIZE_MAX + 1 })).rejects.toThrow(GraphInputError);
    await expect(reader.bySource(Buffer.alloc(32, 7), { pageSize: 1 })).resolves.toMatchObject({ items: [expect.anything()] });
    await expect(reader.bySource(Buffer.alloc(32, 7), { pageSize: PAGE_SIZE_MAX })).resolves.toMatchObject({ nextPageToken: '' });
    await expect(reader.bySource(Buffer.alloc(32, 7), { pageToken: 'zz' })).rejects.toThrow(GraphInputError);
    const foreign = (await reader.bySource(Buffer.alloc(32, 8), { pageSize: 1 })).items[0]!.id;
    await expect(reader.bySource(Buffer.alloc(32, 7), { pageToken: foreign.toString('hex') })).rejects.toThrow(GraphInputError);
    await expect(reader.escalations({ pageToken: '00' })).rejects.toThrow(GraphInputError);
  });

  it('refuses a negative or fractional as-of offset', async () => {
    await expect(reader.candidatesFor('ada', 'born', { asOfOffset: -1 })).rejects.toThrow(GraphInputError);
    await expect(reader.candidatesFor('ada', 'born', { asOfOffset: 1.5 })).rejects.toThrow(GraphInputError);
    await expect(reader.candidatesFor('ada', 'born', { asOfOffset: 0 })).resolves.toEqual([]);
  });

  it('predicatesOf lists a subject’s predicates, as of an offset too', async () => {
    expect(await reader.predicatesOf('ada')).toEqual(['born', 'died']);
    expect(await reader.predicatesOf('ada', { asOfOffset: log[3]!.offset })).toEqual(['born']);
    expect(await reader.predicatesOf('nobody')).toEqual([]);
  });

  it('materialized() is the stored Consensus resolution; a fresh one equals it', async () => {
    const mv = (await reader.materialized('ada', 'born'))!;
    expect(mv).toEqual(resolve('consensus', 'ada', 'born', await reader.candidatesFor('ada', 'born'), { explain: false }));
    expect(mv.object).toEqual(text('v0'));
    expect(await reader.materialized('ada', 'nothing')).toBeUndefined();
  });

  it('gold standards, trust packs and trust ranks', async () => {
    expect((await reader.goldStandards('ada', 'born')).map((g) => g.record.object)).toEqual([text('v0')]);
    expect((await reader.trustPack(idOf(pack)))!.record.entries).toEqual(pack.entries);
    expect(await reader.trustPack(Buffer.alloc(32))).toBeUndefined();
    const evidence = await reader.trustEvidence();
    expect(evidence.get(agent(0).publicKey.toString('hex'))).toEqual({ right: 1, wrong: 0 });
    expect(evidence.get(agent(1).publicKey.toString('hex'))).toEqual({ right: 0, wrong: 1 });
    expect(evidence.has(agent(3).publicKey.toString('hex'))).toBe(false); // asserted only on another predicate
    // The Beta(1, 3) posterior mean: (1 + right) / (4 + right + wrong).
    const ranks = await reader.trustRanks();
    expect(ranks.get(agent(0).publicKey.toString('hex'))).toBe(2 / 5);
    expect(ranks.get(agent(1).publicKey.toString('hex'))).toBe(1 / 5);
  });

  it('getAssertion shows votes, net vote and an unknown id as undefined', async () => {
    const a = (await reader.getAssertion(idOf(claims[0]!)))!;
    expect([a.votes.length, a.netVote, a.superseded, a.supersededBy]).toEqual([1, 1, false, []]);
    expect(await reader.getAssertion(Buffer.alloc(32))).toBeUndefined();
    expect(await reader.getAssertion(idOf(claims[4]!), { asOfOffset: log[4]!.offset })).toBeUndefined();
  });
});
