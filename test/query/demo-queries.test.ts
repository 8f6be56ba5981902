/**
 * Pattern queries and the index RPCs against real writer and reader processes
 * holding the demo graph (docs/QUERIES.md worked examples): a reverse lookup
 * that the lens decides, a forward lookup, two hops through an entity
 * reference, time travel, listings, and bad queries with their status codes.
 */
import * as grpc from '@grpc/grpc-js';
import { recordId } from '../../shared/domain/hash';
import { objectToProto } from '../../shared/domain/proto-convert';
import type { Assertion } from '../../shared/domain/types';
import { FindMode, Lens, type QueryResponse, type ReaderServiceClient } from '../../shared/gen/stemedb/v1/reader';
import { callUnary, fieldOf } from '../../shared/grpc/client';
import { buildDemoGraph, demoKeyPair } from '../../services/dev/demo-graph';
import { runCli } from '../helpers/process';
import { makeTempDir } from '../helpers/tmp';
import { startWriterProcess, pb, client as writerClient, type WriterProcess } from '../writer/writer-fixtures';
import { options, readerClient, startReaderProcess, type ReaderProcess } from '../reader/reader-fixtures';

function collect<T>(call: grpc.ClientReadableStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const got: T[] = [];
    call.on('data', (m: T) => got.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(got));
  });
}

/** Rows as plain values: entity ids bare, text quoted, numbers as strings. */
function rowsOf(pages: QueryResponse[]): string[][] {
  return pages.flatMap((p) =>
    p.rows.map((r) =>
      r.values.map((v) => {
        if (v.value?.$case === 'predicate') return v.value.value;
        const o = v.value?.value;
        if (o === undefined || typeof o === 'string') return String(o);
        const inner = o.value;
        if (inner?.$case === 'text') return JSON.stringify(inner.value);
        return String(inner?.value);
      }),
    ),
  );
}

