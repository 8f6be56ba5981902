/**
 * Certificates for TLS tests, made by the `openssl` command line in a temp
 * dir: a CA, and leaf certificates it signs (ECDSA P-256, valid one day) with
 * a subject CN and subject alternative names.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA named `name` in `dir` (`<name>.crt`, `<name>.key`). */
export function makeCa(dir: string, name: string): PemPair {
  const cert = join(dir, `${name}.crt`);
  const key = join(dir, `${name}.key`);
  openssl(['req', '-x509', ...KEY_ARGS, '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { cert, key };
}

export interface LeafOptions {
  /** Subject CN. */
  readonly cn: string;
  /** SAN entries, e.g. ['IP:127.0.0.1', 'DNS:localhost']. @default none */
  readonly sans?: readonly string[];
  /** File name stem. @default the CN */
  readonly name?: string;
}

/** A certificate signed by `ca`, usable by servers and clients. */
export function makeLeaf(dir: string, ca: PemPair, o: LeafOptions): PemPair {
  const stem = join(dir, o.name ?? o.cn);
  const ext = `${stem}.ext`;
  const lines = ['basicConstraints=CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', 'extendedKeyUsage=serverAuth,clientAuth'];
  if (o.sans !== undefined && o.sans.length > 0) lines.push(`subjectAltName=${o.sans.join(',')}`);
  writeFileSync(ext, lines.join('\n') + '\n');
  openssl(['req', ...KEY_ARGS, '-keyout', `${stem}.key`, '-out', `${stem}.csr`, '-subj', `/CN=${o.cn}`]);
  openssl(['x509', '-req', '-in', `${stem}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', `${stem}.crt`, '-days', '1', '-extfile', ext]);
  return { cert: `${stem}.crt`, key: `${stem}.key` };
}

/** The SANs a loopback server certificate needs. */
export const LOOPBACK_SANS: readonly string[] = ['IP:127.0.0.1', 'DNS:localhost'];
