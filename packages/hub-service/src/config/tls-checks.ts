/**
 * `hub.tls`: the certificate and key files must be readable and make a TLS context together,
 * checked when the config is loaded (and by `check-config`), naming the key at fault.
 */
import { readTlsPair, TlsFilesError } from '../proxy/builtin/tls-files';
import type { ResolvedConfig } from './types';

/** The problem of `hub.tls` (files resolved), or null. */
export function tlsProblem(tls: ResolvedConfig['hub']['tls']): string | null {
  if (tls === null) return null;
  try {
    readTlsPair(tls);
    return null;
  } catch (err) {
    if (err instanceof TlsFilesError) return `config error at hub.tls.${err.which}: ${err.message}`;
    throw err;
  }
}
