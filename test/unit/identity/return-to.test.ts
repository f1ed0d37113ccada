/** After sign-in the browser goes back to a path on this site, and nowhere else (no open redirect). */
import { describe, expect, it } from 'vitest';
import { loginPath, MAX_RETURN_TO_LENGTH, safeReturnTo } from '#shared/identity/return-to.ts';

describe('safeReturnTo', () => {
  it.each([
    ['/tasks/abc?t=secret', '/tasks/abc?t=secret'],
    ['/queue', '/queue'],
    ['/', '/'],
    ['/my/requests#latest', '/my/requests#latest'],
    ['/registry?q=math&status=APPROVED', '/registry?q=math&status=APPROVED'],
    ['/a/../queue', '/queue'],
  ])('keeps the same-origin path %s', (value, expected) => {
    expect(safeReturnTo(value)).toBe(expected);
  });

  it.each([
    ['a protocol-relative URL', '//evil.example/'],
    ['a protocol-relative URL with three slashes', '///evil.example/'],
    ['an absolute URL', 'https://evil.example/tasks'],
    ['an absolute http URL', 'http://evil.example'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a backslash that browsers read as a slash', '/\\evil.example'],
    ['a backslash first', '\\\\evil.example'],
    ['a tab inside the slashes (browsers strip it)', '/\t/evil.example'],
    ['a newline inside the slashes', '/\n/evil.example'],
    ['a carriage return', '/queue\r\nSet-Cookie: x=y'],
    ['a NUL character', '/queue\u0000'],
    ['a C1 control character', '/queue\u0085'],
    ['a relative path', 'queue'],
    ['an empty value', ''],
    ['an over-long value', `/${'a'.repeat(MAX_RETURN_TO_LENGTH)}`],
    ['a value that is not text', ['/queue']],
    ['no value', undefined],
  ])('sends %s home', (_case, value) => {
    expect(safeReturnTo(value)).toBe('/');
  });

  it('keeps a path right at the length limit', () => {
    const longest = `/${'a'.repeat(MAX_RETURN_TO_LENGTH - 1)}`;
    expect(safeReturnTo(longest)).toBe(longest);
  });

  it('keeps percent-encoded slashes as part of the path (they do not leave the site)', () => {
    expect(safeReturnTo('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });
});

describe('loginPath', () => {
  it('sends the browser to sign in and back to the page, its query encoded', () => {
    expect(loginPath('/tasks/abc?t=secret&x=1')).toBe(
      '/auth/login?returnTo=%2Ftasks%2Fabc%3Ft%3Dsecret%26x%3D1',
    );
  });

  it('sends it back home when the page is not a path on this site', () => {
    expect(loginPath('https://evil.example/')).toBe('/auth/login?returnTo=%2F');
  });
});
