import { escapeDnValue, escapeFilterValue, fillTemplate } from './templates';

describe('LDAP templates', () => {
  it('escapes DN specials, a leading # or space and a trailing space', () => {
    expect(escapeDnValue('alice')).toBe('alice');
    expect(escapeDnValue('a,ou=admins')).toBe('a\\2cou\\3dadmins');
    expect(escapeDnValue('x+cn=y')).toBe('x\\2bcn\\3dy');
    expect(escapeDnValue('#x')).toBe('\\23x');
    expect(escapeDnValue(' x ')).toBe('\\20x\\20');
    expect(escapeDnValue('a\\b"c<d>e;f')).toBe('a\\5cb\\22c\\3cd\\3ee\\3bf');
    expect(escapeDnValue('a\0b')).toBe('a\\00b');
    expect(escapeDnValue('jörg')).toBe('jörg');
  });

  it('escapes filter specials so a value cannot widen a filter', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue('a)(uid=*')).toBe('a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b\0')).toBe('a\\5cb\\00');
  });

  it('fills every placeholder it knows and leaves others as written', () => {
    const filled = fillTemplate('(|(member={dn})(memberUid={username})(x={other}))', { dn: 'uid=a*,dc=x', username: 'a*' }, escapeFilterValue);
    expect(filled).toBe('(|(member=uid=a\\2a,dc=x)(memberUid=a\\2a)(x={other}))');
    expect(fillTemplate('uid={username},ou=p', { username: 'a,b' }, escapeDnValue)).toBe('uid=a\\2cb,ou=p');
  });
});
