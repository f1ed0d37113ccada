/**
 * The local S3 (local/aws/s3.ts) on the AWS stand-ins' server, spoken to as the product and a browser
 * speak to S3: the evidence store's adapter over the real @aws-sdk/client-s3, upload forms made by
 * @aws-sdk/s3-presigned-post and posted with fetch + FormData, presigned downloads fetched. Binary
 * bytes (every byte value) must come back as they went in.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boundaryOf, parseMultipart } from '#local/aws/multipart.ts';
import { decodeAwsChunked } from '#local/aws/s3.ts';
import { DOCUMENTS_BUCKET, handlerEnvironment } from '#local/config.ts';
import { type AwsStandIns, startAwsStandIns } from '#local/start/aws-stand-ins.ts';
import { type DocumentStore, documentStoreFor, s3DocumentStore } from '#shared/evidence/index.ts';

const REDIRECT = 'https://district.example/requests/req-1/dpa/received?step=dpa';

let dataDir: string;
let aws: AwsStandIns;
let client: S3Client;
let store: DocumentStore;

/** Every byte value, then some more: text decoding anywhere on the way would change them. */
const binary = (length = 4096) => Uint8Array.from({ length }, (_, i) => (i * 7 + 3) % 256);

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 's3-stand-in-'));
  aws = await startAwsStandIns({ dataDir, port: 0, invoke: async () => ({}), log: () => {}, users: [] });
  client = new S3Client({
    region: 'us-east-1',
    endpoint: aws.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  store = s3DocumentStore(client, DOCUMENTS_BUCKET);
});

