/**
 * Where the browser goes after sign-in. Only a path on this site: anything else (another host, a
 * scheme, a protocol-relative `//host`, a backslash that browsers read as a slash, control characters
 * that browsers strip, an over-long value) becomes `/`, so /auth/login can never be an open redirect.
 */

export const HOME = '/';
export const LOGIN_PATH = '/auth/login';
export const MAX_RETURN_TO_LENGTH = 2048;

/** Any C0 control character, DEL, or a C1 control character. */
const CONTROL_CHARACTERS = /\p{Cc}/u;
/** A stand-in origin to resolve against: a value that leaves it is not a path on this site. */
const HERE = new URL('https://return-to.invalid');

export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_RETURN_TO_LENGTH) return HOME;
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return HOME;
  if (CONTROL_CHARACTERS.test(value)) return HOME;
  let resolved: URL;
  try {
    resolved = new URL(value, HERE);
  } catch {
    return HOME;
  }
  if (resolved.origin !== HERE.origin) return HOME;
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}

/** Where a page that needs a signed-in person sends the browser: sign in, then back to `returnTo`. */
export function loginPath(returnTo: unknown): string {
  return `${LOGIN_PATH}?${new URLSearchParams({ returnTo: safeReturnTo(returnTo) })}`;
}
