#!/usr/bin/env node
/**
 * `stemedb`: the one entry point. Picks the subcommand by its leading words,
 * runs it, and maps failures to exit codes (2 usage, 1 everything else). A
 * failed call prints as one line: status code, field, the server's text, a
 * hint (StemeRpcError.oneLine). A closed stdout (`stemedb tail | head`) ends
 * the command quietly with exit 0.
 */
import { startTelemetry } from '../../shared/telemetry/sdk';
import { COMMANDS } from './commands/index';
import { UsageError, type Command, type CommandIo } from './command';
import { CLIENT_TLS_HELP, takeClientTlsFlags } from './tls-flags';
import { stopTelemetry } from './telemetry-stop';

const io: CommandIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : text + '\n'),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
  isTty: process.stderr.isTTY === true,
};

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(' ').length), 8);
  const rows = COMMANDS.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return ['usage: stemedb <command> [options]', '', 'commands:', ...rows, '', "run 'stemedb <command> --help' for a command's options", '', 'exit status: 0 done; 1 a failure (a failed call prints one line: status code,', 'field, server text, hint); 2 a usage error'].join('\n');
}

/** The command whose path is the longest prefix of argv. */
function pick(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((word, i) => argv[i] === word) && (best === undefined || c.path.length > best.path.length)) best = c;
  }
  return best === undefined ? undefined : { command: best, rest: argv.slice(best.path.length) };
}

/** Take the TLS flags off a client command's arguments and make them the process's client TLS. */
async function withClientTls(args: string[]): Promise<string[]> {
  const { rest, tls } = takeClientTlsFlags(args, process.env);
  if (tls !== undefined) (await import('../../shared/grpc/client')).setProcessClientTls(tls);
  return rest;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(overview());
    return argv.length === 0 ? 2 : 0;
  }
  const picked = pick(argv);
  if (picked === undefined) {
    io.err(`stemedb: unknown command '${argv.join(' ')}'\n\n${overview()}`);
    return 2;
  }
  const { command, rest } = picked;
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.telemetry === 'client' ? `${command.help}\n\n${CLIENT_TLS_HELP}` : command.help);
    return 0;
  }
  // Client commands load gRPC lazily inside run(), so telemetry starts first.
  const telemetry = command.telemetry === 'client' ? startTelemetry('stemedb-cli', process.env, { quiet: true }) : undefined;
  try {
    return await command.run(command.telemetry === 'client' ? await withClientTls(rest) : rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`stemedb ${command.path.join(' ')}: ${err.message}\nrun 'stemedb ${command.path.join(' ')} --help' for usage`);
      return 2;
    }
    const e = err instanceof Error ? err : new Error(String(err));
    const oneLine = (e as { oneLine?: unknown }).oneLine;
    if (typeof oneLine === 'function') {
      io.err(`stemedb ${command.path.join(' ')}: ${String(oneLine.call(e))}`);
      return 1;
    }
    io.err(`stemedb ${command.path.join(' ')}: ${e.name === 'Error' ? '' : e.name + ': '}${e.message}`);
    return 1;
  } finally {
    await stopTelemetry(telemetry, io, command.path.join(' '));
  }
}

/** A reader of our stdout went away (EPIPE): stop writing and exit 0, without a stack trace. */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(0);
  });
}

if (require.main === module) {
  quietOnClosedStdout();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`stemedb: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
