/**
 * Supersession belongs to authors, over the wire: a real writer, a reader
 * tailing it, and the CLI. The co-sign-then-supersede attack leaves the
 * victim's claim counted for the victim and the answer unchanged; an author
 * supersedes its own claim; a claim with two authors is excluded only once
 * both withdrew, counting the one left in between; and as_of before and after
 * each withdrawal answers as the log stood then (Resolve, Explain,
 * GetAssertion, History).
 */
import { recordId } from '../../shared/domain/hash';
import type { StemeRecord } from '../../shared/domain/types';
import { Lens, type CandidateExplanation, type HistoryResponse, type ReaderServiceClient, type StoredAssertion } from '../../shared/gen/stemedb/v1/reader';
import { callUnary } from '../../shared/grpc/client';
import { agent, claim, signed } from '../graph/log-builder';
import { runCli } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess, type WriterProcess } from '../writer/writer-fixtures';
import { options, readerClient, resolve, startReaderProcess, text, write, type ReaderProcess } from './reader-fixtures';

/** A text object as the reader's protobuf answers carry it. */
const pbText = (value: string) => ({ value: { $case: 'text', value } });

const ALICE = agent(10);
const BOB = agent(11);
const CAROL = agent(12);
const MALLORY = agent(13);

/** A claim about (subject, class) signed by `by`. */
function classOf(subject: string, value: string, by: typeof ALICE[], extra: { confidence?: number; source?: number; parent?: StemeRecord } = {}): StemeRecord {
  const body = claim({
    subject,
    predicate: 'class',
    object: text(value),
    confidence: extra.confidence ?? 0.9,
    source: extra.source ?? 1,
    parent: extra.parent === undefined ? null : recordId(extra.parent),
  });
  return signed(body, by);
}

