/** The CSRF check: the session's token, exactly, as one non-empty value. */
import { describe, expect, it } from 'vitest';
import { CSRF_FIELD, CSRF_HEADER, checkCsrf, newCsrfToken, sameSecret } from '#shared/identity/csrf.ts';

const session = { csrf: newCsrfToken() };

describe('checkCsrf', () => {
  it('accepts the session token from the form field or the header', () => {
    expect(CSRF_FIELD).toBe('csrf');
    expect(CSRF_HEADER).toBe('x-csrf-token');
    expect(checkCsrf(session, session.csrf)).toBe(true);
  });

  it.each([
    ['a missing value', undefined],
    ['an empty value', ''],
    ['another session token', newCsrfToken()],
    [
      'the token with a character changed',
      `${session.csrf.slice(0, -1)}${session.csrf.endsWith('A') ? 'B' : 'A'}`,
    ],
    ['a prefix of the token', session.csrf.slice(0, 10)],
    ['the token with more after it', `${session.csrf}x`],
    ['the token repeated as two fields', [session.csrf, session.csrf]],
    ['a number', 42],
  ])('refuses %s', (_case, presented) => {
    expect(checkCsrf(session, presented)).toBe(false);
  });

  it('refuses everything for a session without a token', () => {
    expect(checkCsrf({ csrf: '' }, '')).toBe(false);
  });

  it('makes 256-bit base64url tokens, new each time', () => {
    const tokens = new Set(Array.from({ length: 50 }, newCsrfToken));
    expect(tokens.size).toBe(50);
    for (const token of tokens) expect(token).toMatch(/^[\w-]{43}$/);
  });

  it('compares secrets of any length without throwing', () => {
    expect(sameSecret('short', 'a much longer value')).toBe(false);
    expect(sameSecret('same', 'same')).toBe(true);
  });
});
