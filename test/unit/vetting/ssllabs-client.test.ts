import { readFileSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { TransientError } from '#shared/core/errors.ts';
import { parseRetryAfter, SslLabsClient, SslLabsError } from '#shared/vetting/ssl/ssllabs-client.ts';

const EMAIL = 'security@district.example.org';
const BASE = 'https://api.ssllabs.example/api/v4';

const body = (name: string): unknown => JSON.parse(readFileSync(`test/events/ssllabs/${name}.json`, 'utf8'));

/** An HTTP answer recorded as { httpStatus, headers, body } in test/events/ssllabs/. */
function httpFixture(name: string): Response {
  const f = body(name) as { httpStatus: number; headers: Record<string, string>; body: unknown };
  return new Response(JSON.stringify(f.body), { status: f.httpStatus, headers: f.headers });
}

const ok = (name: string) => new Response(JSON.stringify(body(name)), { status: 200 });

interface Harness {
  client: SslLabsClient;
  fetch: ReturnType<typeof vi.fn>;
  sleeps: number[];
}

/** A client whose fetch answers the given responses in order and whose sleep only records. */
function harness(responses: (Response | Error)[], options: { random?: number } = {}): Harness {
  const queue = [...responses];
  const fetchFn = vi.fn(async (_url: string, _init?: RequestInit) => {
    const next = queue.shift();
    if (!next) throw new Error('unexpected extra call');
    if (next instanceof Error) throw next;
    return next;
  });
  const sleeps: number[] = [];
  const client = new SslLabsClient({
    baseUrl: `${BASE}/`,
    email: EMAIL,
    fetch: fetchFn as unknown as typeof fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => options.random ?? 0.5,
  });
  return { client, fetch: fetchFn, sleeps };
}

const calledUrl = (h: Harness, i = 0) => new URL(h.fetch.mock.calls[i]?.[0] as string);
const calledInit = (h: Harness, i = 0) => (h.fetch.mock.calls[i]?.[1] ?? {}) as RequestInit;
const calledHeaders = (h: Harness, i = 0) => calledInit(h, i).headers as Record<string, string>;

describe('SSL Labs API v4 analyze: start once, then poll', () => {
  it('starts an assessment with startNew=on&all=done and the registered email header', async () => {
    // Prepare
    const h = harness([ok('dns-resolving')]);

    // Act
    const result = await h.client.analyze('learn.example.com', { startNew: true });

    // Assess
    const url = calledUrl(h);
    expect(`${url.origin}${url.pathname}`).toBe(`${BASE}/analyze`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      host: 'learn.example.com',
      publish: 'off',
      startNew: 'on',
      all: 'done',
    });
    expect(calledHeaders(h)).toMatchObject({ email: EMAIL });
    expect(calledInit(h).method).toBe('GET');
    expect(result).toEqual({
      kind: 'host',
      host: {
        host: 'learn.example.com',
        port: 443,
        protocol: 'http',
        status: 'DNS',
        statusMessage: 'Resolving domain names',
        startTime: 1795860000000,
        endpoints: [],
      },
    });
  });

  it('polls without startNew (all=done), still sending the email header', async () => {
    const h = harness([ok('in-progress')]);

    await h.client.analyze('learn.example.com', { startNew: false });

    expect(calledUrl(h).searchParams.has('startNew')).toBe(false);
    expect(calledUrl(h).searchParams.get('all')).toBe('done');
    expect(calledHeaders(h)).toMatchObject({ email: EMAIL });
  });

  it('parses endpoints defensively: known fields kept, details and unknown fields dropped', async () => {
    const h = harness([ok('in-progress'), ok('ready-a-plus')]);

    const inProgress = await h.client.analyze('learn.example.com', { startNew: false });
    const ready = await h.client.analyze('learn.example.com', { startNew: false });

    expect(inProgress.kind === 'host' && inProgress.host.endpoints[1]).toEqual({
      ipAddress: '203.0.113.11',
      serverName: 'web-2.learn.example.com',
      statusMessage: 'In progress',
      statusDetailsMessage: 'Testing TLS 1.3',
      progress: 42,
      eta: 48,
      delegation: 1,
    });
    expect(ready.kind === 'host' && ready.host.endpoints).toEqual([
      {
        ipAddress: '203.0.113.10',
        serverName: 'web-1.learn.example.com',
        statusMessage: 'Ready',
        grade: 'A+',
        gradeTrustIgnored: 'A+',
        hasWarnings: false,
        isExceptional: true,
        progress: 100,
        duration: 71234,
        delegation: 1,
      },
    ]);
  });

  it('ignores wrongly typed fields instead of trusting them', async () => {
    const h = harness([
      new Response(
        JSON.stringify({
          status: 'READY',
          endpoints: [{ ipAddress: 7, grade: 5, eta: 'soon' }, null, 'x'],
        }),
      ),
    ]);

    const result = await h.client.analyze('learn.example.com', { startNew: false });

    expect(result).toEqual({
      kind: 'host',
      host: { host: 'learn.example.com', status: 'READY', endpoints: [{ ipAddress: 'unknown address' }] },
    });
  });
});

