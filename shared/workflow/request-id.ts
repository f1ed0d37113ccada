/**
 * Request ids: `SR-YYYYMMDD-XXXXXXXX`, the submission date (UTC) and 8 random Crockford base32
 * characters (40 bits). The id is also the Step Functions execution name, so it keeps to the characters
 * an execution name allows (letters, digits, hyphen; at most 80).
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const REQUEST_ID_PATTERN = /^SR-\d{8}-[0-9A-HJKMNP-TV-Z]{8}$/;

export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID_PATTERN.test(value);
}

/** `random` returns 5 bytes; injectable so tests can pin the id. */
export function newRequestId(
  now: Date = new Date(),
  random: () => Uint8Array = () => randomBytes(5),
): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '');
  const bytes = random();
  let bits = 0n;
  for (let i = 0; i < 5; i++) bits = (bits << 8n) | BigInt(bytes[i] ?? 0);
  let suffix = '';
  for (let i = 7; i >= 0; i--) suffix += CROCKFORD[Number((bits >> BigInt(i * 5)) & 31n)];
  return `SR-${date}-${suffix}`;
}
