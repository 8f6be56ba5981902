/**
 * Over the wire: the log entry is framed around the request's own record
 * bytes when they are canonical, and a non-canonical spelling of a record
 * (an unknown field, a longer varint) is re-encoded — its id is the record's
 * id, nothing of the respelling reaches the log, and sent again canonically
 * it is a replay of the first.
 */
import * as grpc from '@grpc/grpc-js';
import { recordId } from '../../shared/domain/hash';
import { decodeLogPayload } from '../../shared/domain/log-payload';
import { encodeRecordBytes } from '../../shared/domain/proto-convert';
import { recordBytesOf } from '../../shared/domain/record-bytes';
import { AppendBatchResponse, AppendResponse } from '../../shared/gen/stemedb/v1/writer';
import { makeClient } from '../../shared/grpc/client';
import { makeTempDir } from '../helpers/tmp';
import { client, signedAssertion, startWriterProcess, tailRecords, type WriterProcess } from './writer-fixtures';
import { editKind, fieldBytes, longer, varint } from './wire-spelling';

const raw = (b: Buffer): Buffer => b;

describe('the request record bytes in the log', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let writer: WriterProcess;
  let c: ReturnType<typeof client>;
  let rawClient: grpc.Client;
  const call = (path: string, body: Buffer): Promise<Buffer> =>
    new Promise((resolve, reject) => rawClient.makeUnaryRequest(path, raw, raw, body, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err, res) => (err ? reject(err) : resolve(res!))));
  /** AppendRequest { record = 1 } around record bytes. */
  const appendBytes = (record: Buffer): Promise<AppendResponse> => call('/stemedb.v1.WriterService/Append', fieldBytes({ number: 1, wire: 2, value: record })).then((b) => AppendResponse.decode(b));

  beforeAll(async () => {
    tmp = makeTempDir('stemedb-request-bytes-');
    writer = await startWriterProcess(tmp.path);
    c = client(writer.address);
    rawClient = makeClient(grpc.Client, writer.address);
  });
  afterAll(async () => {
    c.close();
    rawClient.close();
    await writer.stop();
    tmp.cleanup();
  });

  it('a canonical record: the log holds the very bytes sent', async () => {
    const record = signedAssertion('bytes-canonical');
    const bytes = encodeRecordBytes(record);
    const r = (await appendBytes(bytes)).receipt!;
    expect(Buffer.from(r.id).equals(recordId(record))).toBe(true);
    const [logged] = await tailRecords(c, Number(r.offset), 1);
    expect(Buffer.from(recordBytesOf(logged!.payload)!).equals(bytes)).toBe(true);
  });

  it('a respelled record is re-encoded: same id, canonical bytes in the log, and the canonical spelling is then a replay', async () => {
    const record = signedAssertion('bytes-respelled');
    const canonical = encodeRecordBytes(record);
    const respelled = editKind(canonical, (fs) => [...fs.map((f) => (f.number === 9 ? { ...f, value: longer(f.value) } : f)), { number: 15, wire: 0, value: varint(7) }]);
    const first = (await appendBytes(respelled)).receipt!;
    expect(Buffer.from(first.id).equals(recordId(record))).toBe(true);
    const [logged] = await tailRecords(c, Number(first.offset), 1);
    expect(Buffer.from(recordBytesOf(logged!.payload)!).equals(canonical)).toBe(true);
    expect(decodeLogPayload(logged!.payload).record).toEqual(record);
    const again = (await appendBytes(canonical)).receipt!;
    expect(again).toEqual(first);
  });

  it('AppendBatch: canonical and respelled records side by side each reach the log canonically', async () => {
    const records = [signedAssertion('bytes-batch-0'), signedAssertion('bytes-batch-1'), signedAssertion('bytes-batch-2')];
    const canonical = records.map((r) => encodeRecordBytes(r));
    const sent = [canonical[0]!, editKind(canonical[1]!, (fs) => [...fs, { number: 12, wire: 2, value: Buffer.from('unknown') }]), canonical[2]!];
    const body = Buffer.concat(sent.map((value) => fieldBytes({ number: 1, wire: 2, value })));
    const receipts = AppendBatchResponse.decode(await call('/stemedb.v1.WriterService/AppendBatch', body)).receipts;
    expect(receipts.map((r) => Buffer.from(r.id).toString('hex'))).toEqual(records.map((r) => recordId(r).toString('hex')));
    const logged = await tailRecords(c, Number(receipts[0]!.offset), 3);
    expect(logged.map((l) => Buffer.from(recordBytesOf(l.payload)!).toString('hex'))).toEqual(canonical.map((b) => b.toString('hex')));
  });
});
