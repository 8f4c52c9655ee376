/** Picking a free TCP port: bind port 0 on the address, read the port back, close. */
import { createServer } from 'node:net';

/**
 * Resolves to a port that was free on `ip` a moment ago. Another process may take it before the
 * server binds it; the server then fails to start and the hub reports the spawn as failed.
 *
 * @throws the listen error (e.g. `EADDRNOTAVAIL` for an address this host does not have).
 */
export function findFreePort(ip: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: ip, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        if (port > 0) resolve(port);
        else reject(new Error(`could not read back a free port on ${ip}`));
      });
    });
  });
}
