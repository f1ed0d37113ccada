/**
 * Set-Cookie values and the Cookie header, for the identity cookies only (their values are compact
 * JWTs: base64url and dots, nothing to encode). The signing is jose's (signed-token.ts); this file only
 * spells the attributes: HttpOnly always, SameSite=Lax so the provider's redirect back still carries
 * the pending login, Secure over https.
 */

export interface CookieOptions {
  path: string;
  secure: boolean;
  maxAgeSeconds: number;
}

export function setCookie(name: string, value: string, options: CookieOptions): string {
  const attributes = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (options.secure) attributes.push('Secure');
  return attributes.join('; ');
}

/** The Set-Cookie value that makes the browser drop the cookie at once (sign-out, a used login). */
export function expiredCookie(name: string, options: Omit<CookieOptions, 'maxAgeSeconds'>): string {
  return `${setCookie(name, '', { ...options, maxAgeSeconds: 0 })}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}

/**
 * The value of cookie `name` in a Cookie header (API Gateway may join several headers with a comma).
 * When the name appears twice (a cookie planted for a parent domain), neither is trusted.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  const values = header
    .split(/[;,]/)
    .map((pair) => pair.trim())
    .filter((pair) => pair.startsWith(`${name}=`))
    .map((pair) => pair.slice(name.length + 1));
  return values.length === 1 && values[0] ? values[0] : undefined;
}
