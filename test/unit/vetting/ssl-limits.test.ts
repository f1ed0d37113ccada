import { describe, expect, it } from 'vitest';
import {
  CHECK_SSL_LAMBDA_TIMEOUT_SECONDS,
  SSLLABS_CLIENT_LIMITS,
  SSLLABS_MAX_SHARE_OF_LAMBDA_TIMEOUT,
  sslLabsWorstCaseMs,
} from '#shared/vetting/ssl/limits.ts';
import { SslLabsClient } from '#shared/vetting/ssl/ssllabs-client.ts';

describe('check-ssl fits its Lambda timeout', () => {
  it('the SSL Labs client worst case (timeout × attempts + total backoff) is at most half the Lambda timeout', () => {
    // Act
    const worstCaseMs =
      SSLLABS_CLIENT_LIMITS.requestTimeoutMs * (SSLLABS_CLIENT_LIMITS.maxRetries + 1) +
      SSLLABS_CLIENT_LIMITS.maxTotalDelayMs;

    // Assess
    expect(sslLabsWorstCaseMs()).toBe(worstCaseMs);
    expect(worstCaseMs).toBe(60_000);
    expect(worstCaseMs).toBeLessThanOrEqual(
      CHECK_SSL_LAMBDA_TIMEOUT_SECONDS * 1000 * SSLLABS_MAX_SHARE_OF_LAMBDA_TIMEOUT,
    );
  });

  it('the client uses those limits by default: at most 1 + maxRetries requests and maxTotalDelayMs of sleep', async () => {
    // Prepare: SSL Labs stays busy and asks for 7 s each time, the jitter is at its maximum
    let calls = 0;
    const sleeps: number[] = [];
    const client = new SslLabsClient({
      baseUrl: 'https://api.ssllabs.example/api/v4',
      email: 'security@district.example.org',
      fetch: (async () => {
        calls++;
        return new Response('', { status: 529, headers: { 'Retry-After': '7' } });
      }) as unknown as typeof fetch,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.999,
    });

    // Act
    const result = await client.analyze('learn.example.com', { startNew: false });

    // Assess
    expect(result.kind).toBe('busy');
    expect(calls).toBeLessThanOrEqual(SSLLABS_CLIENT_LIMITS.maxRetries + 1);
    expect(sleeps.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(SSLLABS_CLIENT_LIMITS.maxTotalDelayMs);
  });

  it('a fast busy loop stops after exactly 1 + maxRetries requests', async () => {
    // Prepare
    let calls = 0;
    const client = new SslLabsClient({
      baseUrl: 'https://api.ssllabs.example/api/v4',
      email: 'security@district.example.org',
      fetch: (async () => {
        calls++;
        return new Response('', { status: 429 });
      }) as unknown as typeof fetch,
      sleep: async () => {},
      random: () => 0,
    });

    // Act
    await client.analyze('learn.example.com', { startNew: false });

    // Assess
    expect(calls).toBe(SSLLABS_CLIENT_LIMITS.maxRetries + 1);
  });

  it('sends every request with an abort signal (the per-request timeout)', async () => {
    // Prepare
    let init: RequestInit | undefined;
    const client = new SslLabsClient({
      baseUrl: 'https://api.ssllabs.example/api/v4',
      email: 'security@district.example.org',
      fetch: (async (_url: string, i: RequestInit) => {
        init = i;
        return new Response(JSON.stringify({ host: 'learn.example.com', status: 'DNS' }), { status: 200 });
      }) as unknown as typeof fetch,
    });

    // Act
    await client.analyze('learn.example.com', { startNew: true });

    // Assess
    expect(init?.signal).toBeInstanceOf(AbortSignal);
  });
});
