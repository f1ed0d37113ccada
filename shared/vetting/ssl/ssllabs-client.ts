/**
 * Qualys SSL Labs API v4 client (SOP 5): only the `analyze` call the workflow needs.
 *
 * Protocol (ssllabs-api-docs-v4): every call carries the registered organisation email in an `email`
 * header; an assessment is started once with `startNew=on&all=done` and then polled without
 * `startNew` until the host status is READY or ERROR.
 *
 * Rate limits: 429 (too many requests / concurrent assessments), 503 (maintenance) and 529
 * (overloaded) are retried here a few times with exponential backoff and full jitter, within a small
 * time budget; if SSL Labs is still busy the caller gets a typed `busy` result with a suggested
 * cool-off, so the state machine waits in a Wait state instead of failing. Other 4xx answers
 * (400 invalid parameters, 441 email not registered) are permanent: SslLabsError. Network faults,
 * timeouts and other 5xx are TransientError (the state machine retries those).
 */

import { errorName, TransientError, WorkflowError } from '../../core/errors.ts';
import { fieldOf, isOneOf, isRecord } from '../../core/guards.ts';
import { SSLLABS_CLIENT_LIMITS } from './limits.ts';

export const DEFAULT_SSLLABS_API_BASE = 'https://api.ssllabs.com/api/v4';

export type SslLabsStatus = (typeof STATUSES)[number];

/** The Endpoint fields the workflow reads (the API sends many more; `details` is ignored). */
export interface SslLabsEndpoint {
  ipAddress: string;
  serverName?: string;
  /** "Ready" when the endpoint assessment succeeded; otherwise what went wrong or what is running. */
  statusMessage?: string;
  statusDetailsMessage?: string;
  grade?: string;
  gradeTrustIgnored?: string;
  hasWarnings?: boolean;
  isExceptional?: boolean;
  /** Percent done; -1 before the endpoint's test starts. */
  progress?: number;
  /** Milliseconds the endpoint assessment took. */
  duration?: number;
  /** Seconds until the endpoint's assessment completes; -1 or absent when unknown. */
  eta?: number;
  delegation?: number;
}

/** The Host object of `analyze`, parsed defensively. */
export interface SslLabsHost {
  host: string;
  port?: number;
  protocol?: string;
  status: SslLabsStatus;
  statusMessage?: string;
  /** Milliseconds since 1970. */
  startTime?: number;
  testTime?: number;
  endpoints: SslLabsEndpoint[];
}

export type BusyStatus = (typeof BUSY_STATUSES)[number];

/** What SSL Labs announces about this client's assessments on every answer (issue 22). */
export interface SslLabsCapacity {
  /** `X-Max-Assessments`: assessments this client may have in flight. */
  maxAssessments?: number;
  /** `X-Current-Assessments`: assessments this client has in flight now. */
  currentAssessments?: number;
}

export type AnalyzeResult = (
  | { kind: 'host'; host: SslLabsHost }
  | {
      kind: 'busy';
      httpStatus: BusyStatus;
      /** How long to wait before calling again (Retry-After when given, otherwise a floor per status). */
      retryAfterSeconds: number;
      message: string;
    }
) & { capacity?: SslLabsCapacity };

/** SSL Labs refused the call for good (bad parameters, email not registered): retrying will not help. */
export class SslLabsError extends WorkflowError {
  override name = 'SslLabsError';
  readonly httpStatus: number;
  constructor(message: string, httpStatus: number, options?: { cause?: unknown }) {
    super(message, options);
    this.httpStatus = httpStatus;
  }
}

export interface SslLabsClientOptions {
  /** e.g. https://api.ssllabs.com/api/v4 (no trailing slash needed). */
  baseUrl: string;
  /** The organisation email registered with SSL Labs (sent in the `email` header). */
  email: string;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** [0, 1): full-jitter source; injectable for tests. */
  random?: () => number;
  /** In-process retries after a busy answer (429/503/529). */
  maxRetries?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Upper bound on the total time slept between retries in one `analyze` call. */
  maxTotalDelayMs?: number;
  /** Per-request timeout. */
  requestTimeoutMs?: number;
}

