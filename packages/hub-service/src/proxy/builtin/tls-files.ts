/**
 * The public listener's certificate and key (`hub.tls`): read from their files, checked to make a
 * TLS context together, and read again when either file changes (a certbot or cert-manager
 * renewal), so a renewed certificate is served without a restart. A change that does not make a
 * context (a half-written renewal) keeps the last good pair and is logged.
 */
import { readFileSync, statSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { ProxyLogger } from '../proxy-deps';

/** Where the certificate (chain) and its private key are, as PEM files. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** The PEM texts of a certificate and its key. */
export interface TlsPair {
  readonly cert: string;
  readonly key: string;
}

/** Why a pair of files cannot serve TLS; `which` names the file at fault. */
export class TlsFilesError extends Error {
  constructor(
    readonly which: keyof TlsFiles,
    message: string,
  ) {
    super(message);
    this.name = 'TlsFilesError';
  }
}

function readPem(files: TlsFiles, which: keyof TlsFiles): string {
  const path = files[which];
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new TlsFilesError(which, `cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
}

/**
 * Reads both files and checks that they make a TLS context (PEM, the key belongs to the
 * certificate). Messages never include the key.
 *
 * @throws TlsFilesError naming the file at fault.
 */
export function readTlsPair(files: TlsFiles): TlsPair {
  const cert = readPem(files, 'certFile');
  const key = readPem(files, 'keyFile');
  if (!/-----BEGIN [A-Z ]*CERTIFICATE-----/.test(cert)) throw new TlsFilesError('certFile', `${files.certFile} holds no PEM certificate`);
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) throw new TlsFilesError('keyFile', `${files.keyFile} holds no PEM private key`);
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new TlsFilesError('keyFile', `${files.keyFile} and ${files.certFile} do not make a TLS context (${reason}): is it the certificate's key?`);
  }
  return { cert, key };
}

/** The files' modification times and sizes, to notice a change cheaply; null when one cannot be read. */
function stamp(files: TlsFiles): string | null {
  try {
    return [files.certFile, files.keyFile].map((f) => {
      const s = statSync(f);
      return `${s.mtimeMs}:${s.size}`;
    }).join('|');
  } catch {
    return null;
  }
}

/** Looks at the files every `intervalMs` and hands a changed, good pair to `apply`. */
export class TlsReloader {
  private timer: NodeJS.Timeout | null = null;
  private last: string | null;

  constructor(
    private readonly files: TlsFiles,
    private readonly apply: (pair: TlsPair) => void,
    private readonly logger: ProxyLogger,
    private readonly intervalMs: number,
  ) {
    this.last = stamp(files);
  }

  /** Starts looking (the timer does not keep the process alive). */
  start(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  /** Looks once now: applies the pair when the files changed and make a context. */
  check(): void {
    const now = stamp(this.files);
    if (now === null || now === this.last) return;
    try {
      this.apply(readTlsPair(this.files));
      this.last = now;
      this.logger.info({ certFile: this.files.certFile }, 'built-in proxy: TLS certificate read again');
    } catch (err) {
      // Not marked as seen: a renewal still being written is tried again at the next look.
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'built-in proxy: the changed TLS files do not make a context; the last good certificate stays');
    }
  }

  /** Stops looking. */
  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}
