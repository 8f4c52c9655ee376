import { Writable } from 'node:stream';
import { createLogger, fixedFieldsLogger, REDACTED, silentLogger } from './logger';

/** A destination that keeps every JSON line written to it. */
function memoryDestination(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const lines = () =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

describe('createLogger', () => {
  it('writes JSON lines with level, time, name and message', () => {
    const dest = memoryDestination();
    const log = createLogger({ level: 'info', destination: dest.stream });
    log.info({ user: 'alice' }, 'server started');
    log.debug('not written at info');
    const lines = dest.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 30, name: 'clusterhub', user: 'alice', msg: 'server started' });
    expect(typeof lines[0]?.['time']).toBe('string');
    expect(new Date(String(lines[0]?.['time'])).toISOString()).toBe(lines[0]?.['time']);
  });

  it('redacts credentials in requests, responses and secret-named keys', () => {
    const dest = memoryDestination();
    const log = createLogger({ level: 'debug', destination: dest.stream });
    log.info(
      {
        req: { method: 'GET', url: '/hub/api/users', headers: { authorization: 'token abc', cookie: 'jupyterhub-session-id=x', host: 'h' } },
        res: { statusCode: 200, headers: { 'set-cookie': 'jupyterhub-hub-login=y' } },
        password: 'hunter2',
        token: 'top-level-token',
        body: { username: 'alice', password: 'hunter2' },
        service: { name: 'culler', apiToken: 'svc-token' },
        proxy: { authToken: 'chp-token' },
        oauth: { client_id: 'c', client_secret: 'shh' },
        upstream: { headers: { authorization: 'Bearer t' } },
      },
      'request',
    );
    const text = JSON.stringify(dest.lines());
    for (const secret of ['token abc', 'session-id=x', 'hub-login=y', 'hunter2', 'top-level-token', 'svc-token', 'chp-token', 'shh', 'Bearer t']) {
      expect(text).not.toContain(secret);
    }
    const [line] = dest.lines();
    expect(line).toMatchObject({
      req: { method: 'GET', headers: { authorization: REDACTED, cookie: REDACTED, host: 'h' } },
      body: { username: 'alice', password: REDACTED },
      service: { name: 'culler', apiToken: REDACTED },
      oauth: { client_id: 'c', client_secret: REDACTED },
    });
  });

  it('keeps the redaction in child loggers', () => {
    const dest = memoryDestination();
    const child = createLogger({ level: 'info', destination: dest.stream }).child({ component: 'login' });
    child.warn({ body: { password: 'pw' } }, 'failed');
    expect(dest.lines()[0]).toMatchObject({ component: 'login', body: { password: REDACTED } });
  });
});

describe('fixedFieldsLogger', () => {
  it('writes the same line as its parent for credential-free fields, at the parent level', () => {
    const dest = memoryDestination();
    const log = createLogger({ level: 'info', destination: dest.stream });
    const fields = { reqId: 'r1', method: 'GET', path: '/hub/api/users/alice', status: 200, ms: 3 };
    log.info(fields, 'request');
    const plain = fixedFieldsLogger(log);
    plain.info(fields, 'request');
    plain.debug(fields, 'not written at info');
    const [viaParent, viaChild, ...rest] = dest.lines();
    expect(rest).toEqual([]);
    expect({ ...viaChild, time: null }).toEqual({ ...viaParent, time: null });
  });

  it('leaves the redaction of its parent in place', () => {
    const dest = memoryDestination();
    const log = createLogger({ level: 'info', destination: dest.stream });
    fixedFieldsLogger(log);
    log.info({ token: 'secret-token' }, 'after');
    expect(dest.lines()[0]?.['token']).toBe(REDACTED);
  });
});

describe('silentLogger', () => {
  it('accepts calls and writes nothing', () => {
    const log = silentLogger();
    expect(log.level).toBe('silent');
    expect(() => log.error({ err: new Error('x') }, 'nothing')).not.toThrow();
  });
});
