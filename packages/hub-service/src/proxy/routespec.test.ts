import { assertRoutespec, isRoutespec, parseTarget, pathSegments } from './routespec';

describe('routespec helpers', () => {
  it('accepts paths that start and end with /', () => {
    expect(isRoutespec('/')).toBe(true);
    expect(isRoutespec('/user/alice/')).toBe(true);
    expect(isRoutespec('/user/alice')).toBe(false);
    expect(isRoutespec('user/alice/')).toBe(false);
    expect(isRoutespec('/a/?x=1/')).toBe(false);
    expect(() => assertRoutespec('/user/alice')).toThrow(RangeError);
  });

  it('splits paths into non-empty segments', () => {
    expect(pathSegments('/')).toEqual([]);
    expect(pathSegments('/user//alice/')).toEqual(['user', 'alice']);
    expect(pathSegments('/a/b')).toEqual(['a', 'b']);
  });

  it('parses targets', () => {
    expect(parseTarget('http://127.0.0.1:8081')).toEqual({ secure: false, hostname: '127.0.0.1', port: 8081, pathPrefix: '' });
    expect(parseTarget('https://example.org')).toEqual({ secure: true, hostname: 'example.org', port: 443, pathPrefix: '' });
    expect(parseTarget('http://[::1]:9000/prefix/')).toEqual({ secure: false, hostname: '::1', port: 9000, pathPrefix: '/prefix' });
    expect(() => parseTarget('ftp://x')).toThrow(RangeError);
    expect(() => parseTarget('not a url')).toThrow(RangeError);
    expect(() => parseTarget('http://x/?q=1')).toThrow(RangeError);
  });
});
