/**
 * Test harness: a real OpenLDAP `slapd` (Debian packages slapd and ldap-utils) in a temp folder,
 * with its own slapd.conf (mdb database, suffix dc=example,dc=org), listening on free loopback
 * ports for ldap:// (StartTLS offered) and ldaps://, with a throw-away CA and server certificate
 * made by openssl. Entries are loaded and changed with the real `ldapadd` / `ldapmodify` as the
 * root DN. Test tooling, not product code; needs root only because the suite gates it so.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../oidc-provider';

const run = promisify(execFile);

/** The directory's suffix. */
export const SUFFIX = 'dc=example,dc=org';
const ROOT_DN = `cn=admin,${SUFFIX}`;
const ROOT_PW = 'root-secret-for-tests';

/** A running test slapd. */
export interface TestSlapd {
  /** `ldap://127.0.0.1:<port>` (plain, StartTLS offered). */
  readonly url: string;
  /** `ldaps://127.0.0.1:<port>` (the certificate names 127.0.0.1 and localhost). */
  readonly ldapsUrl: string;
  /** PEM file of the CA that signed the server certificate. */
  readonly caFile: string;
  /** PEM file of a CA that signed nothing here (for the wrong-CA case). */
  readonly otherCaFile: string;
  /** Adds entries (LDIF) with ldapadd as the root DN. */
  add(ldif: string): Promise<void>;
  /** Changes entries (LDIF with changetype) with ldapmodify as the root DN. */
  modify(ldif: string): Promise<void>;
  /** Stops slapd (SIGTERM, waits for exit); `start()` brings it back on the same ports and data. */
  stop(): Promise<void>;
  /** Starts it again after `stop()`. */
  start(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

/** Waits until something accepts connections on 127.0.0.1:`port`. */
async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (child.exitCode !== null) throw new Error(`slapd exited (${child.exitCode}): ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`slapd did not listen on ${port}: ${log()}`);
}

/** A CA and a server certificate for localhost/127.0.0.1 signed by it, plus an unrelated CA. */
async function makeCertificates(dir: string): Promise<void> {
  const ossl = (...args: string[]): Promise<unknown> => run('openssl', args, { cwd: dir });
  for (const ca of ['ca', 'other-ca']) {
    await ossl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=clusterhub test ${ca}`, '-keyout', `${ca}.key`, '-out', `${ca}.pem`);
  }
  await ossl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-keyout', 'server.key', '-out', 'server.csr');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  await ossl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem');
}

/** Starts a slapd with an empty directory except the suffix entry and `ou=people`, `ou=groups`, `ou=services`. */
export async function startTestSlapd(): Promise<TestSlapd> {
  const dir = mkdtempSync(join(tmpdir(), 'clusterhub-slapd-'));
  mkdirSync(join(dir, 'db'));
  await makeCertificates(dir);
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    [
      ...['core', 'cosine', 'nis', 'inetorgperson'].map((s) => `include /etc/ldap/schema/${s}.schema`),
      `pidfile ${join(dir, 'slapd.pid')}`,
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `TLSCACertificateFile ${join(dir, 'ca.pem')}`,
      `TLSCertificateFile ${join(dir, 'server.pem')}`,
      `TLSCertificateKeyFile ${join(dir, 'server.key')}`,
      'database mdb',
      `suffix "${SUFFIX}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${ROOT_PW}`,
      `directory ${join(dir, 'db')}`,
      'maxsize 10485760',
      'access to attrs=userPassword by self read by anonymous auth by * none',
      'access to * by users read by * none',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const tlsPort = await freePort();
  let child: ChildProcess | null = null;
  let output = '';
  const start = async (): Promise<void> => {
    output = '';
    // -d keeps slapd in the foreground (so the test owns the process); level 0 logs nothing routine.
    const proc = spawn('/usr/sbin/slapd', ['-d', '0', '-f', conf, '-h', `ldap://127.0.0.1:${port}/ ldaps://127.0.0.1:${tlsPort}/`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child = proc;
    await waitForPort(port, proc, () => output);
    await waitForPort(tlsPort, proc, () => output);
  };
  const stop = async (): Promise<void> => {
    const proc = child;
    child = null;
    if (proc === null || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGTERM');
    });
  };
  const url = `ldap://127.0.0.1:${port}`;
  const ldapTool = async (tool: 'ldapadd' | 'ldapmodify', ldif: string): Promise<void> => {
    const file = join(dir, `change-${Date.now()}-${Math.random().toString(36).slice(2)}.ldif`);
    writeFileSync(file, ldif);
    await run(`/usr/bin/${tool}`, ['-x', '-H', url, '-D', ROOT_DN, '-w', ROOT_PW, '-f', file]);
  };
  await start();
  const slapd: TestSlapd = {
    url,
    ldapsUrl: `ldaps://127.0.0.1:${tlsPort}`,
    caFile: join(dir, 'ca.pem'),
    otherCaFile: join(dir, 'other-ca.pem'),
    add: (ldif) => ldapTool('ldapadd', ldif),
    modify: (ldif) => ldapTool('ldapmodify', ldif),
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await slapd.add(
    [
      `dn: ${SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example`,
      ...['people', 'groups', 'services'].map((ou) => `dn: ou=${ou},${SUFFIX}\nobjectClass: organizationalUnit\nou: ${ou}`),
    ].join('\n\n') + '\n',
  );
  return slapd;
}

/** LDIF of an inetOrgPerson + posixAccount under ou=people (clear-text password: slapd compares it as is). */
export function personLdif(uid: string, password: string, uidNumber: number): string {
  return [
    `dn: uid=${uid},ou=people,${SUFFIX}`,
    'objectClass: inetOrgPerson',
    'objectClass: posixAccount',
    `uid: ${uid}`,
    `cn: ${uid}`,
    `sn: ${uid}`,
    `uidNumber: ${uidNumber}`,
    `gidNumber: ${uidNumber}`,
    `homeDirectory: /home/${uid}`,
    `userPassword: ${password}`,
    '',
  ].join('\n');
}
