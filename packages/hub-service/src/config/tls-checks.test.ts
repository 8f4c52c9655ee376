import { join } from 'node:path';
import { makeSelfSigned } from '../proxy/testing/self-signed';
import { useConfigSandbox } from './testing/config-sandbox';

const sandbox = useConfigSandbox('clusterhub-tls-config-');

describe('hub.tls', () => {
  it('is off by default and resolves the files against the config file’s folder', () => {
    expect(sandbox.load('hub: { dataDir: data }\n').hub.tls).toBeNull();
    makeSelfSigned(sandbox.dir, 'hub');
    expect(sandbox.load('hub: { tls: { certFile: hub.crt, keyFile: hub.key } }\n').hub.tls).toEqual({ certFile: join(sandbox.dir, 'hub.crt'), keyFile: join(sandbox.dir, 'hub.key') });
  });

  it('refuses files that cannot serve, naming the key, and never shows the key', () => {
    const hub = makeSelfSigned(sandbox.dir, 'hub');
    makeSelfSigned(sandbox.dir, 'other');
    expect(sandbox.problemsOf('hub: { tls: { certFile: nope.crt, keyFile: hub.key } }\n')).toEqual([`config error at hub.tls.certFile: cannot read ${join(sandbox.dir, 'nope.crt')} (ENOENT)`]);
    expect(sandbox.problemsOf('hub: { tls: { certFile: hub.crt, keyFile: hub.crt } }\n')).toEqual([`config error at hub.tls.keyFile: ${hub.certFile} holds no PEM private key`]);
    const mismatch = sandbox.problemsOf('hub: { tls: { certFile: hub.crt, keyFile: other.key } }\n');
    expect(mismatch).toHaveLength(1);
    expect(mismatch[0]).toMatch(/^config error at hub\.tls\.keyFile: .*other\.key and .*hub\.crt do not make a TLS context/);
    expect(mismatch[0]).not.toContain('PRIVATE KEY');
  });

  it('needs both files (schema) and is refused with configurable-http-proxy', () => {
    expect(sandbox.problemsOf('hub: { tls: { certFile: hub.crt } }\n').join('\n')).toMatch(/hub\.tls.*keyFile/);
    makeSelfSigned(sandbox.dir, 'hub');
    const chp = 'hub: { tls: { certFile: hub.crt, keyFile: hub.key } }\nproxy: { kind: chp, apiUrl: "http://127.0.0.1:8001", authToken: "0123456789abcdef0123456789abcdef" }\n';
    expect(sandbox.problemsOf(chp)).toEqual(['config error at hub.tls: only with the built-in proxy: configurable-http-proxy terminates TLS itself (its --ssl-cert and --ssl-key); remove hub.tls']);
  });
});
