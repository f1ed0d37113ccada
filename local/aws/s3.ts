/**
 * S3, locally (AWS_ENDPOINT_URL_S3, path-style): the evidence bucket's objects on disk
 * (local/aws/s3-disk.ts). What the product uses of S3, as S3 answers it:
 *   POST   /<bucket>        a browser's upload form (local/aws/s3-post.ts checks its signed policy)
 *   PUT    /<bucket>/<key>  PutObject
 *   GET    /<bucket>/<key>  GetObject, also through a presigned URL (response-content-* honoured)
 *   HEAD   /<bucket>/<key>  HeadObject
 *   DELETE /<bucket>/<key>  DeleteObject
 * Errors are S3's XML. A POST policy's signature is checked with the local secret key; the SDK's
 * header signatures are not (as the other stand-ins), but a presigned URL past its time is refused.
 */
import { randomUUID } from 'node:crypto';
import type { SimpleRequest, SimpleResponse } from '../http-types.ts';
import { boundaryOf, parseMultipart } from './multipart.ts';
import { AwsApiError } from './protocol.ts';
import { DEFAULT_CONTENT_TYPE, ObjectFiles, type StoredObject, unsafeKeyProblem } from './s3-disk.ts';
import { acceptPostForm } from './s3-post.ts';

export interface S3StandInOptions {
  dataDir: string;
  /** The buckets that exist (DOCUMENTS_BUCKET); any other answers NoSuchBucket. */
  buckets: readonly string[];
  /** The secret key handlers sign with locally (AWS_SECRET_ACCESS_KEY). */
  secretKey: string;
  /** Wall-clock time: presigned forms and URLs are signed with the handlers' own clock. Tests move it. */
  now?: () => number;
}

/** The `response-*` query parameters of GetObject and the headers they set. */
const RESPONSE_OVERRIDES = {
  'response-content-type': 'Content-Type',
  'response-content-disposition': 'Content-Disposition',
  'response-content-language': 'Content-Language',
  'response-content-encoding': 'Content-Encoding',
  'response-cache-control': 'Cache-Control',
  'response-expires': 'Expires',
} as const;

export class S3StandIn {
  readonly #files: ObjectFiles;
  readonly #buckets: ReadonlySet<string>;
  readonly #secretKey: string;
  readonly #now: () => number;

  constructor(options: S3StandInOptions) {
    this.#files = new ObjectFiles(options.dataDir);
    this.#buckets = new Set(options.buckets);
    this.#secretKey = options.secretKey;
    this.#now = options.now ?? Date.now;
  }