afterAll(async () => {
  client.destroy();
  await aws.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Posts an upload form as a browser does: its fields, then the file named `file` last. */
async function post(form: { url: string; fields: Record<string, string> }, file: Uint8Array, extra = {}) {
  const body = new FormData();
  for (const [name, value] of Object.entries({ ...form.fields, ...extra })) body.append(name, value);
  body.append('file', new Blob([file], { type: 'application/pdf' }), 'signed dpa.pdf');
  const response = await fetch(form.url, { method: 'POST', body, redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), text: await response.text() };
}

const uploadForm = (key: string, maxBytes = 5000) =>
  store.uploadForm({
    key,
    maxBytes,
    redirectTo: REDIRECT,
    expiresInSeconds: 600,
    contentType: 'application/pdf',
  });

const onDisk = (key: string) => join(dataDir, 'documents', DOCUMENTS_BUCKET, key);

describe('the evidence store against the local S3', () => {
  it('puts, sizes, reads and removes a binary document', async () => {
    // Prepare
    const key = 'requests/req-1/dpa/signed.pdf';
    const bytes = binary();

    // Act
    await store.put(key, bytes, 'application/pdf');
    const size = await store.sizeOf(key);
    const read = await store.read(key);
    await store.remove(key);

    // Assess
    expect(size).toBe(bytes.length);
    expect(read?.contentType).toBe('application/pdf');
    expect(Buffer.from(read?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(await store.sizeOf(key)).toBeUndefined();
    expect(await store.read(key)).toBeUndefined();
    expect(existsSync(onDisk(key))).toBe(false);
  });

  it('keeps the bytes as a plain file and leaves no temporary file behind', async () => {
    // Prepare
    const key = 'requests/req-2/policy/2026-12-05.html';
    const bytes = binary(100);

    // Act
    await store.put(key, bytes, 'text/html');
    await store.put(key, bytes.slice(0, 50), 'text/html');

    // Assess
    expect(readFileSync(onDisk(key)).equals(Buffer.from(bytes.slice(0, 50)))).toBe(true);
    expect(readdirSync(join(dataDir, 'documents', DOCUMENTS_BUCKET, 'requests/req-2/policy'))).toEqual([
      '2026-12-05.html',
    ]);
  });

  it('answers the SDK’s own PutObject and GetObject (ETag, Content-Length, a streamed body)', async () => {
    // Act
    const put = await client.send(
      new PutObjectCommand({
        Bucket: DOCUMENTS_BUCKET,
        Key: 'plain.txt',
        Body: 'hello',
        ContentType: 'text/plain',
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: DOCUMENTS_BUCKET, Key: 'plain.txt' }));

    // Assess
    expect(put.ETag).toBe('"5d41402abc4b2a76b9719d911017c592"');
    expect(got.ContentLength).toBe(5);
    expect(await got.Body?.transformToString()).toBe('hello');
  });

  it('a handler’s store (the shared client, the local environment) reaches it through AWS_ENDPOINT_URL_S3', async () => {
    // Prepare: what the local runtime gives every handler.
    const env = handlerEnvironment({
      baseUrl: 'http://127.0.0.1:1',
      dynamodb: 'http://127.0.0.1:1',
      ses: 'http://127.0.0.1:1',
      aws: aws.url,
      sslLabsApiBase: 'http://127.0.0.1:1',
    });
    const names = ['AWS_ENDPOINT_URL_S3', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
    const saved = names.map((name) => [name, process.env[name]] as const);
    for (const name of names) process.env[name] = env[name];
    try {
      // Act
      const handlerStore = documentStoreFor(env);
      await handlerStore.put('requests/req-12/dpa.pdf', binary(10), 'application/pdf');
      const form = await handlerStore.uploadForm({
        key: 'incoming/req-12/dpa.pdf',
        maxBytes: 10,
        redirectTo: 'https://d.example/done',
        expiresInSeconds: 60,
      });

      // Assess
      expect(env.DOCUMENTS_BUCKET).toBe(DOCUMENTS_BUCKET);
      expect(await store.sizeOf('requests/req-12/dpa.pdf')).toBe(10);
      expect(form.url).toBe(`${aws.url}/${DOCUMENTS_BUCKET}`);
      expect((await post(form, binary(10))).status).toBe(303);
    } finally {
      for (const [name, value] of saved) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('refuses a key whose file would be another key’s folder, or the other way round', async () => {
    // Prepare
    await store.put('requests/req-13', binary(1), 'text/plain');
    await store.put('requests/req-14/dpa.pdf', binary(1), 'text/plain');

    // Act
    const under = await store
      .put('requests/req-13/dpa.pdf', binary(1), 'text/plain')
      .catch((e: unknown) => e);
    const over = await store.put('requests/req-14', binary(1), 'text/plain').catch((e: unknown) => e);

    // Assess
    expect(under).toMatchObject({ name: 'DocumentStoreError', cause: { name: 'InvalidArgument' } });
    expect(over).toMatchObject({ name: 'DocumentStoreError', cause: { name: 'InvalidArgument' } });
  });

  it('an unknown bucket is NoSuchBucket', async () => {
    const other = s3DocumentStore(client, 'no-such-bucket');
    await expect(other.read('x')).rejects.toMatchObject({
      name: 'DocumentStoreError',
      cause: { name: 'NoSuchBucket' },
    });
  });

  it('refuses a key that would leave the bucket’s folder', async () => {
    // Act: a raw request, since fetch and the SDK would resolve the dot segments themselves.
    const status = await new Promise<number>((resolve, reject) => {
      const url = new URL(aws.url);
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: `/${DOCUMENTS_BUCKET}/a/..%2F..%2Fescaped`,
        },
        (res) => resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end('x');
    });

    // Assess
    expect(status).toBe(400);
    expect(existsSync(join(dataDir, 'documents', 'escaped'))).toBe(false);
  });
});

describe('browser uploads (presigned POST)', () => {
  it('stores the file and sends the browser 303 to the redirect, with bucket, key and etag added', async () => {
    // Prepare
    const key = 'incoming/req-3/dpa.pdf';
    const bytes = binary(5000);

    // Act
    const answer = await post(await uploadForm(key), bytes);

    // Assess
    expect(answer.status).toBe(303);
    const location = new URL(answer.location ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(
      'https://district.example/requests/req-1/dpa/received',
    );
    expect(location.searchParams.get('step')).toBe('dpa');
    expect(location.searchParams.get('bucket')).toBe(DOCUMENTS_BUCKET);
    expect(location.searchParams.get('key')).toBe(key);
    expect(location.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    const stored = await store.read(key);
    expect(stored?.contentType).toBe('application/pdf');
    expect(Buffer.from(stored?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
  });

  it('uses ? when the redirect has no query', async () => {
    const form = await store.uploadForm({
      key: 'incoming/q.pdf',
      maxBytes: 10,
      redirectTo: 'https://d.example/done',
      expiresInSeconds: 60,
    });
    const answer = await post(form, binary(3));
    expect(answer.location).toMatch(/^https:\/\/d\.example\/done\?bucket=/);
    expect((await store.read('incoming/q.pdf'))?.contentType).toBe('binary/octet-stream');
  });

  it('one byte over the limit is EntityTooLarge and nothing is stored', async () => {
    // Act
    const answer = await post(await uploadForm('incoming/req-4/dpa.pdf'), binary(5001));

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>EntityTooLarge</Code>');
    expect(await store.sizeOf('incoming/req-4/dpa.pdf')).toBeUndefined();
  });

  it('a body past what the stand-ins read is EntityTooLarge too, not a failure', async () => {
    // Prepare
    const smallDir = mkdtempSync(join(tmpdir(), 's3-small-'));
    const small = await startAwsStandIns({
      dataDir: smallDir,
      port: 0,
      invoke: async () => ({}),
      log: () => {},
      users: [],
      maxBodyBytes: 1000,
    });
    const form = await uploadForm('incoming/req-15/dpa.pdf', 5000);

    // Act
    const answer = await post({ ...form, url: form.url.replace(aws.url, small.url) }, binary(2000)).finally(
      async () => {
        await small.close();
        rmSync(smallDir, { recursive: true, force: true });
      },
    );

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>EntityTooLarge</Code>');
  });

  it('an empty file is EntityTooSmall', async () => {
    const answer = await post(await uploadForm('incoming/req-5/dpa.pdf'), new Uint8Array());
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Code>EntityTooSmall</Code>');
  });

  it('another key than the signed one is refused, under either key', async () => {
    // Act
    const answer = await post(await uploadForm('incoming/req-6/dpa.pdf'), binary(10), {
      key: 'incoming/req-7/dpa.pdf',
    });

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('<Code>AccessDenied</Code>');
    expect(answer.text).toContain('Policy Condition failed');
    expect(await store.sizeOf('incoming/req-6/dpa.pdf')).toBeUndefined();
    expect(await store.sizeOf('incoming/req-7/dpa.pdf')).toBeUndefined();
  });

  it('an expired policy is refused', async () => {
    // Prepare: signed a minute after it expired.
    const form = await createPresignedPost(client, {
      Bucket: DOCUMENTS_BUCKET,
      Key: 'incoming/late.pdf',
      Expires: -60,
    });

    // Act
    const answer = await post(form, binary(10));

    // Assess
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('Policy expired');
    expect(await store.sizeOf('incoming/late.pdf')).toBeUndefined();
  });

  it('a policy changed after signing, or signed with another secret, does not match its signature', async () => {
    // Prepare
    const form = await uploadForm('incoming/req-8/dpa.pdf');
    const policy = JSON.parse(Buffer.from(form.fields.Policy ?? '', 'base64').toString('utf8'));
    policy.conditions.push(['content-length-range', 1, 10 ** 9]);
    const tampered = {
      ...form,
      fields: { ...form.fields, Policy: Buffer.from(JSON.stringify(policy)).toString('base64') },
    };
    const foreign = new S3Client({
      region: 'us-east-1',
      endpoint: aws.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'not-local' },
    });
    const foreignForm = await createPresignedPost(foreign, {
      Bucket: DOCUMENTS_BUCKET,
      Key: 'incoming/f.pdf',
    });

    // Act
    const answers = [await post(tampered, binary(10)), await post(foreignForm, binary(10))];

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(answer.text).toContain('<Code>SignatureDoesNotMatch</Code>');
    }
  });

  it('a field the policy does not name is refused', async () => {
    const answer = await post(await uploadForm('incoming/req-9/dpa.pdf'), binary(10), {
      'x-amz-meta-note': 'hi',
    });
    expect(answer.status).toBe(403);
    expect(answer.text).toContain('Extra input fields: x-amz-meta-note');
  });
});

describe('presigned downloads', () => {
  it('serves the bytes as an attachment under the given name', async () => {
    // Prepare
    const key = 'requests/req-10/certificate.pdf';
    const bytes = binary(2000);
    await store.put(key, bytes, 'application/pdf');

    // Act
    const response = await fetch(await store.downloadUrl(key, 'Deletion certificate.pdf', 60));

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="Deletion certificate.pdf"; filename*=UTF-8''Deletion%20certificate.pdf`,
    );
    expect(Buffer.from(await response.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses a URL past its time, and answers NoSuchKey for a missing document', async () => {
    // Prepare
    await store.put('requests/req-11/a.pdf', binary(10), 'application/pdf');
    const command = new GetObjectCommand({ Bucket: DOCUMENTS_BUCKET, Key: 'requests/req-11/a.pdf' });
    const expired = await getSignedUrl(client, command, {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 120_000),
    });

    // Act
    const late = await fetch(expired);
    const missing = await fetch(await store.downloadUrl('requests/none.pdf', 'none.pdf', 60));

    // Assess
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
  });
});

describe('the wire formats', () => {
  it('multipart: binary parts are cut by their boundary, never decoded', () => {
    // Prepare
    const file = Buffer.from([0, 13, 10, 45, 45, 255]);
    const body = Buffer.concat([
      Buffer.from('--b1\r\nContent-Disposition: form-data; name="key"\r\n\r\nk\r\n'),
      Buffer.from(
        '--b1\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: x/y\r\n\r\n',
      ),
      file,
      Buffer.from('\r\n--b1--\r\n'),
    ]);

    // Act
    const parts = parseMultipart(body, boundaryOf('multipart/form-data; boundary="b1"') ?? '');

    // Assess
    expect(parts?.map((p) => p.name)).toEqual(['key', 'file']);
    expect(parts?.[1]?.fileName).toBe('a.bin');
    expect(parts?.[1]?.data.equals(file)).toBe(true);
    expect(parseMultipart(Buffer.from('--b1\r\nno end'), 'b1')).toBeUndefined();
    expect(boundaryOf('application/json')).toBeUndefined();
  });

  it('aws-chunked: the chunks’ bytes, without signatures or trailers', () => {
    const body = Buffer.from(
      '3;chunk-signature=ab\r\nabc\r\n2\r\nde\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n',
    );
    expect(decodeAwsChunked(body).toString()).toBe('abcde');
  });
});
