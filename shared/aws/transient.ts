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

/** Attempts, and the waits between them, of a write that must follow a sent email. */
export const AFTER_EMAIL_ATTEMPTS = 4;
const AFTER_EMAIL_BACKOFF_MS = [100, 400, 1_000] as const;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs the write that records an email went out, retrying a TransientError in the call itself. If it
 * failed, the state machine would retry the whole step and the email would go out twice; here four
 * attempts (each with the SDK's own retries) make that as unlikely as the store being down.
 */
export async function retryAfterEmail<T>(
  write: () => Promise<T>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= AFTER_EMAIL_ATTEMPTS) throw error;
      await wait(AFTER_EMAIL_BACKOFF_MS[attempt - 1] ?? 1_000);
    }
  }
}
