/**
 * `stemedb dev`: what `make run` calls. Flags are checked here; the run itself
 * (child processes, gRPC) is loaded with a dynamic import.
 */
import { DEV_DATA_DIR_DEFAULT, DEV_READER_LISTEN_DEFAULT, DEV_WRITER_LISTEN_DEFAULT } from '../../dev/limits';
import { splitAddress } from '../../dev/port-check';
import { UsageError, type Command } from '../command';
import { parseFlags } from '../args';

const HELP = `usage: stemedb dev [--data DIR] [--writer-listen HOST:PORT] [--reader-listen HOST:PORT] [--json]

Run StemeDB on one machine: a writer and a reader as two child processes on
embedded storage under DIR (DIR/wal, DIR/reader), the demo graph loaded when
the log is empty (existing data is kept), and the commands to try printed.
The children's JSON logs go to DIR/logs/writer.log and DIR/logs/reader.log.
Ctrl-C (SIGINT), SIGTERM or SIGHUP stop the reader, then the writer, and exit 0.

options:
  --data DIR                  default ${DEV_DATA_DIR_DEFAULT}
  --writer-listen HOST:PORT   default ${DEV_WRITER_LISTEN_DEFAULT}; port 0 = any free port
  --reader-listen HOST:PORT   default ${DEV_READER_LISTEN_DEFAULT}; port 0 = any free port
  --json                      print one JSON line when ready: addresses, paths, and the
                              suggested commands as argv arrays
  -h, --help                  show this help`;

interface DevFlags {
  data?: string;
  'writer-listen'?: string;
  'reader-listen'?: string;
  json?: boolean;
}

function address(flag: string, value: string): string {
  try {
    splitAddress(value);
  } catch (err) {
    throw new UsageError(`--${flag}: ${(err as Error).message}`);
  }
  return value;
}

const S = { type: 'string' } as const;

export const dev: Command = {
  path: ['dev'],
  summary: 'run a writer and a reader on ./data with a demo graph (what `make run` calls)',
  help: HELP,
  async run(args, io) {
    const v = parseFlags<DevFlags>(args, { data: S, 'writer-listen': S, 'reader-listen': S, json: { type: 'boolean' } });
    const writerListen = address('writer-listen', v['writer-listen'] ?? DEV_WRITER_LISTEN_DEFAULT);
    const readerListen = address('reader-listen', v['reader-listen'] ?? DEV_READER_LISTEN_DEFAULT);
    if (writerListen === readerListen && splitAddress(writerListen).port !== 0) throw new UsageError(`--writer-listen and --reader-listen are both ${writerListen}; give them different ports`);
    if (v.data === '') throw new UsageError('--data needs a directory');
    const { runDev } = await import('../../dev/run-dev');
    return runDev({ dataDir: v.data ?? DEV_DATA_DIR_DEFAULT, writerListen, readerListen, json: v.json === true }, io);
  },
};
