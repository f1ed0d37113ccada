/**
 * Cross-site request forgery: every state-changing POST made with the session cookie carries the
 * session's token, in the form field `csrf` or, for a JSON POST, the `x-csrf-token` header. A page on
 * another site can make the browser send the cookie, but cannot read the token (GET /auth/session is
 * same-origin only), so it cannot send that.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Session } from './types.ts';

export const CSRF_FIELD = 'csrf';
export const CSRF_HEADER = 'x-csrf-token';

/** 256 random bits, base64url: the token of a new session. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * True when `presented` (the form field's value or the header's) is the session's token. Compared in
 * constant time over both values' SHA-256, so neither the length nor a common prefix shows in the
 * timing. A repeated field (an array) or an empty value is refused.
 */
export function checkCsrf(session: Pick<Session, 'csrf'>, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || session.csrf.length === 0) return false;
  return sameSecret(session.csrf, presented);
}

/** Constant-time equality of two secrets of any length (state, CSRF token). */
export function sameSecret(expected: string, presented: string): boolean {
  return timingSafeEqual(digest(expected), digest(presented));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