  /** Answers a request signed for S3 or addressed to one of its buckets; undefined for anything else. */
  handle(request: SimpleRequest): SimpleResponse | undefined {
    const [, bucket = '', ...rest] = request.path.split('/');
    if (!this.#buckets.has(bucket) && !signedForS3(request)) return undefined;
    let key = '';
    try {
      key = decodedKey(rest);
      if (!this.#buckets.has(bucket)) {
        throw new AwsApiError('NoSuchBucket', 'The specified bucket does not exist', 404);
      }
      return this.operation(request, bucket, key);
    } catch (error) {
      if (!(error instanceof AwsApiError)) throw error;
      return s3Error(error, request.method === 'HEAD', { BucketName: bucket, ...(key ? { Key: key } : {}) });
    }
  }

  /** The answer to a body past what the stand-ins read (S3's own limit for one upload is 5 GB). */
  entityTooLarge(maxBytes: number): SimpleResponse {
    const error = new AwsApiError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
    const answer = s3Error(error, false, { MaxSizeAllowed: String(maxBytes) });
    // The rest of the body is not read: the connection cannot carry another request.
    return { ...answer, headers: { ...answer.headers, Connection: 'close' } };
  }

  private operation(request: SimpleRequest, bucket: string, key: string): SimpleResponse {
    if (request.method === 'POST' && key === '') return this.postObject(request, bucket);
    if (key === '') throw new AwsApiError('NotImplemented', 'Only object calls are supported locally', 501);
    const problem = unsafeKeyProblem(key);
    if (problem) throw new AwsApiError('InvalidArgument', `The local S3 refuses keys with ${problem}`);
    this.refuseExpiredUrl(request.query);
    switch (request.method) {
      case 'PUT':
        return this.putObject(request, bucket, key);
      case 'GET':
      case 'HEAD':
        return this.getObject(request, bucket, key);
      case 'DELETE':
        this.#files.delete(bucket, key);
        return { status: 204, headers: requestIdHeaders() };
      default:
        throw new AwsApiError(
          'MethodNotAllowed',
          'The specified method is not allowed against this resource.',
          405,
        );
    }
  }

  private putObject(request: SimpleRequest, bucket: string, key: string): SimpleResponse {
    const raw = request.raw ?? Buffer.from(request.body, 'utf8');
    const bytes = isAwsChunked(request.headers) ? decodeAwsChunked(raw) : raw;
    const contentType = headerOf(request.headers, 'content-type') || DEFAULT_CONTENT_TYPE;
    const etag = this.#files.put(bucket, key, bytes, contentType);
    return { status: 200, headers: { ...requestIdHeaders(), ETag: etag } };
  }

  private getObject(request: SimpleRequest, bucket: string, key: string): SimpleResponse {
    const stored = this.#files.get(bucket, key);
    if (!stored) throw new AwsApiError('NoSuchKey', 'The specified key does not exist.', 404);
    const headers: Record<string, string> = { ...requestIdHeaders(), ...objectHeaders(stored) };
    for (const [parameter, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = request.query.get(parameter);
      if (value !== null) headers[header] = value;
    }
    // HEAD: the headers GET would send (Content-Length included), no body (node sends none for HEAD).
    return request.method === 'HEAD' ? { status: 200, headers } : { status: 200, headers, raw: stored.bytes };
  }

  /** POST Object: the multipart form, its policy checked; then 303 to the redirect, or 201/200/204. */
  private postObject(request: SimpleRequest, bucket: string): SimpleResponse {
    const boundary = boundaryOf(headerOf(request.headers, 'content-type'));
    const parts = boundary
      ? parseMultipart(request.raw ?? Buffer.from(request.body, 'utf8'), boundary)
      : undefined;
    if (!parts) {
      throw new AwsApiError(
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
      );
    }
    const upload = acceptPostForm(bucket, parts, { now: this.#now(), secretKey: this.#secretKey });
    const problem = unsafeKeyProblem(upload.key);
    if (problem) throw new AwsApiError('InvalidArgument', `The local S3 refuses keys with ${problem}`);
    const etag = this.#files.put(
      bucket,
      upload.key,
      upload.bytes,
      upload.contentType ?? DEFAULT_CONTENT_TYPE,
    );
    const headers = { ...requestIdHeaders(), ETag: etag };
    if (upload.redirect && URL.canParse(upload.redirect)) {
      const joiner = upload.redirect.includes('?') ? '&' : '?';
      const query = new URLSearchParams({ bucket, key: upload.key, etag }).toString();
      return { status: 303, headers: { ...headers, Location: `${upload.redirect}${joiner}${query}` } };
    }
    if (upload.successStatus === '200' || upload.successStatus === '201') {
      const body = upload.successStatus === '201' ? postResponse(bucket, upload.key, etag) : '';
      return {
        status: Number(upload.successStatus),
        headers: { ...headers, 'Content-Type': 'application/xml' },
        body,
      };
    }
    return { status: 204, headers };
  }

  /** A presigned URL (X-Amz-Date + X-Amz-Expires in the query) past its time: 403, as S3 answers. */
  private refuseExpiredUrl(query: URLSearchParams): void {
    const date = query.get('X-Amz-Date');
    const expiresIn = query.get('X-Amz-Expires');
    if (!date || expiresIn === null) return;
    const expires = Number(expiresIn);
    const signedAt = Date.parse(
      date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    if (!Number.isFinite(signedAt))
      throw new AwsApiError(
        'AuthorizationQueryParametersError',
        "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
      );
    if (signedAt + expires * 1000 < this.#now())
      throw new AwsApiError('AccessDenied', 'Request has expired', 403);
  }
}

/** The key of the path's segments after the bucket, each percent-decoded. */
function decodedKey(segments: readonly string[]): string {
  try {
    return segments.map((part) => decodeURIComponent(part)).join('/');
  } catch {
    throw new AwsApiError('InvalidURI', "Couldn't parse the specified URI.");
  }
}

/** Signed for S3: the credential scope (header or presigned query) names the `s3` service. */
function signedForS3(request: SimpleRequest): boolean {
  const scope = `${headerOf(request.headers, 'authorization')} ${request.query.get('X-Amz-Credential') ?? ''}`;
  return /\/s3\/aws4_request/.test(scope);
}

function headerOf(headers: SimpleRequest['headers'], name: string): string {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
}

function objectHeaders(stored: StoredObject): Record<string, string> {
  return {
    'Content-Type': stored.contentType,
    'Content-Length': String(stored.bytes.length),
    ETag: stored.etag,
    'Last-Modified': stored.lastModified.toUTCString(),
    'Accept-Ranges': 'bytes',
  };
}

function requestIdHeaders(): Record<string, string> {
  return { 'x-amz-request-id': randomUUID(), 'x-amz-id-2': randomUUID() };
}

/** An SDK streaming upload (aws-chunked, a checksum trailer): the bytes are sent in signed chunks. */
function isAwsChunked(headers: SimpleRequest['headers']): boolean {
  return (
    headerOf(headers, 'content-encoding').includes('aws-chunked') ||
    headerOf(headers, 'x-amz-content-sha256').startsWith('STREAMING-')
  );
}

/** `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` … until a 0-size chunk; the trailers after it are dropped. */
export function decodeAwsChunked(body: Buffer): Buffer {
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) throw new AwsApiError('IncompleteBody', 'The request body ended inside a chunk header.');
    const size = Number.parseInt(body.subarray(at, lineEnd).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0)
      throw new AwsApiError('InvalidChunkSizeError', 'Invalid chunk size');
    if (size === 0) return Buffer.concat(chunks);
    const start = lineEnd + 2;
    if (start + size > body.length)
      throw new AwsApiError('IncompleteBody', 'The request body ended inside a chunk.');
    chunks.push(body.subarray(start, start + size));
    at = start + size + 2;
  }
}

const escapeXml = (text: string) =>
  text.replace(/[<>&'"]/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', "'": 'apos', '"': 'quot' }[c]};`);

function xmlElements(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join('');
}

function postResponse(bucket: string, key: string, etag: string): string {
  const fields = xmlElements({ Bucket: bucket, Key: key, ETag: etag });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse>${fields}</PostResponse>`;
}

/** S3's error: `<Error><Code>…</Code><Message>…</Message>…</Error>`; a HEAD answer has no body. */
function s3Error(error: AwsApiError, head: boolean, context: Record<string, string>): SimpleResponse {
  const requestId = randomUUID();
  const headers = { 'x-amz-request-id': requestId, 'Content-Type': 'application/xml' };
  if (head) return { status: error.status, headers };
  const fields = xmlElements({ Code: error.type, Message: error.message, ...context, RequestId: requestId });
  return {
    status: error.status,
    headers,
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error>${fields}</Error>`,
  };
}
