/**
 * Starts a real configurable-http-proxy (the npm package installed as a devDependency) for tests:
 * public and API listeners on 127.0.0.1, token in CONFIGPROXY_AUTH_TOKEN, ready once the API answers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort, httpRequest } from './backends';

/** A running CHP process. */
export interface ChpProcess {
  readonly publicPort: number;
  readonly apiPort: number;
  /** `http://127.0.0.1:<publicPort>` */
  readonly publicUrl: string;
  /** `http://127.0.0.1:<apiPort>` */
  readonly apiUrl: string;
  readonly authToken: string;
  readonly pid: number;
  /** Terminates the process (SIGTERM, then SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills the process with SIGKILL (a crash) and waits for it to exit. */
  kill(): Promise<void>;
}

/** Options of {@link startChp}; ports default to free ones. */
export interface StartChpOptions {
  readonly authToken: string;
  readonly publicPort?: number;
  readonly apiPort?: number;
  /** How long to wait for the API to answer (ms, default 30 s). */
  readonly readyTimeoutMs?: number;
}

/** Path of CHP's executable script inside node_modules. */
export function chpBinPath(): string {
  return path.join(path.dirname(require.resolve('configurable-http-proxy/package.json')), 'bin', 'configurable-http-proxy');
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts CHP and resolves once `GET /api/routes` answers 200 with the token. */
export async function startChp(options: StartChpOptions): Promise<ChpProcess> {
  const publicPort = options.publicPort ?? (await freePort());
  const apiPort = options.apiPort ?? (await freePort());
  const args = ['--ip', '127.0.0.1', '--port', String(publicPort), '--api-ip', '127.0.0.1', '--api-port', String(apiPort)];
  const child = spawn(process.execPath, [chpBinPath(), ...args, '--log-level', 'warn'], {
    env: { ...process.env, CONFIGPROXY_AUTH_TOKEN: options.authToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 5_000))) {
      child.kill('SIGKILL');
      await waitForExit(child, 5_000);
    }
  };
  const kill = async (): Promise<void> => {
    child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt++) {
    if (child.exitCode !== null) throw new Error(`configurable-http-proxy exited with ${child.exitCode}: ${output}`);
    try {
      const response = await httpRequest(`${apiUrl}/api/routes`, {
        headers: { authorization: `token ${options.authToken}` },
        timeoutMs: 2_000,
      });
      if (response.status === 200) {
        return {
          publicPort,
          apiPort,
          publicUrl: `http://127.0.0.1:${publicPort}`,
          apiUrl,
          authToken: options.authToken,
          pid: child.pid ?? -1,
          stop,
          kill,
        };
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`configurable-http-proxy did not answer on ${apiUrl}: ${output}`);
}
