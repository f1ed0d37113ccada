/**
 * The evidence store's S3 adapter: what it asks of S3 (the commands and their inputs, the presigned
 * POST's policy, the presigned GET's disposition) and how S3's answers become results or typed errors.
 * S3 is mocked here; test/unit/local/s3-stand-in.test.ts runs the same adapter against the stand-in.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, TransientError } from '#shared/core/errors.ts';
import {
  attachmentDisposition,
  DocumentStoreError,
  documentKeyProblem,
  documentStoreFor,
  MAX_PRESIGNED_SECONDS,
  s3DocumentStore,
} from '#shared/evidence/index.ts';

const BUCKET = 'software-request-documents';
const KEY = 'requests/req-1/dpa/signed.pdf';
const client = new S3Client({
  region: 'us-east-1',
  endpoint: 'http://127.0.0.1:9',
  forcePathStyle: true,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const s3Mock = mockClient(client);
const store = s3DocumentStore(client, BUCKET);

/** An S3 error as the SDK throws it (name, HTTP status). */
function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

function policyOf(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
}

beforeEach(() => {
  s3Mock.reset();
});

describe('uploadForm: a presigned POST for exactly one key', () => {
  it('pins the key, the size range, the redirect and the bucket in the signed policy', async () => {
    // Prepare
    const before = Date.now();

    // Act
    const form = await store.uploadForm({
      key: KEY,
      maxBytes: 10_000_000,
      redirectTo: 'https://district.example/requests/req-1/dpa/received',
      expiresInSeconds: 600,
    });

    // Assess
    expect(form.url).toBe(`http://127.0.0.1:9/${BUCKET}`);
    expect(form.fields).toMatchObject({
      key: KEY,
      bucket: BUCKET,
      success_action_redirect: 'https://district.example/requests/req-1/dpa/received',
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    });
    expect(form.fields['X-Amz-Signature']).toMatch(/^[0-9a-f]{64}$/);
    expect(form.fields).not.toHaveProperty('file');
    const policy = policyOf(form.fields);
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 10_000_000]);
    expect(policy.conditions).toContainEqual({ key: KEY });
    expect(policy.conditions).toContainEqual({ bucket: BUCKET });
    expect(policy.conditions).toContainEqual({
      success_action_redirect: 'https://district.example/requests/req-1/dpa/received',
    });
    const expires = Date.parse(policy.expiration);
    expect(expires).toBeGreaterThanOrEqual(before + 599_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it('pins the Content-Type when one is given', async () => {
    // Act
    const form = await store.uploadForm({
      key: KEY,
      maxBytes: 100,
      redirectTo: 'https://district.example/done?x=1',
      expiresInSeconds: 60,
      contentType: 'application/pdf',
    });

    // Assess
    expect(form.fields['Content-Type']).toBe('application/pdf');
    expect(policyOf(form.fields).conditions).toContainEqual({ 'Content-Type': 'application/pdf' });
  });

  it.each([
    ['maxBytes 0', { maxBytes: 0 }, /maxBytes/],
    ['maxBytes 1.5', { maxBytes: 1.5 }, /maxBytes/],
    ['expiresInSeconds 0', { expiresInSeconds: 0 }, /expiresInSeconds/],
    ['expiresInSeconds over 7 days', { expiresInSeconds: MAX_PRESIGNED_SECONDS + 1 }, /7 days/],
    ['a relative redirect', { redirectTo: '/done' }, /redirectTo/],
    ['a key with ..', { key: 'requests/../secrets' }, /segment/],
  ])('refuses %s with a DocumentStoreError', async (_, override, message) => {
    // Act
    const attempt = store.uploadForm({
      key: KEY,
      maxBytes: 100,
      redirectTo: 'https://district.example/done',
      expiresInSeconds: 60,
      ...override,
    });

    // Assess
    await expect(attempt).rejects.toThrow(DocumentStoreError);
    await expect(attempt).rejects.toThrow(message);
  });
});

describe('sizeOf, read, put, remove', () => {
  it('sizeOf answers HeadObject’s length, and undefined when S3 says NotFound', async () => {
    // Prepare
    s3Mock.on(HeadObjectCommand, { Key: KEY }).resolves({ ContentLength: 1234 });
    s3Mock.on(HeadObjectCommand, { Key: 'missing' }).rejects(s3Error('NotFound', 404));

    // Act + Assess
    expect(await store.sizeOf(KEY)).toBe(1234);
    expect(await store.sizeOf('missing')).toBeUndefined();
    expect(s3Mock.commandCalls(HeadObjectCommand)[0]?.args[0].input).toEqual({ Bucket: BUCKET, Key: KEY });
  });

  it('read answers undefined when S3 says NoSuchKey', async () => {
    // Prepare
    s3Mock.on(GetObjectCommand).rejects(s3Error('NoSuchKey', 404));

    // Act + Assess
    expect(await store.read(KEY)).toBeUndefined();
  });

  it('put sends the bytes with their content type; remove deletes the key', async () => {
    // Prepare
    s3Mock.on(PutObjectCommand).resolves({});
    s3Mock.on(DeleteObjectCommand).resolves({});
    const bytes = new Uint8Array([0, 255, 1, 254]);

    // Act
    await store.put(KEY, bytes, 'application/pdf');
    await store.remove(KEY);

    // Assess
    expect(s3Mock.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: KEY,
      Body: bytes,
      ContentType: 'application/pdf',
    });
    expect(s3Mock.commandCalls(DeleteObjectCommand)[0]?.args[0].input).toEqual({ Bucket: BUCKET, Key: KEY });
  });

  it('a throttled or failing S3 is a TransientError (retried), with S3’s error as the cause', async () => {
    // Prepare
    const throttled = s3Error('SlowDown', 503);
    s3Mock.on(PutObjectCommand).rejects(throttled);

    // Act
    const error = await store.put(KEY, new Uint8Array([1]), 'text/plain').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toHaveProperty('cause', throttled);
  });

  it('any other refusal is a DocumentStoreError naming the operation and the key', async () => {
    // Prepare
    const denied = s3Error('AccessDenied', 403);
    s3Mock.on(GetObjectCommand).rejects(denied);
    s3Mock.on(HeadObjectCommand).rejects(s3Error('NoSuchBucket', 404));

    // Act
    const error = await store.read(KEY).catch((e: unknown) => e);
    const noBucket = await store.sizeOf(KEY).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DocumentStoreError);
    expect(error).toMatchObject({ name: 'DocumentStoreError', operation: 'read', key: KEY, cause: denied });
    expect(String(error)).toContain('AccessDenied');
    expect(noBucket).toMatchObject({ name: 'DocumentStoreError', operation: 'sizeOf' });
  });
});

