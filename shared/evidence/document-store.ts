/**
 * The evidence documents in S3 (signed DPAs, privacy-policy snapshots, deletion certificates): one
 * bucket, one object per document. Browsers upload straight to S3 through a presigned POST (the file
 * never passes through API Gateway's 10 MB body or a Lambda's memory) and download through a presigned
 * GET; handlers read, write and remove with the S3 client of shared/core/aws/clients.ts.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { s3 } from '../core/aws/clients.ts';
import { asTransient } from '../core/aws/transient.ts';
import { type Env, requireEnv } from '../core/env.ts';
import { type DocumentOperation, DocumentStoreError } from './errors.ts';
import type { DocumentStore, StoredDocument, UploadForm, UploadFormInput } from './types.ts';

export type { DocumentStore, StoredDocument, UploadForm, UploadFormInput } from './types.ts';

/** SigV4 presigned URLs and POST policies live at most 7 days (S3 refuses a longer X-Amz-Expires). */
export const MAX_PRESIGNED_SECONDS = 7 * 24 * 3600;
/** A browser POST may carry at most 5 GB (S3's single-upload limit). */
export const MAX_UPLOAD_BYTES = 5 * 1024 ** 3;
/** What S3 stores as Content-Type when the upload named none. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/** DOCUMENTS_BUCKET: the evidence bucket (CDK sets it with the grant; the local runtime its stand-in's). */
export const readDocumentsBucket = (env: Env = process.env) => requireEnv('DOCUMENTS_BUCKET', env);

/** The deployed store: the shared S3 client and DOCUMENTS_BUCKET of `env`. */
export const documentStoreFor = (env: Env = process.env, client: S3Client = s3): DocumentStore =>
  s3DocumentStore(client, readDocumentsBucket(env));

/**
 * Why a key is refused, or undefined. Keys come from our own code (request ids, document kinds), never
 * from a file name; the check keeps a slip from writing outside the prefix it meant, on S3 or on the
 * local stand-in's disk.
 */
export function documentKeyProblem(key: string): string | undefined {
  if (key.length === 0) return 'is empty';
  if (Buffer.byteLength(key) > 1024) return 'is longer than S3 allows (1,024 bytes)';
  if (key.startsWith('/')) return 'starts with "/"';
  if (key.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    return 'has an empty, "." or ".." segment';
  }
  if (/[\p{Cc}\\]/u.test(key)) return 'holds a control character or a backslash';
  return undefined;
}

/**
 * `attachment` with the name twice: a plain ASCII `filename` for old browsers and the exact name as
 * RFC 6266 `filename*`. Quotes, slashes and control characters become `_`, so a vendor's file name
 * can neither end the header nor name a folder.
 */
export function attachmentDisposition(fileName: string): string {
  const cleaned = fileName.replace(/[\p{Cc}"\\/]/gu, '_').trim() || 'document';
  const ascii = cleaned.replace(/[^\x20-\x7e]/g, '_');
  const encoded = encodeURIComponent(cleaned).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function s3DocumentStore(client: S3Client, bucket: string): DocumentStore {
  /** Runs one S3 call for `key`; its failure becomes a TransientError or a DocumentStoreError. */
  const call = async <T>(operation: DocumentOperation, key: string, run: () => Promise<T>): Promise<T> => {
    checkKey(operation, key);
    try {
      return await run();
    } catch (error) {
      throw storeFailure(operation, key, error);
    }
  };

  return {
    uploadForm: (input) => call('uploadForm', input.key, () => uploadForm(client, bucket, input)),

    sizeOf: (key) =>
      call('sizeOf', key, async () => {
        try {
          const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          return head.ContentLength ?? 0;
        } catch (error) {
          if (isMissing(error)) return undefined;
          throw error;
        }
      }),

    read: (key) =>
      call('read', key, async (): Promise<StoredDocument | undefined> => {
        try {
          const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
          const bytes = got.Body ? await got.Body.transformToByteArray() : new Uint8Array();
          return { bytes, contentType: got.ContentType ?? DEFAULT_CONTENT_TYPE };
        } catch (error) {
          if (isMissing(error)) return undefined;
          throw error;
        }
      }),

    put: (key, bytes, contentType) =>
      call('put', key, async () => {
        await client.send(
          new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }),
        );
      }),

    remove: (key) =>
      call('remove', key, async () => {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }),

    downloadUrl: (key, fileName, expiresInSeconds) =>
      call('downloadUrl', key, () => {
        checkSeconds('downloadUrl', key, expiresInSeconds);
        const command = new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ResponseContentDisposition: attachmentDisposition(fileName),
        });
        return getSignedUrl(client, command, { expiresIn: expiresInSeconds });
      }),
  };
}

/**
 * The presigned POST. createPresignedPost turns every field (bucket, the signature's fields,
 * success_action_redirect, Content-Type) into an exact-match condition of the policy, and the key into
 * `{"key": …}`; the size range is ours. S3 then refuses any other key, size or redirect.
 */
async function uploadForm(client: S3Client, bucket: string, input: UploadFormInput): Promise<UploadForm> {
  const { key, maxBytes, redirectTo, expiresInSeconds, contentType } = input;
  if (!Number.isInteger(maxBytes) || maxBytes < 1 || maxBytes > MAX_UPLOAD_BYTES) {
    throw new DocumentStoreError(
      'uploadForm',
      key,
      `maxBytes must be 1..${MAX_UPLOAD_BYTES}, got ${maxBytes}`,
    );
  }
  checkSeconds('uploadForm', key, expiresInSeconds);
  if (!URL.canParse(redirectTo)) {
    throw new DocumentStoreError('uploadForm', key, 'redirectTo must be an absolute URL');
  }
  const { url, fields } = await createPresignedPost(client, {
    Bucket: bucket,
    Key: key,
    Conditions: [['content-length-range', 1, maxBytes]],
    Fields: {
      success_action_redirect: redirectTo,
      ...(contentType ? { 'Content-Type': contentType } : {}),
    },
    Expires: expiresInSeconds,
  });
  return { url, fields };
}

function checkKey(operation: DocumentOperation, key: string): void {
  const problem = documentKeyProblem(key);
  if (problem) throw new DocumentStoreError(operation, key, `the key ${problem}`);
}

function checkSeconds(operation: DocumentOperation, key: string, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGNED_SECONDS) {
    throw new DocumentStoreError(
      operation,
      key,
      `expiresInSeconds must be 1..${MAX_PRESIGNED_SECONDS} (7 days), got ${seconds}`,
    );
  }
}

/**
 * GetObject says NoSuchKey; HeadObject, which has no body to name it, says NotFound. (Without
 * s3:ListBucket S3 answers a missing key with 403, hence the grant in cdk/constructs/document-store.ts.)
 * NoSuchBucket is no missing document but a wrong DOCUMENTS_BUCKET: it stays an error.
 */
function isMissing(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');
}

function storeFailure(operation: DocumentOperation, key: string, error: unknown): Error {
  if (error instanceof DocumentStoreError) return error;
  const transient = asTransient(error, `Document store ${operation} of "${key}"`);
  if (transient !== error && transient instanceof Error) return transient;
  const name = error instanceof Error ? error.name : 'Error';
  return new DocumentStoreError(operation, key, `S3 answered ${name}`, { cause: error });
}
