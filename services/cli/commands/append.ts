/**
 * `stemedb append`: append records of any kind given in their JSON form
 * (files, stdin, JSON lines), signed with key files; or co-sign a record
 * already in the log (`--cosign ID`). One record goes by Append, many by a
 * flow-controlled AppendStream (or one atomic AppendBatch with --batch).
 */
import { parseArgs } from 'node:util';
import { readKeyFile } from '../../../shared/domain/key-file';
import type { KeyPair } from '../../../shared/domain/signing';
import { validateRecord } from '../../../shared/domain/validate';
import type { StemeRecord } from '../../../shared/domain/types';
import type { Receipt, WriterClient } from '../../../clients/typescript/src/index';
import { many, parseHash, required, S, B } from '../args';
import { readerAt, writerAt, type ClientLib } from '../clients';
import { UsageError, type Command, type CommandIo } from '../command';
import { APPEND_RECORDS_MAX } from '../limits';
import { readRecords, RecordInputError, type SourcedRecord } from '../record-input';
import { receiptToJson, renderReceipt } from '../render';

const HELP = `usage: stemedb append [FILE ...] --writer HOST:PORT [--key FILE ...] [--batch] [--json]
       stemedb append --cosign ID --reader HOST:PORT --writer HOST:PORT --key FILE ... [--json]

Append records of any kind (assertion, vote, epoch, gold_standard, trust_pack)
given in the JSON form 'stemedb hash' reads (docs/FORMAT.md §7). Each FILE
holds one record, pretty-printed, or many, one per line (JSON lines); '-' or no
FILE reads stdin. Every --key FILE (from 'stemedb keygen') signs every record,
after any signatures it already carries; a record must end up signed. Prints
one receipt per record, in input order.

--cosign ID fetches assertion ID from the reader and appends it signed by the
--key files only: a co-signature. Earlier signatures need not be resent; the
reader merges signers by record id. (To co-sign another kind of record, append
its JSON with --key.)

options:
  --writer HOST:PORT  the writer's address (required)
  --key FILE          a key file that signs every record; repeat for more signers
  --batch             send everything in one AppendBatch: all or none are
                      appended (at most 1024 records)
  --cosign ID         co-sign the assertion with this id (64 hex); needs --reader
  --reader HOST:PORT  the reader to fetch the assertion from (with --cosign)
  --json              one receipt per line: {"id","offset","next_offset","kind"}
  -h, --help          show this help

Several records go through one AppendStream, 128 per request (each request
admitted as one batch, answered record by record), up to 1024 in flight,
resent on a new stream if it breaks (safe: records are content-addressed).
Appends retry on UNAVAILABLE and DEADLINE_EXCEEDED.

Exit status: 0 every record appended; 1 a record was refused or the writer
failed (one line per failure: where, status code, field, hint; the others are
still appended unless --batch); 2 a usage error or an unreadable input (the
file and line are named, nothing is sent).`;

function sign(record: StemeRecord, keys: readonly KeyPair[], lib: ClientLib, where: string): StemeRecord {
  const signed = keys.length === 0 ? record : lib.signRecord(record, keys);
  try {
    validateRecord(signed);
  } catch (err) {
    throw new UsageError(`${where}: ${(err as Error).message}${signed.signatures.length === 0 ? ' (pass --key FILE to sign it)' : ''}`);
  }
  return signed;
}

function printReceipts(receipts: readonly Receipt[], json: boolean, io: CommandIo): void {
  if (json) for (const r of receipts) io.out(JSON.stringify(receiptToJson(r)));
  else if (receipts.length === 1) io.out(renderReceipt(receipts[0]!));
  else for (const r of receipts) io.out(`${String(r.offset).padStart(8)}  ${r.id.toString('hex')}  ${r.kind}`);
}

async function cosignRun(id: Buffer, readerAddress: string, writer: WriterClient, keys: readonly KeyPair[], json: boolean, io: CommandIo): Promise<number> {
  const { lib, reader } = await readerAt(readerAddress);
  try {
    const { assertion } = await reader.getAssertion(id, { minOffset: null });
    const stored = lib.recordFromProto({ kind: { $case: 'assertion', value: assertion.assertion! } }, 'assertion');
    printReceipts([await writer.append(lib.cosign(stored, keys))], json, io);
    return 0;
  } finally {
    reader.close();
  }
}

async function streamRun(records: readonly SourcedRecord[], writer: WriterClient, json: boolean, io: CommandIo): Promise<number> {
  const stream = writer.appendStream();
  const results = records.map((r) => stream.append(r.record).then((receipt) => ({ receipt }), (error: unknown) => ({ error })));
  let failed = 0;
  for (let i = 0; i < results.length; i++) {
    const r = await results[i]!;
    if ('receipt' in r) printReceipts([r.receipt], json || records.length > 1, io);
    else {
      failed++;
      const e = r.error as { oneLine?: () => string; message?: string };
      io.err(`stemedb append: ${records[i]!.where}: ${typeof e.oneLine === 'function' ? e.oneLine() : String(e.message ?? r.error)}`);
    }
  }
  await stream.close();
  return failed === 0 ? 0 : 1;
}

export const append: Command = {
  path: ['append'],
  summary: 'append records of any kind from JSON (files, stdin, JSON lines), signed with key files; --cosign',
  telemetry: 'client',
  help: HELP,
  async run(args, io) {
    let parsed: { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] };
    try {
      parsed = parseArgs({ args, options: { writer: S, key: { type: 'string', multiple: true }, batch: B, cosign: S, reader: S, json: B }, strict: true, allowPositionals: true });
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const v = parsed.values;
    const keys = many(v, 'key').map((path) => readKeyFile(path));
    const writerAddress = required(v, 'writer');
    const json = v.json === true;
    if (v.cosign !== undefined) {
      if (parsed.positionals.length > 0) throw new UsageError('--cosign takes no FILE: it fetches the record from --reader');
      if (keys.length === 0) throw new UsageError('--cosign needs at least one --key FILE');
      const id = parseHash('cosign', v.cosign as string);
      const { writer } = await writerAt(writerAddress);
      try {
        return await cosignRun(id, required(v, 'reader'), writer, keys, json, io);
      } finally {
        writer.close();
      }
    }
    const { lib, writer } = await writerAt(writerAddress);
    try {
      const records: SourcedRecord[] = [];
      for (const source of parsed.positionals.length === 0 ? ['-'] : parsed.positionals) {
        try {
          for await (const r of readRecords(source, process.stdin)) {
            if (records.length >= APPEND_RECORDS_MAX) throw new UsageError(`more than ${APPEND_RECORDS_MAX} records in one append; split the input`);
            records.push({ record: sign(r.record, keys, lib, r.where), where: r.where });
          }
        } catch (err) {
          if (err instanceof RecordInputError || (err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'EISDIR') throw new UsageError((err as Error).message);
          throw err;
        }
      }
      if (records.length === 0) throw new UsageError('no records in the input');
      if (v.batch === true) {
        if (records.length > lib.APPEND_BATCH_RECORDS_MAX) throw new UsageError(`--batch takes at most ${lib.APPEND_BATCH_RECORDS_MAX} records (got ${records.length}); leave it out to stream them`);
        printReceipts(await writer.appendBatch(records.map((r) => r.record)), json, io);
        return 0;
      }
      if (records.length === 1) {
        printReceipts([await writer.append(records[0]!.record)], json, io);
        return 0;
      }
      return await streamRun(records, writer, json, io);
    } finally {
      writer.close();
    }
  },
};