const BUSY_STATUSES = [429, 503, 529] as const;
/** Suggested cool-off when SSL Labs gives no Retry-After (its docs suggest minutes for 503/529). */
const DEFAULT_COOL_OFF_SECONDS: Record<BusyStatus, number> = { 429: 30, 503: 300, 529: 300 };
/** Never come back sooner than this, whatever Retry-After says. */
const MIN_COOL_OFF_SECONDS: Record<BusyStatus, number> = { 429: 10, 503: 60, 529: 60 };
const MAX_COOL_OFF_SECONDS = 900;
const STATUSES = ['DNS', 'IN_PROGRESS', 'READY', 'ERROR'] as const;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SslLabsClient {
  private readonly baseUrl: string;
  private readonly email: string;
  private readonly fetchFn: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxTotalDelayMs: number;
  private readonly requestTimeoutMs: number;

  constructor(options: SslLabsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.email = options.email;
    this.fetchFn = options.fetch ?? ((...args) => fetch(...args));
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    // Defaults from shared/vetting/ssl/limits.ts, where the worst case is checked against the Lambda timeout.
    this.maxRetries = options.maxRetries ?? SSLLABS_CLIENT_LIMITS.maxRetries;
    this.baseDelayMs = options.baseDelayMs ?? SSLLABS_CLIENT_LIMITS.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? SSLLABS_CLIENT_LIMITS.maxDelayMs;
    this.maxTotalDelayMs = options.maxTotalDelayMs ?? SSLLABS_CLIENT_LIMITS.maxTotalDelayMs;
    this.requestTimeoutMs = options.requestTimeoutMs ?? SSLLABS_CLIENT_LIMITS.requestTimeoutMs;
  }

  /**
   * Starts (`startNew: true`, once per scan) or polls an assessment of `host`. Returns the Host object,
   * or `busy` when SSL Labs kept answering 429/503/529 through the in-process retries.
   */
  async analyze(host: string, options: { startNew: boolean }): Promise<AnalyzeResult> {
    const params = new URLSearchParams({ host, publish: 'off' });
    if (options.startNew) params.set('startNew', 'on');
    params.set('all', 'done');
    const url = `${this.baseUrl}/analyze?${params.toString()}`;

    let slept = 0;
    for (let attempt = 0; ; attempt++) {
      const response = await this.get(url);
      const capacity = readCapacity(response.headers);
      const announced = capacity ? { capacity } : {};
      if (response.ok) return { kind: 'host', host: parseHost(await readJson(response), host), ...announced };

      const status = response.status;
      if (isOneOf(BUSY_STATUSES, status)) {
        const busyStatus = status;
        const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
        const message = describeErrors(await readJsonOrUndefined(response)) ?? busyMessage(busyStatus);
        // Exponential backoff with full jitter, bounded by the retry count and the total sleep budget.
        const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
        const delay = Math.floor(this.random() * ceiling);
        const retryAfterFits = retryAfter === undefined || retryAfter * 1000 <= this.maxTotalDelayMs - slept;
        if (attempt < this.maxRetries && slept + delay <= this.maxTotalDelayMs && retryAfterFits) {
          const wait = retryAfter === undefined ? delay : Math.max(delay, retryAfter * 1000);
          slept += wait;
          await this.sleep(wait);
          continue;
        }
        const coolOff = Math.max(
          MIN_COOL_OFF_SECONDS[busyStatus],
          retryAfter ?? DEFAULT_COOL_OFF_SECONDS[busyStatus],
        );
        return {
          kind: 'busy',
          httpStatus: busyStatus,
          retryAfterSeconds: Math.min(coolOff, MAX_COOL_OFF_SECONDS),
          message,
          ...announced,
        };
      }

      const detail = describeErrors(await readJsonOrUndefined(response));
      if (status >= 500) {
        throw new TransientError(
          `SSL Labs answered HTTP ${status}${detail ? `: ${detail}` : ''}; the test will be retried`,
        );
      }
      if (status === 441) {
        throw new SslLabsError(
          `SSL Labs refused the request (HTTP 441): the email in SSLLABS_EMAIL is not registered with SSL Labs API v4${detail ? ` (${detail})` : ''}`,
          status,
        );
      }
      throw new SslLabsError(
        `SSL Labs rejected the request for ${host} (HTTP ${status})${detail ? `: ${detail}` : ''}`,
        status,
      );
    }
  }

  private async get(url: string): Promise<Response> {
    try {
      return await this.fetchFn(url, {
        method: 'GET',
        headers: { email: this.email, accept: 'application/json' },
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (cause) {
      const name = errorName(cause);
      const what = name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'could not be reached';
      throw new TransientError(`SSL Labs ${what}; the test will be retried`, { cause });
    }
  }
}

function busyMessage(status: BusyStatus): string {
  if (status === 429) return 'SSL Labs is rate limiting new assessments';
  if (status === 503) return 'SSL Labs is down for maintenance';
  return 'SSL Labs is overloaded';
}

async function readJson(response: Response): Promise<unknown> {
  let text: string;
  try {
    text = await response.text();
  } catch (cause) {
    throw new TransientError('SSL Labs response could not be read; the test will be retried', { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new TransientError('SSL Labs answered with something other than JSON; the test will be retried', {
      cause,
    });
  }
}

async function readJsonOrUndefined(response: Response): Promise<unknown> {
  try {
    return JSON.parse(await response.text());
  } catch {
    return undefined;
  }
}

/** `{"errors":[{"field":"host","message":"qp.mandatory"}]}` → "host: qp.mandatory". */
function describeErrors(body: unknown): string | undefined {
  const errors = fieldOf(body, 'errors');
  if (!Array.isArray(errors)) return undefined;
  const parts = errors
    .map((e) => {
      const field = typeof e?.field === 'string' ? e.field : undefined;
      const message = typeof e?.message === 'string' ? e.message : undefined;
      if (!message) return undefined;
      return field ? `${field}: ${message}` : message;
    })
    .filter((p): p is string => Boolean(p));
  return parts.length ? parts.join('; ').slice(0, 300) : undefined;
}

/** `X-Max-Assessments` / `X-Current-Assessments`, when SSL Labs sent them as whole numbers. */
export function readCapacity(headers: Headers): SslLabsCapacity | undefined {
  const count = (name: string) => {
    const value = headers.get(name)?.trim();
    return value && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const capacity = compact({
    maxAssessments: count('x-max-assessments'),
    currentAssessments: count('x-current-assessments'),
  });
  return Object.keys(capacity).length > 0 ? capacity : undefined;
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);

/** The object without its undefined fields (each is built here for this, so it is changed in place). */
function compact<T extends object>(o: T): T {
  for (const [key, value] of Object.entries(o)) if (value === undefined) Reflect.deleteProperty(o, key);
  return o;
}

/** Parses the Host object, keeping only fields of the expected types; an unknown status is a fault. */
export function parseHost(body: unknown, requestedHost: string): SslLabsHost {
  if (!isRecord(body)) {
    throw new TransientError('SSL Labs answered with an unexpected body; the test will be retried');
  }
  const b = body;
  const status = b.status;
  if (!isOneOf(STATUSES, status)) {
    throw new TransientError(
      `SSL Labs answered with an unknown assessment status "${String(status)}"; the test will be retried`,
    );
  }
  const endpoints = Array.isArray(b.endpoints) ? b.endpoints : [];
  return compact({
    host: str(b.host) ?? requestedHost,
    port: num(b.port),
    protocol: str(b.protocol),
    status,
    statusMessage: str(b.statusMessage),
    startTime: num(b.startTime),
    testTime: num(b.testTime),
    endpoints: endpoints
      .filter((e): e is Record<string, unknown> => Boolean(e) && typeof e === 'object')
      .map((e) =>
        compact({
          ipAddress: str(e.ipAddress) ?? 'unknown address',
          serverName: str(e.serverName),
          statusMessage: str(e.statusMessage),
          statusDetailsMessage: str(e.statusDetailsMessage),
          grade: str(e.grade),
          gradeTrustIgnored: str(e.gradeTrustIgnored),
          hasWarnings: bool(e.hasWarnings),
          isExceptional: bool(e.isExceptional),
          progress: num(e.progress),
          duration: num(e.duration),
          eta: num(e.eta),
          delegation: num(e.delegation),
        }),
      ),
  });
}
