import { HubError } from '../../errors';
import { parseStartBody } from './servers.routes';

function failure(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a HubError');
}

describe('parseStartBody', () => {
  it('no body: no options (the caller reuses the last ones)', () => {
    expect(parseStartBody(undefined)).toEqual({ userOptions: null });
    expect(parseStartBody(null)).toEqual({ userOptions: null });
  });

  it('JupyterHub 5.x shape: the whole body is user_options', () => {
    expect(parseStartBody({ profile: 'mig-1g.5gb', extra: 1 })).toEqual({ userOptions: { profile: 'mig-1g.5gb', extra: 1 } });
    expect(parseStartBody({})).toEqual({ userOptions: {} });
  });

  it('JupyterHub 6.x shape: user_options and display_name', () => {
    expect(parseStartBody({ user_options: { profile: 'cpu-default' }, display_name: 'My GPU' })).toEqual({
      displayName: 'My GPU',
      userOptions: { profile: 'cpu-default' },
    });
    expect(parseStartBody({ display_name: 'Only a name' })).toEqual({ displayName: 'Only a name', userOptions: null });
    expect(parseStartBody({ user_options: null })).toEqual({ displayName: undefined, userOptions: null });
  });

  it('6.x shape with an unknown key: unknown_field naming it', () => {
    const err = failure(() => parseStartBody({ user_options: {}, profile: 'x' }));
    expect(err.code).toBe('unknown_field');
    expect(err.status).toBe(400);
    expect(err.message).toContain('"profile"');
    expect(err.options.details).toEqual({ field: 'profile' });
  });

  it.each([
    ['an array body', [1, 2]],
    ['a string body', 'profile=x'],
    ['user_options not an object', { user_options: 'cpu' }],
    ['user_options an array', { user_options: ['cpu'] }],
    ['display_name not a string', { display_name: 5 }],
  ])('refuses %s', (_label, body) => {
    expect(failure(() => parseStartBody(body)).code).toBe('validation_failed');
  });
});
