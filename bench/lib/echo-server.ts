/**
 * The echo service for `bench/echo.ts`: bytes in, the same bytes out, defined
 * by hand (no proto) so it measures nothing but the RPC itself. Run as a child
 * process: `node dist/bench/lib/echo-server.js bare|stemedb`; it prints one
 * ready line `{"ready":true,"service":"echo","address":"127.0.0.1:PORT"}` and
 * stops on SIGTERM or when stdin closes.
 *
 * - `bare`: a plain grpc-js server with our limits (the machine's RPC ceiling);
 * - `stemedb`: the same handler through `startServer` + `unary` (interceptor,
 *   call tracking, deadline watch), i.e. what every StemeDB RPC pays.
 */
import * as grpc from '@grpc/grpc-js';
import { unary } from '../../shared/grpc/handlers';
import { serverOptions, startServer } from '../../shared/grpc/server';
import { createLogger } from '../../shared/telemetry/logger';

export type EchoMode = 'bare' | 'stemedb';

const identity = (b: Buffer): Buffer => b;

/** `/stemedb.bench.Echo/Echo`: unary, bytes to bytes. */
export const ECHO_DEFINITION = {
  echo: {
    path: '/stemedb.bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;

export interface EchoClient extends grpc.Client {
  echo(request: Buffer, metadata: grpc.Metadata, options: Partial<grpc.CallOptions>, callback: (err: grpc.ServiceError | null, res: Buffer) => void): grpc.ClientUnaryCall;
}

export const EchoClient = grpc.makeGenericClientConstructor(ECHO_DEFINITION, 'Echo') as unknown as new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: Partial<grpc.ClientOptions>,
) => EchoClient;

async function serveBare(): Promise<{ address: string; stop: () => Promise<void> }> {
  const server = new grpc.Server(serverOptions({ maxConnectionAgeMs: null }));
  server.addService(ECHO_DEFINITION, { echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => cb(null, call.request) });
  const port = await new Promise<number>((res, rej) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? rej(e) : res(p))));
  return { address: `127.0.0.1:${port}`, stop: () => new Promise((r) => server.tryShutdown(() => r())) };
}

async function serveStemedb(): Promise<{ address: string; stop: () => Promise<void> }> {
  const running = await startServer({
    address: '127.0.0.1:0',
    maxConnectionAgeMs: null,
    logger: createLogger({ service: 'echo' }),
    services: [{ definition: ECHO_DEFINITION, implementation: { echo: unary((req: Buffer) => req) } }],
  });
  return { address: running.address, stop: async () => void (await running.shutdown()) };
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'bare';
  if (mode !== 'bare' && mode !== 'stemedb') throw new Error(`echo-server: unknown mode '${mode}' (bare or stemedb)`);
  const served = mode === 'bare' ? await serveBare() : await serveStemedb();
  const stop = (): void => void served.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.stdin.on('end', stop).resume();
  process.stdout.write(JSON.stringify({ ready: true, service: 'echo', mode, address: served.address }) + '\n');
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`echo-server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
