/**
 * The role check of a mutual-TLS server with a role map (`roles.ts`): a server
 * interceptor that looks at the connection's client certificate before the
 * handler starts, and ends a call whose certificate lacks the RPC's role with
 * PERMISSION_DENIED (the message names the role). RPCs without a required
 * role (health, reflection) pass.
 */
import * as grpc from '@grpc/grpc-js';
import { certificateIdentities, PermissionError, rolesOf, type Role, type RoleMap } from './roles';
import { toServiceError } from './status';

/** The role each RPC path needs, e.g. `/stemedb.v1.WriterService/Tail` → `reader`. */
export type MethodRoles = ReadonlyMap<string, Role>;

/** Every method of a service definition mapped to `role` unless `byMethod` (keyed by the method's name) says otherwise. */
export function methodRolesOf(definition: grpc.ServiceDefinition, role: Role, byMethod: Readonly<Record<string, Role>> = {}): Map<string, Role> {
  return new Map(Object.entries(definition).map(([name, m]) => [m.path, byMethod[name] ?? role]));
}

/** The PermissionError for this call, or undefined when it may proceed. */
export function checkCall(map: RoleMap, methodRoles: MethodRoles, method: string, cert: Parameters<typeof certificateIdentities>[0]): PermissionError | undefined {
  const role = methodRoles.get(method);
  if (role === undefined) return undefined;
  const identities = certificateIdentities(cert);
  return rolesOf(map, identities).has(role) ? undefined : new PermissionError(role, method, identities);
}

export function roleInterceptor(map: RoleMap, methodRoles: MethodRoles): grpc.ServerInterceptor {
  return (descriptor, call) =>
    new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            const refused = checkCall(map, methodRoles, descriptor.path, call.getAuthContext().sslPeerCertificate);
            if (refused === undefined) return pass(metadata);
            call.sendStatus(toServiceError(refused, { method: descriptor.path }));
          },
        }),
    });
}
