import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bookmarkingWatch } from './bookmarks';

/** A local HTTP endpoint standing in for the API server's watch URL: records each request's URL and streams one BOOKMARK. */
async function watchEndpoint(): Promise<{ server: Server; url: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: 'Pod', apiVersion: 'v1', metadata: { resourceVersion: '12345' } } })}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test('the informers’ watch asks for bookmarks, keeps the caller’s query, and hands the bookmark on', async () => {
  const k8s = await import('@kubernetes/client-node');
  const { server, url, seen } = await watchEndpoint();
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const phases: string[] = [];
    await new Promise<void>((resolve, reject) => {
      void bookmarkingWatch(k8s, kc)
        .watch('/api/v1/namespaces/hub/pods', { resourceVersion: '7', labelSelector: 'a=b' }, (phase: string) => phases.push(phase), (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve()))
        .catch(reject);
    });
    const query = new URL(seen[0] ?? '', url).searchParams;
    expect(query.get('watch')).toBe('true');
    expect(query.get('allowWatchBookmarks')).toBe('true');
    expect(query.get('resourceVersion')).toBe('7');
    expect(query.get('labelSelector')).toBe('a=b');
    expect(phases).toEqual(['BOOKMARK']);
  } finally {
    server.close();
  }
});
