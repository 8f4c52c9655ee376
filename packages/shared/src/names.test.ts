import { isValidGroupName, isValidServerName, isValidUserName, MAX_NAME_LENGTH, nameProblem } from './names';
import { oauthClientId, quotePath, quoteSegment, serverPrefix, serverRoutespec, userPath } from './api-paths';

describe('user and group names (JupyterHub 6.1 validate_username, plus no control characters)', () => {
  it.each([
    'alice',
    'ann+lab@uni.example',
    'first.last@example.org',
    'ann smith',
    'zoë',
    'Jörg Müller',
    '李雷',
    'a..b',
    '.hidden',
    'o\'brien',
    'a:b',
    '50%off',
    'back\\slash',
    'semi;colon$x',
    'x'.repeat(MAX_NAME_LENGTH),
  ])('accepts %j', (name) => {
    expect(isValidUserName(name)).toBe(true);
    expect(isValidGroupName(name)).toBe(true);
  });

  it('accepts `:` in group names', () => {
    expect(isValidGroupName('unit:physics')).toBe(true);
  });

  it.each([
    ['', 'is empty'],
    ['a/b', 'contains /'],
    ['..', 'is made only of dots'],
    ['.', 'is made only of dots'],
    ['...', 'is made only of dots'],
    ['%2e%2e', 'is made only of dots'],
    ['%2E.', 'is made only of dots'],
    [' alice', 'starts or ends with whitespace'],
    ['alice ', 'starts or ends with whitespace'],
    ['a\u0000b', 'contains a control character'],
    ['a\nb', 'contains a control character'],
    ['a\u007fb', 'contains a control character'],
    ['who?', 'contains ? or #'],
    ['a#b', 'contains ? or #'],
    ['x'.repeat(MAX_NAME_LENGTH + 1), `is longer than ${MAX_NAME_LENGTH} characters`],
  ])('refuses %j (%s)', (name, problem) => {
    expect(nameProblem(name)).toBe(problem);
    expect(isValidUserName(name)).toBe(false);
    expect(isValidGroupName(name)).toBe(false);
  });
});

describe('server names (JupyterHub 6 rule)', () => {
  it.each(['gpu', 'a1', 'my-server'])('accepts %j', (name) => expect(isValidServerName(name)).toBe(true));
  it.each(['', 'GPU', '1a', 'a--b', 'a-', 'a b', 'x'.repeat(31)])('refuses %j', (name) => expect(isValidServerName(name)).toBe(false));
});

describe('URL escaping as JupyterHub does it', () => {
  it.each([
    // quote(name, safe='@~'): only letters, digits, _.-~ and @ stay
    ['alice', 'alice'],
    ['ann+lab@uni.example', 'ann%2Blab@uni.example'],
    ['ann smith', 'ann%20smith'],
    ['zoë', 'zo%C3%AB'],
    ["o'brien(x)!*", 'o%27brien%28x%29%21%2A'],
    ['a:b~c', 'a%3Ab~c'],
    ['50%', '50%25'],
  ])('quoteSegment(%j) = %j', (name, quoted) => {
    expect(quoteSegment(name)).toBe(quoted);
  });

  it('builds user URLs, API paths and proxy routespecs', () => {
    expect(serverPrefix('ann+lab@uni.example')).toBe('/user/ann%2Blab@uni.example/');
    expect(serverPrefix('ann smith', 'gpu', '/base/')).toBe('/base/user/ann%20smith/gpu/');
    expect(userPath('ann smith')).toBe('/users/ann%20smith');
    expect(serverRoutespec('ann smith', 'gpu')).toBe('/user/ann smith/gpu/');
    expect(quotePath(serverRoutespec('ann+lab@uni.example'))).toBe(serverPrefix('ann+lab@uni.example'));
  });

  it('escapes @ in OAuth client ids (they are cookie names), as quote(name) does', () => {
    expect(oauthClientId('ann+lab@uni.example')).toBe('jupyterhub-user-ann%2Blab%40uni.example');
    expect(oauthClientId('alice', 'gpu')).toBe('jupyterhub-user-alice-gpu');
  });
});
