/**
 * What ingest makes of each kind of record: votes (re-votes, early votes),
 * co-signatures, supersession, trust updates, epochs — checked through the
 * graph read API and the raw stored values.
 */
import { GraphReader } from '../../shared/graph/graph-reader';
import { decodeF64, decodeU64 } from '../../shared/graph/scalars';
import { decodeVoteHistory } from '../../shared/graph/vote-history';
import type { HybridStore } from '../../shared/storage/hybrid-store';
import { keys, prefixes } from '../../shared/storage/keys';
import { setLogLevel } from '../../shared/telemetry/logger';
import { join } from 'node:path';
import { useTempDir } from '../helpers/tmp';
import type { StemeRecord } from '../../shared/domain/types';
import { agent, claim, epoch, gold, idOf, logOf, signed, T0, text, vote } from '../graph/log-builder';
import { buildStore, dumpLines } from '../graph/store-helpers';

beforeAll(() => setLogLevel('error'));

const A = agent(0);
const B = agent(1);
const C = agent(2);
const X = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815') }), [A]);
const Y = signed(claim({ subject: 'ada', predicate: 'born', object: text('1816'), source: 2 }), [B]);

describe('ingest semantics', () => {
  const tmp = useTempDir('stemedb-ingest-');
  let open: HybridStore[] = [];
  afterEach(async () => {
    await Promise.all(open.map((s) => s.close()));
    open = [];
  });

  /** A fresh store (its own directory under the test's temp dir) holding `records`. */
  async function build(records: StemeRecord[], batchRecordsMax = 1000): Promise<{ store: HybridStore; reader: GraphReader; offsets: number[] }> {
    const log = logOf(records);
    const store = await buildStore(join(tmp.path, `store-${open.length}`), log, { batchRecordsMax });
    open.push(store);
    return { store, reader: new GraphReader(store), offsets: log.map((r) => r.offset) };
  }

  async function totals(s: HybridStore, id: Buffer): Promise<[number | undefined, number | undefined]> {
    const [vc, vw] = await s.getMany([keys.voteCount(id), keys.voteWeight(id)]);
    return [vc === undefined ? undefined : decodeU64(vc, 'VC'), vw === undefined ? undefined : decodeF64(vw, 'VW')];
  }

  describe('votes', () => {
    it('a re-vote replaces the earlier vote: the agent counts once, with its latest value', async () => {
      const { store: s, reader, offsets } = await build([X, vote(idOf(X), C, 1, T0 + 1), vote(idOf(X), B, 0.5, T0 + 1), vote(idOf(X), C, -1, T0 + 2)]);
      expect(await totals(s, idOf(X))).toEqual([2, -0.5]);
      const view = (await reader.getAssertion(idOf(X)))!;
      expect(view.votes.map((v) => [v.voter.toString('hex'), v.value, v.offset]).sort()).toEqual(
        [
          [B.publicKey.toString('hex'), 0.5, offsets[2]],
          [C.publicKey.toString('hex'), -1, offsets[3]],
        ].sort(),
      );
      expect(view.netVote).toBe(-0.5);
      // Every vote stays in PV for time travel; as of the re-vote the first one counted.
      expect(decodeVoteHistory((await s.get(keys.pairVote(X.subject, X.predicate, idOf(X), C.publicKey)))!).map((v) => v.value)).toEqual([1, -1]);
      expect((await reader.getAssertion(idOf(X), { asOfOffset: offsets[3] }))!.netVote).toBe(1.5);
    });

    it('a re-vote cast earlier than the current vote is kept in the history but does not replace it', async () => {
      const { store: s } = await build([X, vote(idOf(X), C, 1, T0 + 10), vote(idOf(X), C, -1, T0 + 5)]);
      expect(await totals(s, idOf(X))).toEqual([1, 1]);
      expect(decodeVoteHistory((await s.get(keys.pairVote(X.subject, X.predicate, idOf(X), C.publicKey)))!)).toHaveLength(2);
    });

    it('two votes cast in the same millisecond: the later in the log wins', async () => {
      const { store: s } = await build([X, vote(idOf(X), C, 1, T0), vote(idOf(X), C, 0.25, T0)]);
      expect(await totals(s, idOf(X))).toEqual([1, 0.25]);
    });

    it('an early vote waits in PENDING and counts once its assertion arrives, in the same or a later batch', async () => {
      for (const batch of [1, 1000]) {
        const { store: s, reader, offsets } = await build([vote(idOf(Y), C, 1, T0), X, vote(idOf(Y), A, -0.5, T0), Y], batch);
        expect(await totals(s, idOf(Y))).toEqual([2, 0.5]);
        const pending: Buffer[] = [];
        for await (const [k] of s.scanPrefix(prefixes.kind('pendingVote'))) pending.push(k);
        expect(pending).toEqual([]);
        const candidate = (await reader.candidatesFor('ada', 'born')).find((c) => c.id.equals(idOf(Y)))!;
        expect(candidate.votes.map((v) => v.offset).sort((a, b) => a - b)).toEqual([offsets[0], offsets[2]]);
      }
    });

    it('a vote whose assertion never arrives stays pending and counts nowhere', async () => {
      const { store: s } = await build([X, vote(idOf(Y), C, 1)]);
      expect(await totals(s, idOf(Y))).toEqual([undefined, undefined]);
      expect(decodeVoteHistory((await s.get(keys.pendingVote(idOf(Y), C.publicKey)))!, 'PENDING')).toHaveLength(1);
    });
  });

  describe('co-signatures', () => {
    it('a co-signature merges the new signer with the offset it signed at; a re-delivery changes nothing but the counter', async () => {
      const cosigned = signed(X, [B]);
      const { reader, offsets, store: s } = await build([X, cosigned, X, cosigned]);
      const view = (await reader.getAssertion(idOf(X)))!;
      expect(view.signers.map((x) => [x.publicKey.toString('hex'), x.offset])).toEqual([
        [A.publicKey.toString('hex'), offsets[0]],
        [B.publicKey.toString('hex'), offsets[1]],
      ]);
      expect(view.assertion.signatures).toHaveLength(2);
      expect((await reader.getAssertion(idOf(X), { asOfOffset: offsets[1] }))!.signers).toHaveLength(1);
      const { store: once } = await build([X, cosigned]);
      // Same bytes everywhere except the counter and the cursors (the log is longer).
      const data = (lines: string[]): string[] => lines.filter((l) => !/ L?META /.test(l));
      expect(data(await dumpLines(s))).toEqual(data(await dumpLines(once)));
      expect(await reader.counters()).toEqual({ applied: 4, rejected: 0 });
    });
  });

  describe('supersession', () => {
    const child = (signers: typeof A[], source = 3) => signed(claim({ subject: 'ada', predicate: 'born', object: text('1815-12-10'), parent: idOf(X), source }), signers);

    it('a child signed by one of the parent’s signers supersedes it', async () => {
      const c = child([A, C]);
      const { reader, offsets } = await build([X, c]);
      const view = (await reader.getAssertion(idOf(X)))!;
      expect([view.superseded, view.supersededAtOffset, view.supersededBy]).toEqual([true, offsets[1], [idOf(c)]]);
      expect((await reader.getAssertion(idOf(X), { asOfOffset: offsets[1] }))!.superseded).toBe(false);
    });

    it('a child signed only by others does not', async () => {
      const { reader } = await build([X, child([C])]);
      expect((await reader.getAssertion(idOf(X)))!.superseded).toBe(false);
    });

    it('a parent arriving after its child is superseded when it arrives', async () => {
      const c = child([A]);
      const { reader, offsets } = await build([c, Y, X]);
      const view = (await reader.getAssertion(idOf(X)))!;
      expect([view.superseded, view.supersededAtOffset]).toEqual([true, offsets[2]]);
    });

    it('a co-signature that gives the child one of the parent’s signers supersedes the parent at that offset', async () => {
      const c = child([C]);
      const { reader, offsets } = await build([X, c, signed(c, [A])]);
      const view = (await reader.getAssertion(idOf(X)))!;
      expect([view.superseded, view.supersededAtOffset]).toEqual([true, offsets[2]]);
    });

    it('a co-signature of the parent by the child’s signer completes the edge, but withdraws only that co-signer', async () => {
      const c = child([C]);
      const { reader, offsets } = await build([X, c, signed(X, [C])]);
      const view = (await reader.getAssertion(idOf(X)))!;
      // C co-signed X and signed its child: C withdraws itself; A, the author, still supports X.
      expect([view.superseded, view.supersededAtOffset, view.supersededBy]).toEqual([false, null, [idOf(c)]]);
      expect(view.withdrawals).toEqual([{ agent: C.publicKey, childId: idOf(c), offset: offsets[2] }]);
    });
  });

  describe('trust', () => {
    it('follows the worked example of docs/STORAGE.md', async () => {
      const Z = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815'), source: 4 }), [C]);
      const records = [X, Y, gold('ada', 'born', text('1815')), Z, signed(Y, [A]), signed(Y, [A])];
      const { reader, offsets } = await build(records);
      const evidence = await reader.trustEvidence();
      // A agrees, B contradicts when the gold standard arrives; C agrees on arrival;
      // A co-signs the wrong claim (one wrong more); the re-delivery changes nothing.
      expect(evidence.get(A.publicKey.toString('hex'))).toEqual({ right: 1, wrong: 1 });
      expect(evidence.get(B.publicKey.toString('hex'))).toEqual({ right: 0, wrong: 1 });
      expect(evidence.get(C.publicKey.toString('hex'))).toEqual({ right: 1, wrong: 0 });
      expect((await reader.trustEvidence({ asOfOffset: offsets[4] })).get(A.publicKey.toString('hex'))).toEqual({ right: 1, wrong: 0 });
      expect(await reader.trustEvidence({ asOfOffset: offsets[2] })).toEqual(new Map());
      // Reliability is the Beta(1, 3) posterior mean (1 + right) / (4 + right + wrong).
      const ranks = await reader.trustRanks();
      expect([A, B, C].map((k) => ranks.get(k.publicKey.toString('hex')))).toEqual([2 / 6, 1 / 5, 2 / 5]);
    });
  });

  describe('epochs', () => {
    it('the first epoch of a name keeps it; a co-signature merges, another epoch of that name is ignored', async () => {
      const e1 = epoch('e1', A);
      const other = signed({ ...epoch('e1', C), description: 'other' }, [C]);
      const { store: s, reader } = await build([e1, signed(e1, [B]), other]);
      expect(await reader.counters()).toEqual({ applied: 3, rejected: 0 });
      const line = (await dumpLines(s)).find((l) => l.startsWith('rocksdb E '))!;
      expect(line).toContain('"description":"epoch e1"');
      expect(line).toContain(B.publicKey.toString('hex'));
    });
  });
});
