import { parseTarget } from '../routespec';
import { RouteTable, type RouteEntry } from './route-table';

function entry(routespec: string, port = 1000): RouteEntry {
  const target = `http://127.0.0.1:${port}`;
  return { routespec, target, parsedTarget: parseTarget(target), data: {}, lastActivityMs: 0 };
}

describe('RouteTable', () => {
  it('finds the longest prefix on whole segments', () => {
    const table = new RouteTable();
    table.set(entry('/user/alice/'));
    table.set(entry('/user/alice/gpu/'));
    table.set(entry('/'));
    expect(table.match('/user/alice/gpu/lab')?.routespec).toBe('/user/alice/gpu/');
    expect(table.match('/user/alice/gpu')?.routespec).toBe('/user/alice/gpu/');
    expect(table.match('/user/alice/gpux')?.routespec).toBe('/user/alice/');
    expect(table.match('/user/alice')?.routespec).toBe('/user/alice/');
    expect(table.match('/user/alicex/')?.routespec).toBe('/');
    expect(table.match('//user//alice//tree')?.routespec).toBe('/user/alice/');
    expect(table.match('')?.routespec).toBe('/');
  });

  it('answers null when nothing matches and there is no catch-all', () => {
    const table = new RouteTable();
    table.set(entry('/a/b/'));
    expect(table.match('/a')).toBeNull();
    expect(table.match('/a/c/b')).toBeNull();
    expect(table.match('/')).toBeNull();
  });

  it('replaces, deletes and prunes', () => {
    const table = new RouteTable();
    table.set(entry('/a/', 1));
    table.set(entry('/a/b/c/', 2));
    table.set(entry('/a/b/c/', 3));
    expect(table.size).toBe(2);
    expect(table.get('/a/b/c/')?.parsedTarget.port).toBe(3);
    expect(table.delete('/a/b/c/')).toBe(true);
    expect(table.delete('/a/b/c/')).toBe(false);
    expect(table.delete('/a/b/')).toBe(false);
    expect(table.match('/a/b/c/d')?.routespec).toBe('/a/');
    expect(table.delete('/a/')).toBe(true);
    expect(table.match('/a/b/c/d')).toBeNull();
    expect([...table.entries()]).toEqual([]);
  });

  it('keeps a deeper route when its parent route is deleted', () => {
    const table = new RouteTable();
    table.set(entry('/a/'));
    table.set(entry('/a/b/'));
    table.delete('/a/');
    expect(table.match('/a/b/x')?.routespec).toBe('/a/b/');
    expect(table.match('/a/x')).toBeNull();
  });

  it('lists every route', () => {
    const table = new RouteTable();
    for (let i = 0; i < 1000; i++) table.set(entry(`/user/u${i}/`));
    expect(table.size).toBe(1000);
    expect(table.match('/user/u500/lab')?.routespec).toBe('/user/u500/');
    expect([...table.entries()].map((e) => e.routespec)).toContain('/user/u999/');
  });
});