describe('downloadUrl: a presigned GET that downloads under the given name', () => {
  it('signs GetObject with an attachment disposition and the given lifetime', async () => {
    // Act
    const url = new URL(await store.downloadUrl(KEY, 'Signed DPA "Acme".pdf', 300));

    // Assess
    expect(url.pathname).toBe(`/${BUCKET}/${KEY}`);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('300');
    expect(url.searchParams.get('response-content-disposition')).toBe(
      `attachment; filename="Signed DPA _Acme_.pdf"; filename*=UTF-8''Signed%20DPA%20_Acme_.pdf`,
    );
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a lifetime over 7 days', async () => {
    await expect(store.downloadUrl(KEY, 'a.pdf', MAX_PRESIGNED_SECONDS + 1)).rejects.toThrow(
      DocumentStoreError,
    );
  });
});

describe('names and keys', () => {
  it.each([
    ['dpa.pdf', `attachment; filename="dpa.pdf"; filename*=UTF-8''dpa.pdf`],
    [
      'Contrat signé.pdf',
      `attachment; filename="Contrat sign_.pdf"; filename*=UTF-8''Contrat%20sign%C3%A9.pdf`,
    ],
    ['../../etc/passwd', `attachment; filename=".._.._etc_passwd"; filename*=UTF-8''.._.._etc_passwd`],
    ['a\r\nSet-Cookie: x', `attachment; filename="a__Set-Cookie: x"; filename*=UTF-8''a__Set-Cookie%3A%20x`],
    ['  ', `attachment; filename="document"; filename*=UTF-8''document`],
  ])('attachmentDisposition(%j)', (name, expected) => {
    expect(attachmentDisposition(name)).toBe(expected);
  });

  it.each([
    ['requests/req-1/dpa.pdf', undefined],
    ['', 'is empty'],
    ['/abs', 'starts with "/"'],
    ['a/../b', 'has an empty, "." or ".." segment'],
    ['a//b', 'has an empty, "." or ".." segment'],
    ['a\\b', 'holds a control character or a backslash'],
    ['x'.repeat(1025), 'is longer than S3 allows (1,024 bytes)'],
  ])('documentKeyProblem(%j) is %j', (key, problem) => {
    expect(documentKeyProblem(key)).toBe(problem);
  });

  it('documentStoreFor reads DOCUMENTS_BUCKET and names it when missing', () => {
    expect(() => documentStoreFor({})).toThrow(ConfigError);
    expect(() => documentStoreFor({})).toThrow('DOCUMENTS_BUCKET');
    expect(documentStoreFor({ DOCUMENTS_BUCKET: BUCKET }, client)).toHaveProperty('uploadForm');
  });
});
