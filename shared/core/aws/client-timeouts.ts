/**
 * Per attempt: 2 s to connect, 5 s for the whole request and response (thrown as TimeoutError, which
 * the SDK retries and shared/core/aws/transient.ts treats as transient). The SDK's default 3 attempts then
 * take at most about 3 × 7 s plus backoff: under API Gateway's 29 s and the 30 s Lambda timeout.
 */
export const CLIENT_TIMEOUTS = {
  connectionTimeout: 2_000,
  requestTimeout: 5_000,
  throwOnRequestTimeout: true,
} as const;
