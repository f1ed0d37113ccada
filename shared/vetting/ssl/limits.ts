/**
 * The time limits of one check-ssl invocation, in one place: the SSL Labs client's defaults
 * (shared/vetting/ssl/ssllabs-client.ts), the Lambda timeout CDK sets (cdk/stack.ts), and the bound the
 * state machine's SSL task states must respect (their TimeoutSeconds must be at least the Lambda's).
 */

/** The SSL Labs client's per-call limits (the defaults of SslLabsClient). */
export const SSLLABS_CLIENT_LIMITS = {
  /** Per HTTP request (fetch, headers and body), enforced with AbortSignal.timeout. */
  requestTimeoutMs: 10_000,
  /** In-process retries after a busy answer (429/503/529): at most 1 + maxRetries requests. */
  maxRetries: 3,
  /** Exponential backoff with full jitter: base and cap of one delay. */
  baseDelayMs: 1_000,
  maxDelayMs: 8_000,
  /** Upper bound on the total time slept between retries in one `analyze` call (Retry-After included). */
  maxTotalDelayMs: 20_000,
} as const;

export type SslLabsClientLimits = {
  requestTimeoutMs: number;
  maxRetries: number;
  maxTotalDelayMs: number;
};

/**
 * The longest one `analyze` call can take: every attempt hits the request timeout and the retries
 * sleep the whole backoff budget. check-ssl makes one `analyze` call per invocation.
 */
export function sslLabsWorstCaseMs(limits: SslLabsClientLimits = SSLLABS_CLIENT_LIMITS): number {
  return limits.requestTimeoutMs * (limits.maxRetries + 1) + limits.maxTotalDelayMs;
}

/**
 * The check-ssl Lambda timeout (cdk/stack.ts sets exactly this). The client's worst case (60 s) is at
 * most half of it, which leaves the other half for the cold start and the DynamoDB reads and writes
 * around the call. The SSL task states' TimeoutSeconds in the ASL must be at least this value, so a
 * slow invocation ends as a Lambda timeout (retried) rather than as an orphaned States.Timeout.
 */
export const CHECK_SSL_LAMBDA_TIMEOUT_SECONDS = 120;

/** The share of the Lambda timeout the client may use at worst. */
export const SSLLABS_MAX_SHARE_OF_LAMBDA_TIMEOUT = 0.5;