describe('supersession and withdrawal over the wire', () => {
  const dir = makeTempDir('stemedb-withdrawals-e2e-');
  let writer: WriterProcess;
  let reader: ReaderProcess;
  let c: ReaderServiceClient;
  let last = 0;

  const w = async (record: StemeRecord): Promise<number> => {
    const r = await write(writer.address, record);
    last = r.at;
    return r.at;
  };
  const explain = async (subject: string, asOf?: number) =>
    (await callUnary(c.explain.bind(c), { subject, predicate: 'class', options: options(asOf === undefined ? { minOffset: BigInt(last) } : { asOfOffset: BigInt(asOf) }) })).resolution!;
  const answerOf = async (subject: string, lens: Lens, asOf?: number) => {
    const res = await resolve(c, subject, 'class', asOf === undefined ? { lens, minOffset: BigInt(last) } : { lens, asOfOffset: BigInt(asOf) });
    const r = res.resolution!;
    return { outcome: r.outcome, object: r.object, alternatives: r.alternatives.map((a) => [a.object, a.score, a.share]) };
  };
  const assertionOf = async (record: StemeRecord, asOf?: number): Promise<StoredAssertion> =>
    (await callUnary(c.getAssertion.bind(c), { id: recordId(record), ...(asOf === undefined ? { minOffset: BigInt(last) } : { asOfOffset: BigInt(asOf) }) })).assertion!;
  const explained = (r: { explanations: CandidateExplanation[] }, record: StemeRecord): CandidateExplanation => r.explanations.find((e) => e.assertionId.equals(recordId(record)))!;
  const withdrawn = (ws: { agent: Buffer; childId: Buffer; offset: bigint }[]) => ws.map((x) => [x.agent.toString('hex'), x.childId.toString('hex'), Number(x.offset)]);
  const by = (who: typeof ALICE, child: StemeRecord, offset: number) => [who.publicKey.toString('hex'), recordId(child).toString('hex'), offset];

  beforeAll(async () => {
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none']);
    reader = await startReaderProcess(`${dir.path}/data`, ['--writer', writer.address]);
    c = readerClient(reader.address);
  });

  afterAll(async () => {
    c?.close();
    const code = await reader?.stop();
    await writer?.stop();
    dir.cleanup();
    expect(code).toBe(0);
  });

  it('the co-sign-then-supersede attack: alice’s claim still counts for alice, and no answer changes', async () => {
    const P = classOf('pluto-attack', 'planet', [ALICE], { source: 1 });
    const Q = classOf('pluto-attack', 'planet', [CAROL], { confidence: 0.8, source: 2 });
    await w(P);
    const coSignAt = await w(Q).then(() => w(signed(P, [MALLORY]))); // same id, only mallory's signature
    const hijack = classOf('pluto-attack', 'dwarf planet', [MALLORY], { confidence: 1, source: 3, parent: P });
    const hijackAt = await w(hijack);

    for (const lens of [Lens.LENS_CONSENSUS, Lens.LENS_AUTHORITY, Lens.LENS_THRESHOLD]) {
      const before = await answerOf('pluto-attack', lens, coSignAt);
      const after = await answerOf('pluto-attack', lens);
      expect([lens, after.outcome, after.object]).toEqual([lens, before.outcome, before.object]);
    }
    expect((await answerOf('pluto-attack', Lens.LENS_CONSENSUS)).object).toEqual(pbText('planet'));

    const view = await assertionOf(P);
    expect([view.superseded, view.supersededAtOffset]).toEqual([false, undefined]);
    expect(view.supersededBy).toEqual([recordId(hijack)]);
    expect(withdrawn(view.withdrawals)).toEqual([by(MALLORY, hijack, hijackAt)]);
    const e = explained(await explain('pluto-attack'), P);
    expect([e.excludedReason, withdrawn(e.withdrawals)]).toEqual(['', [by(MALLORY, hijack, hijackAt)]]);
    expect(e.terms.find((t) => t.name === 'value_support')!.detail).toContain('from 2 signers'); // alice and carol
  });

  it('an author supersedes its own claim', async () => {
    const P = classOf('pluto-author', 'planet', [ALICE]);
    await w(P);
    const fix = classOf('pluto-author', 'dwarf planet', [ALICE], { source: 2, parent: P });
    const fixAt = await w(fix);
    expect((await answerOf('pluto-author', Lens.LENS_CONSENSUS)).object).toEqual(pbText('dwarf planet'));
    expect((await answerOf('pluto-author', Lens.LENS_RECENCY)).object).toEqual(pbText('dwarf planet'));
    const view = await assertionOf(P);
    expect([view.superseded, view.supersededAtOffset, withdrawn(view.withdrawals)]).toEqual([true, BigInt(fixAt), [by(ALICE, fix, fixAt)]]);
    expect(explained(await explain('pluto-author'), P)).toMatchObject({ excludedReason: 'superseded', superseded: true });
    // As of the child's offset the log ended just before it.
    expect((await answerOf('pluto-author', Lens.LENS_CONSENSUS, fixAt)).object).toEqual(pbText('planet'));
    expect((await assertionOf(P, fixAt)).superseded).toBe(false);
  });

  describe('a claim with two authors', () => {
    const P = classOf('pluto-two', 'planet', [ALICE, BOB]);
    const byAlice = classOf('pluto-two', 'dwarf planet', [ALICE], { confidence: 0.6, source: 2, parent: P });
    const byBob = classOf('pluto-two', 'dwarf planet', [BOB], { confidence: 0.6, source: 3, parent: P });
    let aliceAt = 0;
    let bobAt = 0;

    beforeAll(async () => {
      await w(P);
      aliceAt = await w(byAlice);
      bobAt = await w(byBob);
      await answerOf('pluto-two', Lens.LENS_CONSENSUS); // wait until the reader applied everything
    });

    it('as of each offset, the parent counts for the authors that had not withdrawn', async () => {
      const states = [
        { asOf: aliceAt, withdrawals: [], excluded: '', signers: 'from 2 signers', winner: 'planet' },
        { asOf: bobAt, withdrawals: [by(ALICE, byAlice, aliceAt)], excluded: '', signers: 'from 1 signer', winner: 'planet' },
        { asOf: bobAt + 1, withdrawals: [by(ALICE, byAlice, aliceAt), by(BOB, byBob, bobAt)], excluded: 'superseded', signers: null, winner: 'dwarf planet' },
      ];
      for (const s of states) {
        const r = await explain('pluto-two', s.asOf);
        const e = explained(r, P);
        expect([s.asOf, e.excludedReason, withdrawn(e.withdrawals)]).toEqual([s.asOf, s.excluded, s.withdrawals]);
        if (s.signers !== null) expect(e.terms.find((t) => t.name === 'value_support')!.detail).toContain(s.signers);
        expect(r.object).toEqual(pbText(s.winner));
        const view = await assertionOf(P, s.asOf);
        expect([view.superseded, withdrawn(view.withdrawals)]).toEqual([s.excluded === 'superseded', s.withdrawals]);
      }
      const now = await assertionOf(P);
      expect([now.superseded, now.supersededAtOffset]).toEqual([true, BigInt(bobAt)]);
    });

    it('History shows who withdrew what and when', async () => {
      const pages = await new Promise<HistoryResponse[]>((res, rej) => {
        const got: HistoryResponse[] = [];
        const call = c.history({ subject: 'pluto-two', predicate: 'class', options: options({ asOfOffset: BigInt(bobAt) }), pageSize: 0 });
        call.on('data', (m: HistoryResponse) => got.push(m));
        call.on('error', rej);
        call.on('end', () => res(got));
      });
      const parent = pages.flatMap((p) => p.assertions).find((a) => a.id.equals(recordId(P)))!;
      expect([parent.superseded, withdrawn(parent.withdrawals)]).toEqual([false, [by(ALICE, byAlice, aliceAt)]]);
    });

    it('stemedb explain prints each withdrawal', async () => {
      const out = await runCli(['explain', '--reader', reader.address, '--subject', 'pluto-two', '--predicate', 'class', '--as-of', String(bobAt)]);
      expect(out.code).toBe(0);
      expect(out.stdout).toContain(`withdrawn: signer ${ALICE.publicKey.toString('hex').slice(0, 12)}… by assertion ${recordId(byAlice).toString('hex').slice(0, 12)}… at offset ${aliceAt}`);
      const json = JSON.parse((await runCli(['explain', '--reader', reader.address, '--subject', 'pluto-two', '--predicate', 'class', '--json'])).stdout);
      const parent = json.resolution.explanations.find((e: { assertion_id: string }) => e.assertion_id === recordId(P).toString('hex'));
      expect(parent.withdrawals).toEqual([
        { agent: ALICE.publicKey.toString('hex'), child_id: recordId(byAlice).toString('hex'), offset: aliceAt },
        { agent: BOB.publicKey.toString('hex'), child_id: recordId(byBob).toString('hex'), offset: bobAt },
      ]);
    });
  });
});
