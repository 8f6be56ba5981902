/**
 * TLS settings as files, for servers and clients: what the configs parse
 * (pure: no gRPC, no I/O) and `tls.ts` turns into credentials.
 *
 * Servers: `--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]`; the client
 * CA turns on mutual TLS (every client must present a certificate signed by
 * it), and only then may `--tls-roles FILE` map certificate identities to
 * roles (`roles.ts`). Clients: `--tls-ca FILE [--tls-cert FILE --tls-key FILE]
 * [--tls-server-name NAME]`. docs/SECURITY.md describes the whole scheme.
 */

export interface ServerTlsFiles {
  /** PEM certificate chain the server presents. */
  readonly certFile: string;
  /** PEM private key of that certificate. */
  readonly keyFile: string;
  /** PEM CA bundle client certificates must chain to; set = mutual TLS. */
  readonly clientCaFile?: string;
  /** JSON role map (docs/SECURITY.md); only with `clientCaFile`. */
  readonly rolesFile?: string;
}

export interface ClientTlsFiles {
  /** PEM CA bundle the server's certificate must chain to. */
  readonly caFile: string;
  /** PEM client certificate chain (mutual TLS); with `keyFile`. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Name to verify the server's certificate against instead of the dialed host. */
  readonly serverName?: string;
}

/** A TLS flag combination or file is unusable; `setting` names the flag or variable. */
export class TlsSettingError extends Error {
  override readonly name = 'TlsSettingError';
  constructor(
    readonly setting: string,
    readonly reason: string,
  ) {
    super(`${setting}: ${reason}`);
  }
}

/** A setting's value and the flag or variable it came from. */
export interface Setting {
  readonly value: string;
  readonly setting: string;
}

/** Reads one setting: the flag if given, else its environment variable. */
export type SettingPicker = (flag: string, variable: string) => Setting | undefined;

/**
 * Server TLS from `--tls-cert/--tls-key/--tls-client-ca/--tls-roles` (and
 * STEMEDB_TLS_CERT, STEMEDB_TLS_KEY, STEMEDB_TLS_CLIENT_CA, STEMEDB_TLS_ROLES);
 * undefined when none is set (plaintext).
 */
export function serverTlsFrom(pick: SettingPicker): ServerTlsFiles | undefined {
  const cert = pick('tls-cert', 'STEMEDB_TLS_CERT');
  const key = pick('tls-key', 'STEMEDB_TLS_KEY');
  const clientCa = pick('tls-client-ca', 'STEMEDB_TLS_CLIENT_CA');
  const roles = pick('tls-roles', 'STEMEDB_TLS_ROLES');
  if (cert === undefined && key === undefined) {
    const stray = clientCa ?? roles;
    if (stray !== undefined) throw new TlsSettingError(stray.setting, 'needs --tls-cert and --tls-key (a server certificate)');
    return undefined;
  }
  if (cert === undefined) throw new TlsSettingError('--tls-cert', 'required with --tls-key');
  if (key === undefined) throw new TlsSettingError('--tls-key', 'required with --tls-cert');
  if (roles !== undefined && clientCa === undefined) throw new TlsSettingError(roles.setting, 'roles need mutual TLS: give --tls-client-ca too');
  return {
    certFile: cert.value,
    keyFile: key.value,
    ...(clientCa === undefined ? {} : { clientCaFile: clientCa.value }),
    ...(roles === undefined ? {} : { rolesFile: roles.value }),
  };
}

/** Names of a client's TLS settings: `prefix` `''` gives `--tls-ca`/STEMEDB_TLS_CA, `'writer-'` gives `--writer-tls-ca`/STEMEDB_WRITER_TLS_CA. */
export function clientTlsFrom(pick: SettingPicker, prefix = ''): ClientTlsFiles | undefined {
  const envPrefix = `STEMEDB_${prefix.toUpperCase().replace(/-/g, '_')}TLS_`;
  const ca = pick(`${prefix}tls-ca`, `${envPrefix}CA`);
  const cert = pick(`${prefix}tls-cert`, `${envPrefix}CERT`);
  const key = pick(`${prefix}tls-key`, `${envPrefix}KEY`);
  const serverName = pick(`${prefix}tls-server-name`, `${envPrefix}SERVER_NAME`);
  if (ca === undefined) {
    const stray = cert ?? key ?? serverName;
    if (stray !== undefined) throw new TlsSettingError(stray.setting, `needs --${prefix}tls-ca (the CA that signed the server's certificate)`);
    return undefined;
  }
  if ((cert === undefined) !== (key === undefined)) throw new TlsSettingError((cert ?? key)!.setting, `--${prefix}tls-cert and --${prefix}tls-key go together`);
  return {
    caFile: ca.value,
    ...(cert === undefined ? {} : { certFile: cert.value, keyFile: key!.value }),
    ...(serverName === undefined ? {} : { serverName: serverName.value }),
  };
}

/** The flag names of `clientTlsFrom` for a parseArgs option table. */
export function clientTlsFlagNames(prefix = ''): readonly string[] {
  return ['tls-ca', 'tls-cert', 'tls-key', 'tls-server-name'].map((f) => `${prefix}${f}`);
}

/** The flag names of `serverTlsFrom`. */
export const SERVER_TLS_FLAG_NAMES: readonly string[] = ['tls-cert', 'tls-key', 'tls-client-ca', 'tls-roles'];
