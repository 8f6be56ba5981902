/**
 * What the learn job reads (services/trust/read-claims.ts): every page pinned
 * at the first page's served offset; superseded claims left out; and a claim
 * counted only for the signers that still back it — an agent that withdrew it
 * by superseding it (docs/LENSES.md "Supersession and withdrawal") is dropped.
 */
import type { ListClaimsRequest, ListClaimsResponse, ReaderServiceClient, StoredAssertion } from '../../shared/gen/stemedb/v1/reader';
import { readClaims } from '../../services/trust/read-claims';

const key = (b: number): Buffer => Buffer.alloc(32, b);

function claim(id: number, signers: number[], extra: Partial<StoredAssertion> = {}): StoredAssertion {
  return {
    id: key(id),
    assertion: {
      subject: 's',
      predicate: 'p',
      object: { value: { $case: 'text', value: `v${id}` } },
      confidence: 0.9,
      sourceHash: key(100 + id),
      parentHash: Buffer.alloc(0),
      epoch: '',
      assertedAtMs: 1_700_000_000_000n,
      signatures: signers.map((s) => ({ publicKey: key(s), signature: Buffer.alloc(64), algorithm: 1 })),
    },
    offset: BigInt(id * 100),
    votes: [],
    netVote: 0,
    superseded: false,
    supersededBy: [],
    withdrawals: [],
    ...extra,
  } as StoredAssertion;
}

/** A reader with two pages; records every request. */
function fakeReader(pages: ListClaimsResponse[], requests: ListClaimsRequest[]): ReaderServiceClient {
  const listClaims = (request: ListClaimsRequest, _metadata: unknown, _options: unknown, callback: (err: null, res: ListClaimsResponse) => void): unknown => {
    requests.push(request);
    callback(null, pages[requests.length - 1]!);
    return { cancel: () => undefined };
  };
  return { listClaims } as unknown as ReaderServiceClient;
}

describe('readClaims', () => {
  it('pins later pages at the first served offset, leaves out superseded claims and withdrawn signers', async () => {
    const requests: ListClaimsRequest[] = [];
    const pages: ListClaimsResponse[] = [
      { claims: [claim(1, [1, 2]), claim(2, [3], { superseded: true })], goldStandards: [], nextPageToken: 'next', servedAtOffset: 900n },
      {
        claims: [claim(3, [4, 5], { withdrawals: [{ agent: key(4), childId: key(9), offset: 700n }] }), claim(4, [6], { withdrawals: [{ agent: key(6), childId: key(9), offset: 700n }] })],
        goldStandards: [],
        nextPageToken: '',
        servedAtOffset: 900n,
      },
    ];
    const got = await readClaims(fakeReader(pages, requests), 50);
    expect(requests.map((r) => [r.minOffset, r.asOfOffset, r.pageToken])).toEqual([
      [50n, undefined, ''],
      [undefined, 900n, 'next'],
    ]);
    expect(got.servedAtOffset).toBe(900);
    expect(got.assertions).toBe(4);
    // Claim 2 is superseded; claim 4's only signer withdrew it; claim 3 counts for agent 5 alone.
    expect(got.claims.map((c) => [c.value, c.signers])).toEqual([
      ['text:v1', [key(1).toString('hex'), key(2).toString('hex')]],
      ['text:v3', [key(5).toString('hex')]],
    ]);
  });
});
