/**
 * TLS for the benches' clients: when STEMEDB_TLS_CA is set (and optionally
 * STEMEDB_TLS_SERVER_NAME), every client the bench makes dials TLS. The
 * services a bench starts inherit the environment, so a TLS run sets their
 * server files too, e.g.
 *   STEMEDB_TLS_CERT=s.crt STEMEDB_TLS_KEY=s.key STEMEDB_TLS_CA=ca.crt \
 *   STEMEDB_WRITER_TLS_CA=ca.crt make bench
 */
import { setProcessClientTls } from '../../shared/grpc/client';

export function useClientTlsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const caFile = env.STEMEDB_TLS_CA?.trim();
  if (caFile === undefined || caFile === '') return false;
  const serverName = env.STEMEDB_TLS_SERVER_NAME?.trim();
  setProcessClientTls({ caFile, ...(serverName === undefined || serverName === '' ? {} : { serverName }) });
  return true;
}
