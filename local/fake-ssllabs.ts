/**
 * An in-process fake of the Qualys SSL Labs API v4 `analyze` call (plus `info`), on node:http, for the
 * offline runtime and tests. Same JSON shapes as the real API (see test/events/ssllabs/).
 *
 *   const fake = await startFakeSslLabs({ grades: { 'bad.example.com': 'B' } });
 *   process.env.SSLLABS_API_BASE = fake.url;   // http://127.0.0.1:<port>/api/v4
 *
 * Behaviour per host: `startNew=on` starts an assessment (status DNS), each later poll moves it on
 * (IN_PROGRESS with progress and eta) until it is READY after `pollsUntilReady` polls; a poll with no
 * assessment starts one, like the real API. The `email` header is required (400 without it; 441 when
 * `registeredEmails` is given and the email is not in it). A grade per host, or several (one endpoint
 * each), decides the result; special values:
 *   'DNS'          status ERROR, "Unable to resolve domain name"
 *   'UNREACHABLE'  an endpoint without a grade, "Unable to connect to the server"
 *   'NEVER'        the assessment stays IN_PROGRESS
 *   'BUSY'         every call for the host answers 529 (overloaded)
 * Like the real API it allows `maxAssessments` assessments in flight (default 25): every answer says
 * so in `X-Max-Assessments` and `X-Current-Assessments`, and a new assessment beyond it gets 429.
 * `stats()` tells the most it ever had in flight and how many 429s it sent (the renewal-wave bench).
 */

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { addressOf } from './net.ts';

export type FakeGrade = string;

export interface FakeSslLabsOptions {
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  listenHost?: string;
  grades?: Record<string, FakeGrade | FakeGrade[]>;
  defaultGrade?: FakeGrade;
  /** Polls after the start until READY (0: the start answers READY at once). */
  pollsUntilReady?: number;
  /** ETA in seconds reported for the endpoint under test while IN_PROGRESS. */
  etaSeconds?: number;
  /** When given, only these emails are "registered"; others get 441. */
  registeredEmails?: string[];
  /** Clock for startTime/testTime (ms since 1970). */
  now?: () => number;
  /** Assessments in flight at once (default 25); a new one beyond gets 429. */
  maxAssessments?: number;
  /** An assessment nobody polls to its end stops counting as in flight after this long (default 30 min). */
  abandonAfterMs?: number;
}

export interface FakeSslLabsStats {
  /** Assessments in flight now. */
  inFlight: number;
  /** The most assessments ever in flight at once. */
  maxInFlight: number;
  /** New assessments refused with 429 (over the maximum). */
  rejected429: number;
  /** Assessments started. */
  started: number;
}

export interface FakeSslLabsCall {
  host?: string;
  startNew: boolean;
  all?: string;
  email?: string;
  status: number;
}

export interface FakeSslLabs {
  /** API base URL to use as SSLLABS_API_BASE, e.g. http://127.0.0.1:54321/api/v4. */
  url: string;
  close(): Promise<void>;
  /** Grades for the next assessment of `host` (a READY report in the cache stays until a new start). */
  setGrade(host: string, grade: FakeGrade | FakeGrade[]): void;
  /** Every analyze call received, in order (for tests). */
  calls: FakeSslLabsCall[];
  stats(): FakeSslLabsStats;
}

interface Assessment {
  startTime: number;
  polls: number;
  grades: FakeGrade[];
  testTime?: number;
}

const ENGINE_VERSION = '2.3.1';
const CRITERIA_VERSION = '2009q';
const SPECIAL = new Set(['DNS', 'UNREACHABLE', 'NEVER', 'BUSY']);

/** Documentation addresses (RFC 5737): 203.0.113.10, .11, … one per endpoint. */
const endpointIp = (i: number) => `203.0.113.${10 + i}`;

