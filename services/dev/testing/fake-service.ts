/**
 * A stand-in for a service, for the ChildService tests:
 * `node fake-service.js <service> <mode>`. Modes:
 * - `ready`: print the ready line, exit 0 on SIGTERM;
 * - `stubborn`: print the ready line, ignore SIGTERM;
 * - `silent`: never print a ready line, exit 0 on SIGTERM;
 * - `crash`: write a line to stderr and exit 3 before being ready.
 */
const [service = 'fake', mode = 'ready'] = process.argv.slice(2);
// Keeps the event loop alive until a signal ends the process.
const keepAlive = setInterval(() => undefined, 60_000);

function readyLine(): void {
  process.stdout.write(JSON.stringify({ ready: true, service, address: '127.0.0.1:1' }) + '\n');
}

switch (mode) {
  case 'ready':
    process.once('SIGTERM', () => process.exit(0));
    readyLine();
    break;
  case 'stubborn':
    process.on('SIGTERM', () => process.stderr.write('ignoring SIGTERM\n'));
    readyLine();
    break;
  case 'silent':
    process.once('SIGTERM', () => process.exit(0));
    process.stdout.write('not a ready line\n');
    break;
  case 'crash':
    clearInterval(keepAlive);
    process.stderr.write(`${service}: cannot start (fake failure)\n`);
    process.exitCode = 3;
    break;
  default:
    clearInterval(keepAlive);
    process.stderr.write(`unknown mode '${mode}'\n`);
    process.exitCode = 2;
}
