import { TransientError } from '../errors.ts';
import { fieldOf } from '../guards.ts';

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
  const code = fieldOf(error, 'code');
  const httpStatus = fieldOf(fieldOf(error, '$metadata'), 'httpStatusCode');
  const status = typeof httpStatus === 'number' ? httpStatus : 0;
  if (
    TRANSIENT_NAMES.has(error.name) ||
    (typeof code === 'string' && TRANSIENT_NAMES.has(code)) ||
    status >= 500 ||
    fieldOf(error, '$retryable')
  ) {
    return new TransientError(`${what} failed temporarily: ${error.name}`, { cause: error });
  }
  return error;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn`, retrying a TransientError in the call itself after each wait of `backoffMs` (so
 * `backoffMs.length + 1` attempts); anything else, or the last failure, is thrown. `onFailure` hears
 * every failure first, and whether it will be retried.
 */
export async function retryTransient<T>(
  fn: () => Promise<T>,
  options: {
    backoffMs: readonly number[];
    sleep?: ((ms: number) => Promise<void>) | undefined;
    onFailure?: (error: unknown, attempt: number, retrying: boolean) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const wait = options.backoffMs[attempt - 1];
      const retrying = error instanceof TransientError && wait !== undefined;
      options.onFailure?.(error, attempt, retrying);
      if (!retrying) throw error;
      await (options.sleep ?? sleep)(wait);
    }
  }
}

/** The waits between the 4 attempts of a write that must follow a sent email. */
const AFTER_EMAIL_BACKOFF_MS = [100, 400, 1_000] as const;

/**
 * Runs the write that records an email went out, retrying a TransientError in the call itself. If it
 * failed, the state machine would retry the whole step and the email would go out twice; here four
 * attempts (each with the SDK's own retries) make that as unlikely as the store being down.
 */
export function retryAfterEmail<T>(
  write: () => Promise<T>,
  wait?: (ms: number) => Promise<void>,
): Promise<T> {
  return retryTransient(write, { backoffMs: AFTER_EMAIL_BACKOFF_MS, sleep: wait });
}
