/**
 * The site's own signed values (the session and the pending login) as compact JWTs, HS256 with
 * SESSION_SECRET, signed and checked by jose. Each kind has its own audience, so a pending-login value
 * is never accepted as a session; the issuer is the site's base URL, so a value signed for another
 * deployment with the same secret is refused as foreign. The clock is injected.
 */
import { errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { TokenRejection } from './errors.ts';

const ALGORITHM = 'HS256';

export interface SigningKey {
  secret: Uint8Array;
  /** The site's base URL. */
  issuer: string;
}

export interface TokenOptions {
  /** What the value is for (`session`, `pending-login`). */
  audience: string;
  now: Date;
}

export async function signToken(
  claims: JWTPayload,
  key: SigningKey,
  options: TokenOptions & { lifetimeSeconds: number },
): Promise<string> {
  const issuedAt = Math.floor(options.now.getTime() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuer(key.issuer)
    .setAudience(options.audience)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + options.lifetimeSeconds)
    .sign(key.secret);
}

export type VerifiedToken = { ok: true; payload: JWTPayload } | { ok: false; reason: TokenRejection };

/** Checks signature, algorithm, issuer, audience and expiry (no leeway: the cookie's Max-Age is exact). */
export async function verifyToken(
  value: string | undefined,
  key: SigningKey,
  options: TokenOptions,
): Promise<VerifiedToken> {
  if (!value) return { ok: false, reason: 'missing' };
  try {
    const { payload } = await jwtVerify(value, key.secret, {
      algorithms: [ALGORITHM],
      issuer: key.issuer,
      audience: options.audience,
      currentDate: options.now,
      requiredClaims: ['iat', 'exp'],
    });
    return { ok: true, payload };
  } catch (error) {
    return { ok: false, reason: rejectionOf(error) };
  }
}

function rejectionOf(error: unknown): TokenRejection {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'forged';
  if (error instanceof errors.JWTClaimValidationFailed && (error.claim === 'iss' || error.claim === 'aud')) {
    return 'foreign';
  }
  return 'malformed';
}
