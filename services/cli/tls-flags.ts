/**
 * The TLS client flags every `stemedb` command that dials takes:
 * `--tls-ca FILE [--tls-cert FILE --tls-key FILE] [--tls-server-name NAME]`,
 * or STEMEDB_TLS_CA, STEMEDB_TLS_CERT, STEMEDB_TLS_KEY,
 * STEMEDB_TLS_SERVER_NAME. The entry point takes them out of a client
 * command's arguments before the command parses the rest, and sets them as the
 * process's client TLS, so every command (and any added later) dials the same
 * way. Pure: no gRPC here.
 */
import { clientTlsFlagNames, clientTlsFrom, TlsSettingError, type ClientTlsFiles } from '../../shared/grpc/tls-options';
import { UsageError } from './command';

export const CLIENT_TLS_HELP = `TLS (every command that dials a writer or reader; each flag overrides its variable):
  --tls-ca FILE            STEMEDB_TLS_CA           trust servers whose certificate this CA signed
  --tls-cert FILE          STEMEDB_TLS_CERT         client certificate, for a mutual-TLS server...
  --tls-key FILE           STEMEDB_TLS_KEY          ...and its key
  --tls-server-name NAME   STEMEDB_TLS_SERVER_NAME  name the server's certificate must carry
                                                    (default: the host you dial)`;

const NAMES = new Set(clientTlsFlagNames());

/** Split the TLS flags off `args`; returns the other arguments and the TLS files (undefined = plaintext). */
export function takeClientTlsFlags(args: readonly string[], env: NodeJS.ProcessEnv): { rest: string[]; tls: ClientTlsFiles | undefined } {
  const given = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : '';
    if (!NAMES.has(name)) {
      rest.push(arg);
      continue;
    }
    const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
    given.set(name, value);
  }
  try {
    const tls = clientTlsFrom((flag, variable) => {
      const v = given.get(flag);
      if (v !== undefined) return { value: v, setting: `--${flag}` };
      const e = env[variable]?.trim();
      return e === undefined || e === '' ? undefined : { value: e, setting: variable };
    });
    return { rest, tls };
  } catch (err) {
    if (err instanceof TlsSettingError) throw new UsageError(err.message);
    throw err;
  }
}
