/**
 * TLS credentials from PEM files (`tls-options.ts`).
 *
 * Servers: `reloadingServerCredentials` reads the certificate, key and client
 * CA at start (a bad file fails the start with the file named) and then polls
 * them every TLS_RELOAD_INTERVAL_MS while the server listens. When any file's
 * bytes change and the new set forms a valid secure context, grpc-js's secure
 * server gets it (`setSecureContext`): new connections present the new
 * certificate (and check client certificates against the new CA); open
 * connections keep theirs. A half-written or mismatched set (Kubernetes swaps
 * a Secret's files one symlink at a time) is logged and skipped, and the last
 * good set stays in use, so a rotation never takes the server down.
 *
 * Why not grpc-js's own `FileWatcherCertificateProvider`: it loads
 * asynchronously after bind (the server drops connections until then) and on
 * a bad read it withdraws the credentials altogether.
 *
 * Clients: `clientCredentials` reads the CA and, for mutual TLS, the client
 * certificate and key once; long-lived clients (the reader's Tail source)
 * re-read them on reconnect through `ClientTlsReloader`.
 */
import { readFileSync, statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { createLogger, type Logger } from '../telemetry/logger';
import { TLS_FILE_BYTES_MAX, TLS_RELOAD_INTERVAL_MS } from './limits';
import { TlsSettingError, type ClientTlsFiles, type ServerTlsFiles } from './tls-options';

interface ServerPem {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
}

function checkedSize(size: number, file: string): void {
  if (size > TLS_FILE_BYTES_MAX) throw new TlsSettingError(file, `${size} bytes exceed the limit of ${TLS_FILE_BYTES_MAX} for a PEM file`);
}

/** A PEM file's bytes (bounded), or a TlsSettingError naming it. */
export function readPemFile(file: string): Buffer {
  try {
    checkedSize(statSync(file).size, file);
    return readFileSync(file);
  } catch (err) {
    if (err instanceof TlsSettingError) throw err;
    throw new TlsSettingError(file, `cannot read: ${(err as Error).message}`);
  }
}

async function readPemFileAsync(file: string): Promise<Buffer> {
  checkedSize((await stat(file)).size, file);
  return readFile(file);
}

function contextOptions(pem: ServerPem): SecureContextOptions {
  return { cert: pem.cert, key: pem.key, ...(pem.ca === undefined ? {} : { ca: pem.ca }) };
}

/** Throws (naming the files) unless the set makes a usable secure context. */
function checkServerPem(pem: ServerPem, files: ServerTlsFiles): void {
  try {
    createSecureContext(contextOptions(pem));
  } catch (err) {
    throw new TlsSettingError(`${files.certFile} + ${files.keyFile}${files.clientCaFile === undefined ? '' : ` + ${files.clientCaFile}`}`, `not a usable certificate, key and CA: ${(err as Error).message}`);
  }
}

function samePem(a: ServerPem, b: ServerPem): boolean {
  return a.cert.equals(b.cert) && a.key.equals(b.key) && (a.ca === undefined ? b.ca === undefined : b.ca !== undefined && a.ca.equals(b.ca));
}

/** Subject and expiry of a PEM chain's first certificate, for logs. */
function describeCert(cert: Buffer): { subject: string; not_after: string; fingerprint256: string } {
  try {
    const x = new X509Certificate(cert);
    return { subject: x.subject.replace(/\n/g, ', '), not_after: x.validTo, fingerprint256: x.fingerprint256 };
  } catch {
    return { subject: 'unparsable', not_after: '', fingerprint256: '' };
  }
}

export interface ReloadOptions {
  /** @default TLS_RELOAD_INTERVAL_MS */
  readonly intervalMs?: number;
  /** @default a logger with `component: 'tls'` */
  readonly logger?: Logger;
}

/** Server credentials that follow their files; see the module comment. */
export class ReloadingServerCredentials extends grpc.ServerCredentials {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private watching = 0;
  /** Reloads applied so far (tests, logs). */
  reloads = 0;

  private constructor(
    readonly files: ServerTlsFiles,
    private current: ServerPem,
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {
    const mutual = files.clientCaFile !== undefined;
    super({ requestCert: mutual, rejectUnauthorized: mutual }, contextOptions(current));
  }

  /** Read and check the files now; throws TlsSettingError naming the bad one. */
  static load(files: ServerTlsFiles, options: ReloadOptions = {}): ReloadingServerCredentials {
    const pem: ServerPem = { cert: readPemFile(files.certFile), key: readPemFile(files.keyFile), ca: files.clientCaFile === undefined ? undefined : readPemFile(files.clientCaFile) };
    checkServerPem(pem, files);
    const logger = options.logger ?? createLogger({ component: 'tls' });
    logger.info('tls certificate loaded', { cert_file: files.certFile, mutual_tls: files.clientCaFile !== undefined, ...describeCert(pem.cert) });
    return new ReloadingServerCredentials(files, pem, options.intervalMs ?? TLS_RELOAD_INTERVAL_MS, logger);
  }

  override _addWatcher(watcher: (context: SecureContextOptions | null) => void): void {
    super._addWatcher(watcher);
    this.watching += 1;
    if (this.timer === undefined) {
      this.timer = setInterval(() => void this.poll(), this.intervalMs);
      this.timer.unref();
    }
  }

  override _removeWatcher(watcher: (context: SecureContextOptions | null) => void): void {
    super._removeWatcher(watcher);
    this.watching = Math.max(0, this.watching - 1);
    if (this.watching === 0) this.stop();
  }

  override _equals(other: grpc.ServerCredentials): boolean {
    return other === this;
  }

  /** Stop polling (the server's close does this too). */
  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One look at the files; applies a changed, valid set. Exposed for tests. */
  async poll(): Promise<boolean> {
    if (this.polling) return false;
    this.polling = true;
    try {
      const f = this.files;
      const next: ServerPem = {
        cert: await readPemFileAsync(f.certFile),
        key: await readPemFileAsync(f.keyFile),
        ca: f.clientCaFile === undefined ? undefined : await readPemFileAsync(f.clientCaFile),
      };
      if (samePem(next, this.current)) return false;
      checkServerPem(next, f);
      this.current = next;
      this.updateSecureContextOptions(contextOptions(next));
      this.reloads += 1;
      this.logger.info('tls certificate reloaded', { cert_file: f.certFile, reloads: this.reloads, ...describeCert(next.cert) });
      return true;
    } catch (err) {
      this.logger.warn('tls files changed but cannot be used yet; keeping the current certificate', { cert_file: this.files.certFile, error: (err as Error).message });
      return false;
    } finally {
      this.polling = false;
    }
  }
}

interface ClientPem {
  readonly ca: Buffer;
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
}

function readClientPem(files: ClientTlsFiles): ClientPem {
  return {
    ca: readPemFile(files.caFile),
    cert: files.certFile === undefined ? undefined : readPemFile(files.certFile),
    key: files.keyFile === undefined ? undefined : readPemFile(files.keyFile),
  };
}

function credentialsOf(pem: ClientPem, files: ClientTlsFiles): grpc.ChannelCredentials {
  try {
    createSecureContext({ ca: pem.ca, ...(pem.cert === undefined ? {} : { cert: pem.cert, key: pem.key }) });
  } catch (err) {
    throw new TlsSettingError(files.certFile ?? files.caFile, `not a usable CA / certificate / key: ${(err as Error).message}`);
  }
  return grpc.credentials.createSsl(pem.ca, pem.key ?? null, pem.cert ?? null);
}

/** Channel credentials from the files (read now); throws TlsSettingError naming a bad file. */
export function clientCredentials(files: ClientTlsFiles): grpc.ChannelCredentials {
  return credentialsOf(readClientPem(files), files);
}

/** Channel options a TLS client needs: the name to check the server's certificate against, when given. */
export function clientTlsChannelOptions(files: ClientTlsFiles | undefined): Partial<grpc.ClientOptions> {
  return files?.serverName === undefined ? {} : { 'grpc.ssl_target_name_override': files.serverName, 'grpc.default_authority': files.serverName };
}

/** For a long-lived client: tells whether the files changed since the credentials were last built. */
export class ClientTlsReloader {
  private pem: ClientPem;
  credentials: grpc.ChannelCredentials;

  constructor(readonly files: ClientTlsFiles) {
    this.pem = readClientPem(files);
    this.credentials = credentialsOf(this.pem, files);
  }

  /** Re-read the files; true (and new `credentials`) when they changed and are usable. */
  refresh(): boolean {
    let next: ClientPem;
    try {
      next = readClientPem(this.files);
    } catch {
      return false; // mid-rotation: keep what works
    }
    const same = next.ca.equals(this.pem.ca) && (next.cert?.equals(this.pem.cert ?? Buffer.alloc(0)) ?? this.pem.cert === undefined) && (next.key?.equals(this.pem.key ?? Buffer.alloc(0)) ?? this.pem.key === undefined);
    if (same) return false;
    try {
      this.credentials = credentialsOf(next, this.files);
    } catch {
      return false;
    }
    this.pem = next;
    return true;
  }
}
