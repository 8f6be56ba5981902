/**
 * Server reflection (grpcurl, Postman) from the descriptor set that
 * `make proto` builds with `buf build --as-file-descriptor-set`: ts-proto's
 * definitions carry no descriptors, so @grpc/reflection is fed this file
 * through proto-loader, together with the health service's own proto.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';

/** Where the build puts the descriptor set (shared/gen/ in the sources, dist/shared/gen/ when built). */
export const DESCRIPTOR_SET_PATH = join(__dirname, '..', 'gen', 'descriptor.binpb');

/** Full names of the services reflection describes, for `ReflectionService`'s whitelist. */
export type ReflectedServices = readonly string[] | 'all';

/** A reflection service describing every service of the descriptor set plus grpc.health.v1.Health. */
export function makeReflectionService(descriptorSetPath: string = DESCRIPTOR_SET_PATH, services: ReflectedServices = 'all'): ReflectionService {
  if (!existsSync(descriptorSetPath)) throw new Error(`descriptor set ${descriptorSetPath} is missing: run 'make proto' (or 'make build')`);
  const described = protoLoader.loadFileDescriptorSetFromBuffer(readFileSync(descriptorSetPath));
  const health = protoLoader.loadSync(healthProtoPath);
  return new ReflectionService({ ...described, ...health }, services === 'all' ? undefined : { services: [...services] });
}
