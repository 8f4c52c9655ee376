/**
 * Self-signed certificates for the TLS tests, made by the real `openssl` (scripts/system-deps.sh
 * installs it): a P-256 key and a certificate for 127.0.0.1 and localhost. Test tooling.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate and key written to files. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  /** The certificate's PEM text (a client's `ca` for it). */
  readonly pem: string;
  /** Its SHA-256 fingerprint as Node reports it (`AA:BB:…`). */
  readonly fingerprint256: string;
}

/** Writes `<name>.crt` and `<name>.key` into `dir`. */
export function makeSelfSigned(dir: string, name: string): TestCertificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: 'pipe' },
  );
  const pem = readFileSync(certFile, 'utf8');
  return { certFile, keyFile, pem, fingerprint256: new X509Certificate(pem).fingerprint256 };
}
