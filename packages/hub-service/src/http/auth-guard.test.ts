import { bearerToken } from './auth-guard';

describe('bearerToken', () => {
  it('is null when there is no Authorization header', () => {
    expect(bearerToken(undefined)).toBeNull();
  });

  it.each([
    ['token abc123', 'abc123'],
    ['bearer abc123', 'abc123'],
    ['Bearer abc123', 'abc123'],
    ['TOKEN abc123', 'abc123'],
    ['token   abc123  ', 'abc123'],
  ])('reads %p', (header, expected) => {
    expect(bearerToken(header)).toBe(expected);
  });

  it.each(['', 'token', 'token ', 'Basic dXNlcjpwYXNz', 'abc123', 'token a b', 'tokenabc'])('is "" (malformed) for %p', (header) => {
    expect(bearerToken(header)).toBe('');
  });
});
