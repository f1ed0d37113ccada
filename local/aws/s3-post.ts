/**
 * S3's browser upload (POST Object with a form), checked as S3 checks it: the SigV4 signature over the
 * base64 policy, the policy's expiration, each of its conditions (exact match, starts-with, the file's
 * size range) and that every field of the form is one the policy names. A refusal is an AwsApiError
 * with S3's code and status (AccessDenied 403, EntityTooLarge / EntityTooSmall 400, …).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { isRecord } from '#shared/core/guards.ts';
import type { FormPart } from './multipart.ts';
import { AwsApiError } from './protocol.ts';

/** What an accepted form asks to store, and where to send the browser. */
export interface AcceptedUpload {
  key: string;
  bytes: Buffer;
  /** The form's Content-Type field (S3 ignores the file part's own type). */
  contentType?: string;
  redirect?: string;
  successStatus?: string;
}

/** Fields S3 does not require the policy to name (x-ignore-* aside). */
const UNCHECKED_FIELDS = new Set(['policy', 'x-amz-signature', 'file']);

const policySchema = z.object({ expiration: z.string(), conditions: z.array(z.unknown()) });

/**
 * Checks the form's parts (in order; S3 ignores what follows the file) against its signed policy, for
 * `bucket`, at `now`, with the local secret key. Answers the upload to store, or throws an AwsApiError.
 */
export function acceptPostForm(
  bucket: string,
  parts: readonly FormPart[],
  options: { now: number; secretKey: string },
): AcceptedUpload {
  const fileAt = parts.findIndex((p) => p.name.toLowerCase() === 'file');
  const file = parts[fileAt];
  if (!file) throw new AwsApiError('InvalidArgument', 'POST requires exactly one file upload per request.');
  // Field names are case-insensitive in a POST policy; the bucket comes from the URL.
  const fields = new Map<string, string>([['bucket', bucket]]);
  for (const part of parts.slice(0, fileAt)) fields.set(part.name.toLowerCase(), part.data.toString('utf8'));
  const policy = signedPolicy(fields, options);
  checkConditions(policy.conditions, fields, file.data.length);
  const key = fields.get('key');
  if (!key) throw new AwsApiError('InvalidArgument', "Bucket POST must contain a field named 'key'.");
  const contentType = fields.get('content-type');
  const redirect = fields.get('success_action_redirect') ?? fields.get('redirect');
  const successStatus = fields.get('success_action_status');
  return {
    key,
    bytes: file.data,
    ...(contentType !== undefined ? { contentType } : {}),
    ...(redirect !== undefined ? { redirect } : {}),
    ...(successStatus !== undefined ? { successStatus } : {}),
  };
}

/** The decoded policy, once its signature, algorithm and expiration are good. */
function signedPolicy(
  fields: ReadonlyMap<string, string>,
  options: { now: number; secretKey: string },
): z.infer<typeof policySchema> {
  const encoded = fields.get('policy');
  if (!encoded) throw new AwsApiError('AccessDenied', 'Bucket POST must contain a field named Policy.', 403);
  if (fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new AwsApiError('InvalidArgument', 'Only AWS4-HMAC-SHA256 policies are supported locally.');
  }
  const [, date = '', region = '', service = '', terminal = ''] = (
    fields.get('x-amz-credential') ?? ''
  ).split('/');
  if (service !== 's3' || terminal !== 'aws4_request' || !/^\d{8}$/.test(date)) {
    throw new AwsApiError(
      'InvalidArgument',
      'X-Amz-Credential is not <key>/<date>/<region>/s3/aws4_request.',
    );
  }
  const expected = policySignature(encoded, options.secretKey, date, region);
  const given = Buffer.from(fields.get('x-amz-signature') ?? '', 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new AwsApiError(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      403,
    );
  }
  let policy: z.infer<typeof policySchema>;
  try {
    policy = policySchema.parse(JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')));
  } catch (error) {
    throw new AwsApiError('InvalidPolicyDocument', `Invalid Policy: ${String(error)}`);
  }
  const expires = Date.parse(policy.expiration);
  if (!Number.isFinite(expires) || expires <= options.now) {
    throw new AwsApiError('AccessDenied', 'Invalid according to Policy: Policy expired.', 403);
  }
  return policy;
}

/** SigV4 for a POST policy: the key derived from the secret, date, region and service signs the base64 policy. */
export function policySignature(
  encodedPolicy: string,
  secretKey: string,
  date: string,
  region: string,
): Buffer {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretKey}`, date), region), 's3'), 'aws4_request');
  return Buffer.from(createHmac('sha256', signingKey).update(encodedPolicy).digest('hex'), 'utf8');
}

function checkConditions(
  conditions: readonly unknown[],
  fields: ReadonlyMap<string, string>,
  size: number,
): void {
  const named = new Set<string>();
  for (const condition of conditions) {
    const failed = conditionFailure(condition, fields, size, named);
    if (failed) throw failed;
  }
  const extra = [...fields.keys()].filter(
    (name) =>
      name !== 'bucket' && !UNCHECKED_FIELDS.has(name) && !name.startsWith('x-ignore-') && !named.has(name),
  );
  if (extra.length) {
    throw new AwsApiError(
      'AccessDenied',
      `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`,
      403,
    );
  }
}

/** The refusal one condition calls for, or undefined; records the field it names in `named`. */
function conditionFailure(
  condition: unknown,
  fields: ReadonlyMap<string, string>,
  size: number,
  named: Set<string>,
): AwsApiError | undefined {
  const failed = () =>
    new AwsApiError(
      'AccessDenied',
      `Invalid according to Policy: Policy Condition failed: ${JSON.stringify(condition)}`,
      403,
    );
  if (Array.isArray(condition) && condition[0] === 'content-length-range') {
    const [, min, max] = condition;
    if (typeof min !== 'number' || typeof max !== 'number') return failed();
    if (size > max)
      return new AwsApiError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
    if (size < min)
      return new AwsApiError(
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed size',
      );
    return undefined;
  }
  // `{"key": "a"}` is short for `["eq", "$key", "a"]`.
  const entry = isRecord(condition) ? Object.entries(condition)[0] : undefined;
  const [operator, field, expected]: unknown[] = Array.isArray(condition)
    ? condition
    : ['eq', `$${entry?.[0] ?? ''}`, entry?.[1]];
  if (typeof field !== 'string' || typeof expected !== 'string') return failed();
  const name = field.replace(/^\$/, '').toLowerCase();
  named.add(name);
  const value = fields.get(name) ?? '';
  if (operator === 'eq') return value === expected ? undefined : failed();
  if (operator === 'starts-with') return value.startsWith(expected) ? undefined : failed();
  return failed();
}
