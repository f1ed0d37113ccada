import { TransientError } from '../errors.ts';

const TRANSIENT_NAMES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
]);

/**
 * AWS SDK errors that a retry may cure become TransientError, which the state machine retries with
 * backoff; anything else is rethrown unchanged and goes to the error path.
 */
export function asTransient(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const meta = error as { $metadata?: { httpStatusCode?: number }; $retryable?: unknown; code?: string };
  const status = meta.$metadata?.httpStatusCode ?? 0;
  if (
    TRANSIENT_NAMES.has(error.name) ||
    TRANSIENT_NAMES.has(meta.code ?? '') ||
    status >= 500 ||
    meta.$retryable
  ) {
    return new TransientError(`${what} failed temporarily: ${error.name}`, { cause: error });
  }
  return error;
}
