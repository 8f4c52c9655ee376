/**
 * A TCP relay to the test API server (or any TCP server: the PostgreSQL change-signal tests use it
 * too) that a test can cut (listener closed, connections dropped) and restore on the same port, to
 * play an outage, or stall (nothing forwarded, nothing closed) to play a silent partition; and a
 * kubeconfig that reaches the API server through it. Test tooling.
 */
import { writeFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { KubeConfig } from '@kubernetes/client-node' with { 'resolution-mode': 'import' };

/** See the module comment. */
export class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private stalled = false;
  /** The relay's port on 127.0.0.1 (0 before the first {@link open}). */
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  /** Listens (again, on the same port after a cut); nothing when it already listens. */
  async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((client) => {
      if (this.stalled) {
        this.sockets.add(client);
        client.on('close', () => this.sockets.delete(client));
        client.on('error', () => undefined);
        return;
      }
      const upstream = connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /**
   * Stops forwarding without closing anything, as a network that silently drops everything: bytes
   * on open connections are held, new connections are accepted and never answered. {@link cut}
   * (then {@link open}) ends it.
   */
  stall(): void {
    this.stalled = true;
    for (const s of this.sockets) {
      s.unpipe();
      s.pause();
    }
  }

  /** Closes the listener and drops every connection. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.stalled = false;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
}

/** `kc` with its current cluster reached through the relay on `port` (same CA, same user). */
export async function viaRelay(kc: KubeConfig, port: number): Promise<KubeConfig> {
  const k8s = await import('@kubernetes/client-node');
  const current = kc.getCurrentCluster();
  if (!current) throw new Error('the kubeconfig has no cluster');
  const out = new k8s.KubeConfig();
  out.loadFromOptions({
    clusters: [{ ...current, server: `https://127.0.0.1:${port}` }],
    users: kc.getUsers(),
    contexts: [{ name: 'relay', cluster: current.name, user: kc.getCurrentUser()?.name ?? '' }],
    currentContext: 'relay',
  });
  return out;
}

/** Writes {@link viaRelay}'s kubeconfig to `file` (for a hub config's `kubeconfigFile`). */
export async function writeRelayKubeconfig(kc: KubeConfig, port: number, file: string): Promise<void> {
  writeFileSync(file, (await viaRelay(kc, port)).exportConfig(), { mode: 0o600 });
}