export async function startFakeSslLabs(options: FakeSslLabsOptions = {}): Promise<FakeSslLabs> {
  const api = new FakeApi(options);
  const server = createServer((req, res) => api.handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.listenHost ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = addressOf(server);
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostPart}:${address.port}/api/v4`,
    calls: api.calls,
    stats: () => api.stats(),
    setGrade(host, grade) {
      api.grades.set(host.toLowerCase(), toList(grade));
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** The fake's state (assessments by host, calls) and its answers. */
class FakeApi {
  readonly grades = new Map<string, FakeGrade[]>();
  readonly calls: FakeSslLabsCall[] = [];
  private readonly assessments = new Map<string, Assessment>();
  private readonly defaultGrade: FakeGrade;
  private readonly pollsUntilReady: number;
  private readonly etaSeconds: number;
  private readonly registered: string[] | undefined;
  private readonly now: () => number;
  private readonly maxAssessments: number;
  private readonly abandonAfterMs: number;
  private maxInFlight = 0;
  private rejected429 = 0;
  private started = 0;

  constructor(options: FakeSslLabsOptions) {
    for (const [host, g] of Object.entries(options.grades ?? {}))
      this.grades.set(host.toLowerCase(), toList(g));
    this.defaultGrade = options.defaultGrade ?? 'A';
    this.pollsUntilReady = Math.max(0, options.pollsUntilReady ?? 2);
    this.etaSeconds = options.etaSeconds ?? 10;
    this.registered = options.registeredEmails?.map((e) => e.toLowerCase());
    this.now = options.now ?? Date.now;
    this.maxAssessments = options.maxAssessments ?? 25;
    this.abandonAfterMs = options.abandonAfterMs ?? 30 * 60_000;
  }

  /** Assessments started, not finished, and not abandoned. */
  inFlight(): number {
    const since = this.now() - this.abandonAfterMs;
    let n = 0;
    for (const a of this.assessments.values()) if (a.testTime === undefined && a.startTime >= since) n++;
    return n;
  }

  stats(): FakeSslLabsStats {
    return {
      inFlight: this.inFlight(),
      maxInFlight: this.maxInFlight,
      rejected429: this.rejected429,
      started: this.started,
    };
  }

  private send(res: ServerResponse, status: number, body: unknown, call?: FakeSslLabsCall): void {
    send(res, status, body, call, {
      'x-max-assessments': String(this.maxAssessments),
      'x-current-assessments': String(this.inFlight()),
    });
  }

  private gradesFor(host: string): FakeGrade[] {
    return this.grades.get(host) ?? [this.defaultGrade];
  }

  handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake-ssllabs');
    const path = url.pathname.replace(/\/+$/, '');
    const email = headerValue(req.headers.email);
    const call: FakeSslLabsCall = {
      ...(url.searchParams.get('host') ? { host: url.searchParams.get('host') ?? '' } : {}),
      startNew: url.searchParams.get('startNew') === 'on',
      ...(url.searchParams.get('all') ? { all: url.searchParams.get('all') ?? '' } : {}),
      ...(email ? { email } : {}),
      status: 0,
    };
    if (req.method !== 'GET') return this.send(res, 405, { errors: [{ message: 'Use GET' }] });
    if (path.endsWith('/info')) {
      return this.send(res, 200, {
        engineVersion: ENGINE_VERSION,
        criteriaVersion: CRITERIA_VERSION,
        maxAssessments: this.maxAssessments,
        currentAssessments: this.inFlight(),
        newAssessmentCoolOff: 1000,
        messages: ['This is a local fake of the SSL Labs API v4: no server is really tested.'],
      });
    }
    if (!path.endsWith('/analyze'))
      return this.send(res, 404, { errors: [{ message: `Unknown API call ${path}` }] });
    this.calls.push(call);
    if (!email) {
      return this.send(
        res,
        400,
        { errors: [{ field: 'email', message: 'The email header is mandatory' }] },
        call,
      );
    }
    if (this.registered && !this.registered.includes(email.toLowerCase())) {
      return this.send(
        res,
        441,
        { errors: [{ field: 'email', message: 'Unauthorized: the email is not registered' }] },
        call,
      );
    }
    this.analyze(url.searchParams, res, call);
  }

  private analyze(query: URLSearchParams, res: ServerResponse, call: FakeSslLabsCall): void {
    const host = query.get('host')?.trim().toLowerCase();
    if (!host) {
      this.send(res, 400, { errors: [{ field: 'host', message: 'qp.mandatory' }] }, call);
      return;
    }
    const startNew = query.get('startNew') === 'on';
    if (startNew && query.get('fromCache') === 'on') {
      this.send(res, 400, { errors: [{ field: 'fromCache', message: 'qp.startNew_and_fromCache' }] }, call);
      return;
    }
    if (this.gradesFor(host).includes('BUSY')) {
      this.send(
        res,
        529,
        { errors: [{ message: 'Running at full capacity. Please try again later.' }] },
        call,
      );
      return;
    }
    let a = this.assessments.get(host);
    const inProgress = a !== undefined && a.testTime === undefined;
    if (!a || (startNew && !inProgress)) {
      // A new assessment; an assessment in progress is returned as is, even with startNew=on.
      if (this.inFlight() >= this.maxAssessments) {
        this.rejected429 += 1;
        this.send(
          res,
          429,
          { errors: [{ message: `Concurrent assessment limit reached (${this.maxAssessments})` }] },
          call,
        );
        return;
      }
      a = { startTime: this.now(), polls: 0, grades: [...this.gradesFor(host)] };
      this.assessments.set(host, a);
      this.started += 1;
      this.maxInFlight = Math.max(this.maxInFlight, this.inFlight());
    } else if (!startNew && inProgress) {
      a.polls += 1;
    }
    this.send(res, 200, this.hostBody(host, a), call);
  }

  private hostBody(host: string, a: Assessment): Record<string, unknown> {
    const base = {
      host,
      port: 443,
      protocol: 'http',
      isPublic: false,
      startTime: a.startTime,
      engineVersion: ENGINE_VERSION,
      criteriaVersion: CRITERIA_VERSION,
    };
    const never = a.grades.includes('NEVER');
    const done = !never && a.polls >= this.pollsUntilReady;
    if (!done && a.polls === 0) return { ...base, status: 'DNS', statusMessage: 'Resolving domain names' };
    if (done && a.grades.includes('DNS')) {
      a.testTime ??= this.now();
      return {
        ...base,
        status: 'ERROR',
        statusMessage: 'Unable to resolve domain name',
        testTime: a.testTime,
        cacheExpiryTime: a.testTime + 600_000,
      };
    }
    if (!done) return { ...base, status: 'IN_PROGRESS', endpoints: this.inProgressEndpoints(host, a, never) };
    a.testTime ??= this.now();
    return {
      ...base,
      status: 'READY',
      testTime: a.testTime,
      endpoints: a.grades.map((g, i) => readyEndpoint(host, g, i)),
    };
  }

  /** Endpoints are tested one at a time: some done, one under way, the rest pending. */
  private inProgressEndpoints(host: string, a: Assessment, never: boolean): Record<string, unknown>[] {
    const span = never ? 1 : Math.max(1, this.pollsUntilReady);
    const overall = Math.min(0.99, a.polls / span);
    const current = Math.min(a.grades.length - 1, Math.floor(overall * a.grades.length));
    return a.grades.map((g, i) => {
      if (i < current) return readyEndpoint(host, g, i);
      if (i > current)
        return { ipAddress: endpointIp(i), statusMessage: 'Pending', progress: -1, eta: -1, delegation: 1 };
      const progress = Math.round(((overall * a.grades.length) % 1) * 100);
      return {
        ipAddress: endpointIp(i),
        serverName: `web-${i + 1}.${host}`,
        statusMessage: 'In progress',
        statusDetails: 'TESTING_PROTO_3_3',
        statusDetailsMessage: 'Testing TLS 1.3',
        progress,
        eta: this.etaSeconds,
        delegation: 1,
      };
    });
  }
}

function toList(grade: FakeGrade | FakeGrade[]): FakeGrade[] {
  const list = Array.isArray(grade) ? grade : [grade];
  return list.length ? list : ['A'];
}

function readyEndpoint(host: string, grade: FakeGrade, i: number): Record<string, unknown> {
  if (SPECIAL.has(grade)) {
    return {
      ipAddress: endpointIp(i),
      statusMessage: 'Unable to connect to the server',
      progress: -1,
      duration: 20_500,
      eta: -1,
      delegation: 1,
    };
  }
  return {
    ipAddress: endpointIp(i),
    serverName: `web-${i + 1}.${host}`,
    statusMessage: 'Ready',
    grade,
    gradeTrustIgnored: grade === 'T' ? 'A' : grade,
    hasWarnings: false,
    isExceptional: grade === 'A+',
    progress: 100,
    duration: 70_000 + i * 1_000,
    delegation: 1,
  };
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.trim() ? v.trim() : undefined;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  call?: FakeSslLabsCall,
  headers: Record<string, string> = {},
): void {
  if (call) call.status = status;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  res.end(json);
}
