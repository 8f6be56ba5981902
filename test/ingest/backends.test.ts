/**
 * Every tag the graph model writes lands in the backend docs/STORAGE.md ("Routing") names
 * (must-hold 1, end to end through ingest): RocksDB for H, PENDING, VC, VW, E,
 * SUPERSEDED, META and the write-once, scan-only indexes PV, PO, REF, ESC, SRC
 * and SIGNER; LMDB for SP, MV, TRUST, TRUSTH, TP, GS, CHILD, LMETA, SUBJ and PS.
 * Store format 3 writes no S and no V.
 */
import { tagOf } from '../../shared/storage/keys';
import { setLogLevel } from '../../shared/telemetry/logger';
import { useTempDir } from '../helpers/tmp';
import { agent, claim, epoch, gold, idOf, logOf, signed, text, trustPack, vote } from '../graph/log-builder';
import { buildStore } from '../graph/store-helpers';

const EXPECTED: Record<string, 'rocksdb' | 'lmdb'> = {
  H: 'rocksdb', PENDING: 'rocksdb', VC: 'rocksdb', VW: 'rocksdb', E: 'rocksdb', SUPERSEDED: 'rocksdb', META: 'rocksdb',
  SRC: 'rocksdb', SIGNER: 'rocksdb', PV: 'rocksdb', PO: 'rocksdb', REF: 'rocksdb', ESC: 'rocksdb',
  SP: 'lmdb', MV: 'lmdb', TRUST: 'lmdb', TRUSTH: 'lmdb', TP: 'lmdb', GS: 'lmdb', CHILD: 'lmdb', LMETA: 'lmdb',
  SUBJ: 'lmdb', PS: 'lmdb',
};

beforeAll(() => setLogLevel('error'));

describe('backends', () => {
  const tmp = useTempDir('stemedb-backends-');

  it('an ingested log of every record kind puts each tag in its backend', async () => {
    const x = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815') }), [agent(0)]);
    const y = signed(claim({ subject: 'ada', predicate: 'born', object: text('1816'), source: 2 }), [agent(1)]);
    const child = signed(claim({ subject: 'ada', predicate: 'born', object: text('1815-12-10'), parent: idOf(x), source: 3 }), [agent(0)]);
    const never = signed(claim({ subject: 'ada', predicate: 'died', object: text('1852') }), [agent(2)]);
    const ref = signed(claim({ subject: 'ada', predicate: 'born_in', object: { kind: 'entity', value: 'city:london' }, source: 4 }), [agent(1)]);
    const store = await buildStore(tmp.path, logOf([x, y, child, ref, vote(idOf(y), agent(3), 1), vote(idOf(never), agent(3), 1), gold('ada', 'born', text('1815')), trustPack('editors', [[agent(0), 0.9]]), epoch('e1')]));
    try {
      const seen = new Map<string, Set<string>>();
      for await (const e of store.dump()) {
        const tag = tagOf(e.key);
        seen.set(tag, (seen.get(tag) ?? new Set()).add(e.backend));
      }
      expect(Object.fromEntries([...seen].map(([tag, backends]) => [tag, [...backends]]))).toEqual(Object.fromEntries(Object.entries(EXPECTED).map(([t, b]) => [t, [b]])));
    } finally {
      await store.close();
    }
  });
});
