/**
 * What the local AWS stand-ins share of the AWS wire protocols: one error type, the answers of the
 * AWS JSON protocol (`X-Amz-Target`, Step Functions 1.0, EventBridge 1.1) and of REST-JSON (Scheduler),
 * and paging over a list.
 */
import { randomUUID } from 'node:crypto';
import type { SimpleResponse } from '../http-types.ts';

/** An error a stand-in answers with its HTTP status and its AWS error type (`__type`, x-amzn-ErrorType). */
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export type AwsJsonVersion = '1.0' | '1.1';

/** An AWS JSON protocol answer (with a request id, and the error type when it is an error). */
export function awsJson(
  status: number,
  body: unknown,
  errorType?: string,
  version: AwsJsonVersion = '1.0',
): SimpleResponse {
  return {
    status,
    headers: {
      'Content-Type': `application/x-amz-json-${version}`,
      'x-amzn-RequestId': randomUUID(),
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    },
    body: JSON.stringify(body),
  };
}

/** An AwsApiError in the AWS JSON protocol: `{ __type, message }`. */
export function awsJsonError(error: AwsApiError, version: AwsJsonVersion = '1.0'): SimpleResponse {
  return awsJson(error.status, { __type: error.type, message: error.message }, error.type, version);
}

/** The operation an AWS JSON request names (`X-Amz-Target: <prefix>.<Operation>`), or undefined. */
export function awsJsonOperation(headers: Record<string, unknown>, prefix: string): string | undefined {
  const target = String(headers['x-amz-target'] ?? '');
  return target.startsWith(`${prefix}.`) ? target.slice(prefix.length + 1) : undefined;
}

/** A REST-JSON success answer. */
export function restJson(body: unknown): SimpleResponse {
  return {
    status: 200,
    headers: { 'Content-Type': 'application/json', 'x-amzn-RequestId': randomUUID() },
    body: JSON.stringify(body),
  };
}

/** An AwsApiError in REST-JSON: `{ Message }` and the type in x-amzn-ErrorType. */
export function restJsonError(error: AwsApiError): SimpleResponse {
  return {
    status: error.status,
    headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.type },
    body: JSON.stringify({ Message: error.message }),
  };
}

/** `size` items from `start`, and where the next page starts when there is one. */
export function pageAt<T>(items: T[], start: number, size: number): { page: T[]; next?: number } {
  const page = items.slice(start, start + size);
  return start + size < items.length ? { page, next: start + size } : { page };
}

/** Step Functions paging: at most `maxResults` (1–1000, default 100), opaque base64url next tokens. */
export function paginate<T>(
  items: T[],
  maxResults = 100,
  nextToken?: string,
): { page: T[]; nextToken?: string } {
  const size = Math.min(Math.max(maxResults || 100, 1), 1000);
  let start = 0;
  if (nextToken) {
    start = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      throw new AwsApiError('InvalidToken', 'Invalid Token: nextToken');
  }
  const { page, next } = pageAt(items, start, size);
  return next !== undefined ? { page, nextToken: Buffer.from(String(next)).toString('base64url') } : { page };
}