describe('SSL Labs busy (429, 503, 529): bounded backoff, then a cool-off instead of a failure', () => {
  it('retries a 429 after a jittered delay and returns the host once SSL Labs answers', async () => {
    const h = harness([new Response('{}', { status: 429 }), ok('in-progress')], { random: 0.5 });

    const result = await h.client.analyze('learn.example.com', { startNew: true });

    expect(result.kind).toBe('host');
    expect(h.sleeps).toEqual([500]);
    expect(h.fetch).toHaveBeenCalledTimes(2);
  });

  it('honours a short Retry-After on 429', async () => {
    const h = harness([httpFixture('rate-limited-429'), ok('in-progress')], { random: 0.1 });

    await h.client.analyze('learn.example.com', { startNew: true });

    expect(h.sleeps).toEqual([2000]);
  });

  it('backs off exponentially with full jitter on 529, then reports busy with a cool-off of minutes', async () => {
    const h = harness(
      [
        httpFixture('overloaded-529'),
        httpFixture('overloaded-529'),
        httpFixture('overloaded-529'),
        httpFixture('overloaded-529'),
      ],
      { random: 0.99 },
    );

    const result = await h.client.analyze('learn.example.com', { startNew: true });

    expect(h.sleeps).toEqual([990, 1980, 3960]);
    expect(h.fetch).toHaveBeenCalledTimes(4);
    expect(result).toEqual({
      kind: 'busy',
      httpStatus: 529,
      retryAfterSeconds: 300,
      message: 'Running at full capacity. Please try again later.',
    });
  });

  it('keeps the total sleep within its budget when Retry-After is long', async () => {
    const busy = () => new Response('', { status: 529, headers: { 'Retry-After': '8' } });
    const h = harness([busy(), busy(), busy()]);

    const result = await h.client.analyze('learn.example.com', { startNew: false });

    expect(h.sleeps).toEqual([8000, 8000]);
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(20_000);
    expect(result).toMatchObject({ kind: 'busy', httpStatus: 529, retryAfterSeconds: 60 });
  });

  it('does not sleep in-process when 503 asks for longer than the budget; the cool-off honours Retry-After', async () => {
    const h = harness([
      new Response('<html>Maintenance</html>', { status: 503, headers: { 'Retry-After': '600' } }),
    ]);

    const result = await h.client.analyze('learn.example.com', { startNew: false });

    expect(h.sleeps).toEqual([]);
    expect(result).toEqual({
      kind: 'busy',
      httpStatus: 503,
      retryAfterSeconds: 600,
      message: 'SSL Labs is down for maintenance',
    });
  });

  it('caps a very long Retry-After at 15 minutes', async () => {
    const h = harness([new Response('', { status: 503, headers: { 'Retry-After': '86400' } })]);

    const result = await h.client.analyze('learn.example.com', { startNew: false });

    expect(result).toMatchObject({ kind: 'busy', retryAfterSeconds: 900 });
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-28T10:00:00Z');

    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Sat, 28 Nov 2026 10:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe('SSL Labs refusals and faults', () => {
  it('turns 400 (invalid parameters) into a permanent SslLabsError with the API message', async () => {
    const h = harness([httpFixture('invalid-host-400')]);

    const error = await h.client.analyze('learn.example.com', { startNew: true }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SslLabsError);
    expect(error).toMatchObject({
      name: 'SslLabsError',
      httpStatus: 400,
      message: 'SSL Labs rejected the request for learn.example.com (HTTP 400): host: qp.mandatory',
    });
    expect(h.sleeps).toEqual([]);
  });

  it('turns 441 (email not registered) into an SslLabsError that names SSLLABS_EMAIL', async () => {
    const h = harness([httpFixture('not-registered-441')]);

    const error = await h.client.analyze('learn.example.com', { startNew: true }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SslLabsError);
    expect((error as Error).message).toContain('SSLLABS_EMAIL is not registered with SSL Labs API v4');
  });

  it('treats a 500 as transient (the state machine retries it)', async () => {
    const h = harness([new Response('oops', { status: 500 })]);

    await expect(h.client.analyze('learn.example.com', { startNew: false })).rejects.toMatchObject({
      name: 'TransientError',
      message: 'SSL Labs answered HTTP 500; the test will be retried',
    });
  });

  it('treats a network failure as transient', async () => {
    const h = harness([new TypeError('fetch failed')]);

    const error = await h.client.analyze('learn.example.com', { startNew: false }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toBe('SSL Labs could not be reached; the test will be retried');
  });

  it('treats a timeout as transient', async () => {
    const timeout = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    const h = harness([timeout as unknown as Error]);

    await expect(h.client.analyze('learn.example.com', { startNew: false })).rejects.toMatchObject({
      name: 'TransientError',
      message: 'SSL Labs timed out; the test will be retried',
    });
  });

  it('treats a body that is not JSON, or an unknown status, as transient', async () => {
    const h = harness([
      new Response('<html>proxy error</html>', { status: 200 }),
      new Response(JSON.stringify({ status: 'WEIRD' }), { status: 200 }),
    ]);

    await expect(h.client.analyze('a.example.com', { startNew: false })).rejects.toBeInstanceOf(
      TransientError,
    );
    await expect(h.client.analyze('a.example.com', { startNew: false })).rejects.toThrow(
      'unknown assessment status "WEIRD"',
    );
  });
});