describe('queries over the demo graph', () => {
  const dir = makeTempDir('stemedb-demo-query-');
  const graph = buildDemoGraph();
  let writer: WriterProcess;
  let reader: ReaderProcess;
  let c: ReaderServiceClient;
  let head = 0n;
  /** Offset of carol's Naypyidaw claim: as of it, the capital was still Yangon everywhere. */
  let naypyidawAt = 0n;

  beforeAll(async () => {
    writer = await startWriterProcess(`${dir.path}/wal`, ['--durability', 'none', '--admin-key', graph.adminKey.toString('hex')]);
    const w = writerClient(writer.address);
    const res = await callUnary(w.appendBatch.bind(w), { records: graph.records.map(pb) }, { deadlineMs: 10_000 });
    w.close();
    const naypyidaw = graph.records.findIndex((r) => r.kind === 'assertion' && (r as Assertion).object.kind === 'text' && (r as Assertion).object.value === 'Naypyidaw');
    naypyidawAt = res.receipts[naypyidaw]!.offset;
    head = res.receipts[res.receipts.length - 1]!.offset;
    reader = await startReaderProcess(`${dir.path}/data`, ['--writer', writer.address]);
    c = readerClient(reader.address);
  });

  afterAll(async () => {
    c?.close();
    await reader?.stop();
    await writer?.stop();
    dir.cleanup();
  });

  const query = (pattern: string, lens: Lens, extra: { asOfOffset?: bigint; limit?: number; pageToken?: string; explain?: boolean } = {}): Promise<QueryResponse[]> =>
    collect(c.query({ pattern, options: options({ lens, minOffset: head, ...(extra.asOfOffset === undefined ? {} : { asOfOffset: extra.asOfOffset }) }), limit: extra.limit ?? 0, pageToken: extra.pageToken ?? '', explain: extra.explain ?? false }));

  it('?c capital "Naypyidaw" finds country:myanmar under Recency, not under Consensus', async () => {
    expect(rowsOf(await query('?c capital "Naypyidaw"', Lens.LENS_RECENCY))).toEqual([['country:myanmar']]);
    expect(rowsOf(await query('?c capital "Naypyidaw"', Lens.LENS_CONSENSUS))).toEqual([]);
    expect(rowsOf(await query('?c capital "Yangon"', Lens.LENS_CONSENSUS))).toEqual([['country:myanmar']]);
  });

  it('country:myanmar capital ?x answers Naypyidaw under Recency, with its hop and support', async () => {
    const pages = await query('country:myanmar capital ?x', Lens.LENS_RECENCY);
    expect(pages[0]!.columns).toEqual(['x']);
    expect(rowsOf(pages)).toEqual([['"Naypyidaw"']]);
    const row = pages[0]!.rows[0]!;
    expect(row.hops).toHaveLength(1);
    expect(row.hops[0]).toMatchObject({ triple: 0, subject: 'country:myanmar', predicate: 'capital' });
    expect(row.support).toBeCloseTo(row.hops[0]!.share, 12);
  });

  it('follows an entity reference: the population of Nigeria\'s largest city, support the product of the hops', async () => {
    const pages = await query('country:nigeria largest_city ?c . ?c population ?p', Lens.LENS_CONSENSUS, { explain: true });
    expect(rowsOf(pages).map((r) => r[0])).toEqual(['city:lagos']);
    const row = pages[0]!.rows[0]!;
    expect(row.hops.map((h) => [h.subject, h.predicate])).toEqual([['country:nigeria', 'largest_city'], ['city:lagos', 'population']]);
    expect(row.support).toBeCloseTo(row.hops[0]!.share * row.hops[1]!.share, 12);
    expect(row.hops[1]!.resolution?.explanations.length).toBeGreaterThan(0);
    // Every subject whose largest city has a population over ten million.
    expect(rowsOf(await query('?n largest_city ?c . ?c population ?p FILTER ?p > 10000000', Lens.LENS_CONSENSUS)).map((r) => r[0])).toEqual(['country:nigeria']);
    expect(rowsOf(await query('?n largest_city ?c . ?c population ?p FILTER ?p > 100000000', Lens.LENS_CONSENSUS))).toEqual([]);
  });

  it('as_of gives the older answer', async () => {
    expect(rowsOf(await query('country:myanmar capital ?x', Lens.LENS_RECENCY, { asOfOffset: naypyidawAt }))).toEqual([['"Yangon"']]);
    expect(rowsOf(await query('?c capital "Naypyidaw"', Lens.LENS_RECENCY, { asOfOffset: naypyidawAt }))).toEqual([]);
  });

  it('pages one snapshot with a token, and orders by a variable', async () => {
    const all = rowsOf(await query('?s ?p ?o ORDER BY ?s DESC', Lens.LENS_RECENCY));
    expect(all.length).toBeGreaterThan(3);
    expect([...all.map((r) => r[0])]).toEqual([...all.map((r) => r[0])].sort().reverse());
    const first = await query('?s ?p ?o ORDER BY ?s DESC', Lens.LENS_RECENCY, { limit: 2 });
    const token = first[first.length - 1]!.nextPageToken;
    expect(token).not.toBe('');
    const rest = await query('?s ?p ?o ORDER BY ?s DESC', Lens.LENS_RECENCY, { pageToken: token });
    expect([...rowsOf(first), ...rowsOf(rest)]).toEqual(all);
    expect(rest[0]!.servedAtOffset).toBe(first[0]!.servedAtOffset);
  });

  it('FindSubjects: resolved under the lens, or any live candidate claiming the value', async () => {
    const find = (mode: FindMode, lens: Lens): Promise<string[]> =>
      callUnary(c.findSubjects.bind(c), { predicate: 'capital', object: objectToProto({ kind: 'text', value: 'Naypyidaw' }), options: options({ lens, minOffset: head }), mode, pageSize: 0, pageToken: '' }).then((r) => r.subjects.map((s) => s.subject));
    expect(await find(FindMode.FIND_MODE_RESOLVED, Lens.LENS_RECENCY)).toEqual(['country:myanmar']);
    expect(await find(FindMode.FIND_MODE_RESOLVED, Lens.LENS_CONSENSUS)).toEqual([]);
    expect(await find(FindMode.FIND_MODE_ANY_CANDIDATE, Lens.LENS_CONSENSUS)).toEqual(['country:myanmar']);
  });

  it('lists subjects by prefix, predicates of a subject and of the graph, and what an agent signed', async () => {
    const subjects = await callUnary(c.listSubjects.bind(c), { prefix: 'country:', minOffset: head, pageSize: 0, pageToken: '' });
    expect(subjects.subjects).toEqual(['country:kazakhstan', 'country:myanmar', 'country:nigeria']);
    const page = await callUnary(c.listSubjects.bind(c), { prefix: 'country:', minOffset: head, pageSize: 2, pageToken: '' });
    const next = await callUnary(c.listSubjects.bind(c), { prefix: 'country:', minOffset: head, pageSize: 2, pageToken: page.nextPageToken });
    expect([...page.subjects, ...next.subjects]).toEqual(subjects.subjects);
    const own = await callUnary(c.listPredicates.bind(c), { subject: 'city:lagos', minOffset: head, pageSize: 0, pageToken: '' });
    expect(own.predicates).toEqual(['population']);
    const every = await callUnary(c.listPredicates.bind(c), { subject: '', minOffset: head, pageSize: 0, pageToken: '' });
    expect(every.predicates).toEqual(['capital', 'classification', 'largest_city', 'population', 'water_boiling_point_c']);
    const carol = demoKeyPair('carol').publicKey;
    const signedByCarol = await callUnary(c.bySigner.bind(c), { agent: carol, minOffset: head, pageSize: 0, pageToken: '' });
    const carolIds = graph.records.filter((r) => r.kind === 'assertion' && r.signatures.some((s) => s.publicKey.equals(carol))).map((r) => recordId(r).toString('hex'));
    expect(signedByCarol.assertions.map((a) => a.assertion!.id.toString('hex'))).toEqual([...new Set(carolIds)]);
  });

  it('bad patterns are INVALID_ARGUMENT naming the pattern; too much work is RESOURCE_EXHAUSTED; the reader keeps serving', async () => {
    const failure = async (pattern: string): Promise<grpc.ServiceError> => {
      try {
        await query(pattern, Lens.LENS_CONSENSUS);
      } catch (err) {
        return err as grpc.ServiceError;
      }
      throw new Error('expected the query to fail');
    };
    const bad = await failure('?c capital');
    expect(bad.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldOf(bad)).toBe('pattern');
    expect(bad.details).toContain('the object is missing');
    const token = await collect(c.query({ pattern: '?s ?p ?o', options: options({}), limit: 0, pageToken: 'nope', explain: false })).catch((e: grpc.ServiceError) => e);
    expect((token as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(fieldOf(token as grpc.ServiceError)).toBe('page_token');
    expect(rowsOf(await query('country:myanmar capital ?x', Lens.LENS_RECENCY))).toEqual([['"Naypyidaw"']]);
  });

  it('the CLI runs query, find, subjects, predicates and by-signer; a bad pattern exits 1 naming the field', async () => {
    const r = ['--reader', reader.address];
    const q = await runCli(['query', ...r, '--lens', 'recency', '--min-offset', String(head), '--json', 'country:myanmar capital ?x']);
    expect(q.code).toBe(0);
    const answer = JSON.parse(q.stdout) as { columns: string[]; rows: { values: Record<string, { value: unknown }>; support: number }[] };
    expect(answer.columns).toEqual(['x']);
    expect(answer.rows.map((row) => row.values.x!.value)).toEqual(['Naypyidaw']);
    const table = await runCli(['query', ...r, 'country:nigeria largest_city ?c . ?c population ?p']);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain('?c = entity "city:lagos"');
    const found = await runCli(['find', ...r, '--lens', 'recency', '--predicate', 'capital', '--object', 'Naypyidaw', '--json']);
    expect(JSON.parse(found.stdout).subjects.map((x: { subject: string }) => x.subject)).toEqual(['country:myanmar']);
    expect((await runCli(['subjects', ...r, '--prefix', 'city:'])).stdout.trim().split('\n')).toEqual(['city:denver', 'city:lagos']);
    expect((await runCli(['predicates', ...r, '--subject', 'country:nigeria'])).stdout.trim()).toBe('largest_city');
    const signed = await runCli(['by-signer', ...r, '--agent', demoKeyPair('carol').publicKey.toString('hex'), '--json']);
    expect(JSON.parse(signed.stdout).assertions.length).toBeGreaterThan(3);
    const listed = await runCli(['claims', ...r, '--page-size', '5', '--json']);
    expect(listed.code).toBe(0);
    const lines = listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id?: string; gold_standard?: unknown });
    expect(lines.filter((l) => l.id !== undefined)).toHaveLength(new Set(graph.records.filter((x) => x.kind === 'assertion').map((x) => recordId(x).toString('hex'))).size);
    expect(lines.filter((l) => l.gold_standard !== undefined)).toHaveLength(graph.records.filter((x) => x.kind === 'gold_standard').length);
    const bad = await runCli(['query', ...r, '?c capital']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/INVALID_ARGUMENT/);
    expect(bad.stderr).toContain('pattern');
    expect((await runCli(['query', ...r])).code).toBe(2);
    expect((await runCli(['query', '--help'])).stdout).toContain('ORDER BY');
  });
});
