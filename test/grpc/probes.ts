/**
 * Clients for the standard services a server exposes: grpc.health.v1 (from the
 * proto grpc-health-check ships) and server reflection v1 (from the proto
 * @grpc/reflection ships; the package has no client of its own).
 */
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type Ctor = new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client;

function load(path: string, serviceName: string): Ctor {
  const def = protoLoader.loadSync(path, { keepCase: true, enums: String, defaults: true, oneofs: true });
  let node: unknown = grpc.loadPackageDefinition(def);
  for (const part of serviceName.split('.')) node = (node as Record<string, unknown>)[part];
  return node as Ctor;
}

const HealthClient = load(healthProtoPath, 'grpc.health.v1.Health');
const REFLECTION_PROTO = join(require.resolve('@grpc/reflection/package.json'), '..', 'build', 'proto', 'grpc', 'reflection', 'v1', 'reflection.proto');
const ReflectionClient = load(REFLECTION_PROTO, 'grpc.reflection.v1.ServerReflection');

export interface HealthProbe {
  check(service: string): Promise<string>;
  /** Opens a Watch; `statuses` collects every status received; `ended` resolves with the final status code. */
  watch(service: string): { statuses: string[]; ended: Promise<grpc.status> };
  close(): void;
}

export function healthProbe(address: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()): HealthProbe {
  const client = new HealthClient(address, credentials) as grpc.Client & Record<string, (...a: unknown[]) => unknown>;
  return {
    check: (service) =>
      new Promise((resolve, reject) => {
        client.Check!({ service }, { deadline: Date.now() + 5_000 }, (err: grpc.ServiceError | null, res: { status: string }) => (err ? reject(err) : resolve(res.status)));
      }),
    watch: (service) => {
      const statuses: string[] = [];
      const call = client.Watch!({ service }) as grpc.ClientReadableStream<{ status: string }>;
      call.on('data', (m: { status: string }) => statuses.push(m.status));
      const ended = new Promise<grpc.status>((resolve) => call.on('status', (s: grpc.StatusObject) => resolve(s.code)));
      call.on('error', () => undefined); // the status event carries the outcome
      return { statuses, ended };
    },
    close: () => client.close(),
  };
}

/** Full names of the services a server's reflection lists. */
export function reflectedServices(address: string, credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure()): Promise<string[]> {
  const client = new ReflectionClient(address, credentials) as grpc.Client & Record<string, () => grpc.ClientDuplexStream<unknown, unknown>>;
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo!();
    call.on('data', (res: { list_services_response?: { service: Array<{ name: string }> }; error_response?: { error_message: string } }) => {
      call.end();
      client.close();
      if (res.list_services_response) resolve(res.list_services_response.service.map((s) => s.name).sort());
      else reject(new Error(`reflection error: ${res.error_response?.error_message}`));
    });
    call.on('error', reject);
    call.write({ list_services: '*' });
  });
}

/** The file descriptors reflection returns for a symbol (encoded FileDescriptorProtos). */
export function reflectedFilesFor(address: string, symbol: string): Promise<Buffer[]> {
  const client = new ReflectionClient(address, grpc.credentials.createInsecure()) as grpc.Client & Record<string, () => grpc.ClientDuplexStream<unknown, unknown>>;
  return new Promise((resolve, reject) => {
    const call = client.ServerReflectionInfo!();
    call.on('data', (res: { file_descriptor_response?: { file_descriptor_proto: Buffer[] }; error_response?: { error_message: string } }) => {
      call.end();
      client.close();
      if (res.file_descriptor_response) resolve(res.file_descriptor_response.file_descriptor_proto);
      else reject(new Error(`reflection error: ${res.error_response?.error_message}`));
    });
    call.on('error', reject);
    call.write({ file_containing_symbol: symbol });
  });
}
