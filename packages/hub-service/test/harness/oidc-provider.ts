/**
 * Test harness: a real OpenID Provider (npm `oidc-provider`, in its own Node process) on a free
 * loopback port, with a client for the hub and accounts whose `groups` claim the tests set, and a
 * browser walk through the provider's login and consent pages. Test tooling, not product code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BrowserClient, TestResponse } from './http-client';

/** Claims of one account at the provider (besides `sub`, which is the account id). */
export interface ProviderAccount {
  readonly preferred_username?: string;
  readonly name?: string;
  readonly email?: string;
  readonly groups?: readonly string[];
  readonly realm_access?: { readonly roles: readonly string[] };
}

/** A client registered at the provider. */
export interface ProviderClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly redirect_uris: readonly string[];
  /** Default `authorization_code`; with `refresh_token` the provider issues refresh tokens to it. */
  readonly grant_types?: readonly string[];
}

/** A running provider. */
export interface TestProvider {
  /** The issuer URL (discovery at `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  /** Replaces an account's claims (seen at its next login, or the next refresh or userinfo call). */
  setAccount(id: string, claims: ProviderAccount): void;
  /** Revokes a token (e.g. a refresh token) at the provider's revocation endpoint, as `client`. */
  revoke(token: string, client: ProviderClient): Promise<void>;
  /** Stops the process and removes its files. */
  stop(): Promise<void>;
}

/** Options of {@link startTestProvider}. */
export interface TestProviderOptions {
  readonly clients: readonly ProviderClient[];
  readonly accounts: Readonly<Record<string, ProviderAccount>>;
}

/** A free loopback TCP port (bound, read back, released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts the provider process and waits until it listens. */
export async function startTestProvider(options: TestProviderOptions): Promise<TestProvider> {
  const dir = mkdtempSync(join(tmpdir(), 'clusterhub-oidc-'));
  const stateFile = join(dir, 'state.json');
  const state = { clients: options.clients, accounts: { ...options.accounts } };
  const save = (): void => writeFileSync(stateFile, JSON.stringify(state));
  save();
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, 'oidc-provider-server.mjs')], {
    env: { ...process.env, OIDC_STATE_FILE: stateFile, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve((JSON.parse(line) as { issuer: string }).issuer));
    child.once('exit', (code) => reject(new Error(`oidc-provider exited (${code}): ${stderr}`)));
  });
  return {
    issuer,
    setAccount(id, claims) {
      state.accounts[id] = claims;
      save();
    },
    async revoke(token, client) {
      const res = await fetch(`${issuer}/token/revocation`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token, token_type_hint: 'refresh_token' }).toString(),
      });
      if (res.status !== 200) throw new Error(`revocation answered ${res.status}: ${await res.text()}`);
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The first form of a page: its action (absolute) and its hidden fields. */
function formOf(page: TestResponse): { action: string; fields: Record<string, string> } | null {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(page.text);
  if (!form) return null;
  const fields: Record<string, string> = {};
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/i.exec(input[0])?.[1];
    const value = /value="([^"]*)"/i.exec(input[0])?.[1] ?? '';
    if (name !== undefined) fields[name] = value;
  }
  return { action: new URL(form[1] ?? '', page.url).toString(), fields };
}

/**
 * Follows `url` (e.g. the hub's `/hub/oauth_login` or a provider authorization URL) as a browser,
 * signing in as `login` on the provider's login page and accepting its consent page, until a page
 * outside the provider answers (the hub's home, or its login page with an error).
 */
export async function signInAtProvider(browser: BrowserClient, provider: TestProvider, url: string, login: string): Promise<TestResponse> {
  let page = await browser.request(url);
  for (let step = 0; step < 4 && page.url.startsWith(`${provider.issuer}/`); step += 1) {
    const form = formOf(page);
    if (!form) throw new Error(`no form on the provider page ${page.url} (${page.status}): ${page.text.slice(0, 500)}`);
    const fields = form.fields.prompt === 'login' ? { ...form.fields, login, password: 'any-password' } : form.fields;
    page = await browser.request(form.action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }
  return page;
}
