import { verifyPkceS256 } from './pkce';

// RFC 7636, appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('verifyPkceS256', () => {
  it('accepts the RFC 7636 appendix B test vector', () => {
    expect(verifyPkceS256(VERIFIER, CHALLENGE)).toBe(true);
  });

  it('refuses a verifier that does not match the challenge', () => {
    expect(verifyPkceS256(`${VERIFIER.slice(0, -1)}A`, CHALLENGE)).toBe(false);
    expect(verifyPkceS256(VERIFIER, `${CHALLENGE}=`)).toBe(false);
  });

  it('refuses verifiers with characters outside the unreserved set', () => {
    expect(verifyPkceS256(`${VERIFIER.slice(0, -1)}+`, CHALLENGE)).toBe(false);
    expect(verifyPkceS256(`${VERIFIER.slice(0, -1)}/`, CHALLENGE)).toBe(false);
    expect(verifyPkceS256(`${VERIFIER.slice(0, -1)} `, CHALLENGE)).toBe(false);
  });

  it('refuses verifiers shorter than 43 or longer than 128 characters', () => {
    expect(verifyPkceS256('a'.repeat(42), CHALLENGE)).toBe(false);
    expect(verifyPkceS256('a'.repeat(129), CHALLENGE)).toBe(false);
  });
});
