/**
 * Roles under mutual TLS: which certificate identities may call which RPCs.
 *
 * Without a role map every certificate the client CA signed may call
 * everything. With one (`--tls-roles FILE`), each RPC needs one role:
 * `reader` (WriterService Tail and Head: consumers of the whole log), `agent`
 * (WriterService appends) or `client` (ReaderService queries); health and
 * reflection need none. A certificate's identities are `CN=<subject CN>` and
 * each subject alternative name as `DNS:<name>`, `IP:<address>`, `URI:<uri>`
 * or `email:<address>`; its roles are the union over the map's entries for
 * those identities, plus `default`. The file format (docs/SECURITY.md):
 *
 *   {"identities": {"CN=reader-0": ["reader"], "DNS:agent.example": ["agent", "client"]},
 *    "default": []}
 */
import { readFileSync, statSync } from 'node:fs';
import type { PeerCertificate } from 'node:tls';
import { ROLE_MAP_BYTES_MAX, ROLE_MAP_IDENTITIES_MAX } from './limits';
import { TlsSettingError } from './tls-options';

export const ROLES = ['reader', 'agent', 'client'] as const;
export type Role = (typeof ROLES)[number];

export interface RoleMap {
  /** Identity (`CN=…`, `DNS:…`, …) → its roles. */
  readonly identities: ReadonlyMap<string, ReadonlySet<Role>>;
  /** Roles every certificate from the client CA has. */
  readonly defaults: ReadonlySet<Role>;
}

/** A call was refused because its certificate lacks the role the RPC needs. PERMISSION_DENIED. */
export class PermissionError extends Error {
  override readonly name = 'PermissionError';
  constructor(
    /** The role the RPC needs. */
    readonly role: Role,
    /** The RPC path. */
    readonly method: string,
    /** The caller's identities, for the message ('no client certificate' when none). */
    readonly identities: readonly string[],
  ) {
    super(`${method} needs the '${role}' role; ${identities.length === 0 ? 'the call presented no client certificate' : `the certificate (${identities.join(', ')}) does not have it`}`);
  }
}

const SAN_PREFIXES: Readonly<Record<string, string>> = { DNS: 'DNS', 'IP Address': 'IP', URI: 'URI', email: 'email' };

/** The identities of a peer certificate: `CN=<cn>` and its SANs (node's `subjectaltname`, normalised). */
export function certificateIdentities(cert: PeerCertificate | undefined): string[] {
  if (cert === undefined || cert === null || Object.keys(cert).length === 0) return [];
  const out: string[] = [];
  const cn = cert.subject?.CN;
  for (const name of Array.isArray(cn) ? cn : cn === undefined ? [] : [cn]) out.push(`CN=${name}`);
  for (const entry of (cert.subjectaltname ?? '').split(', ')) {
    const i = entry.indexOf(':');
    if (i <= 0) continue;
    const prefix = SAN_PREFIXES[entry.slice(0, i)];
    if (prefix !== undefined) out.push(`${prefix}:${entry.slice(i + 1).replace(/^"|"$/g, '')}`);
  }
  return out;
}

/** The roles of a set of identities under `map`. */
export function rolesOf(map: RoleMap, identities: readonly string[]): Set<Role> {
  const roles = new Set<Role>(map.defaults);
  for (const id of identities) for (const r of map.identities.get(id) ?? []) roles.add(r);
  return roles;
}

function roleList(value: unknown, where: string, file: string): Set<Role> {
  if (!Array.isArray(value)) throw new TlsSettingError(file, `${where}: expected an array of roles`);
  const roles = new Set<Role>();
  for (const r of value) {
    if (!(ROLES as readonly unknown[]).includes(r)) throw new TlsSettingError(file, `${where}: unknown role ${JSON.stringify(r)} (roles: ${ROLES.join(', ')})`);
    roles.add(r as Role);
  }
  return roles;
}

/** Parse a role map's JSON text; `file` names it in errors. */
export function parseRoleMap(text: string, file: string): RoleMap {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new TlsSettingError(file, `not JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new TlsSettingError(file, 'expected an object {"identities": {...}, "default": [...]}');
  const { identities, default: defaults, ...rest } = doc as Record<string, unknown>;
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new TlsSettingError(file, `unknown key '${extra[0]}' (expected identities, default)`);
  if (typeof identities !== 'object' || identities === null || Array.isArray(identities)) throw new TlsSettingError(file, 'identities: expected an object of identity → roles');
  const entries = Object.entries(identities as Record<string, unknown>);
  if (entries.length > ROLE_MAP_IDENTITIES_MAX) throw new TlsSettingError(file, `identities: ${entries.length} entries exceed the limit of ${ROLE_MAP_IDENTITIES_MAX}`);
  const map = new Map<string, Set<Role>>();
  for (const [id, roles] of entries) {
    if (!/^(CN=|DNS:|IP:|URI:|email:)./.test(id)) throw new TlsSettingError(file, `identities: '${id}' must start with CN=, DNS:, IP:, URI: or email:`);
    map.set(id, roleList(roles, `identities['${id}']`, file));
  }
  return { identities: map, defaults: defaults === undefined ? new Set() : roleList(defaults, 'default', file) };
}

/** Read and parse a role map file (bounded in size). */
export function loadRoleMap(file: string): RoleMap {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > ROLE_MAP_BYTES_MAX) throw new TlsSettingError(file, `${size} bytes exceed the limit of ${ROLE_MAP_BYTES_MAX}`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof TlsSettingError) throw err;
    throw new TlsSettingError(file, `cannot read the role map: ${(err as Error).message}`);
  }
  return parseRoleMap(text, file);
}
