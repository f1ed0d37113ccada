/**
 * Every AWS client gives up on a hung call: a server that accepts the connection and never answers
 * makes each client's HTTP handler throw TimeoutError after CLIENT_TIMEOUTS.requestTimeout, long before
 * API Gateway's 29 s or the 30 s Lambda timeout.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_TIMEOUTS } from '#shared/core/aws/client-timeouts.ts';
import {
  cognito,
  dynamoDb,
  eventBridge,
  scheduler,
  secretsManager,
  ses,
  sfn,
} from '#shared/core/aws/clients.ts';

let server: Server;
let port = 0;

beforeAll(async () => {
  // Prepare: reads the request, never answers.
  server = createServer((req) => req.resume());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('AWS clients', () => {
  it('stay below API Gateway 29 s with the SDK retries (3 attempts)', () => {
    // Assess
    const perAttempt = CLIENT_TIMEOUTS.connectionTimeout + CLIENT_TIMEOUTS.requestTimeout;
    expect(3 * perAttempt).toBeLessThan(25_000);
    expect(CLIENT_TIMEOUTS.throwOnRequestTimeout).toBe(true);
  });

  it('each throws TimeoutError on a call that hangs', async () => {
    // Prepare
    const clients = { cognito, dynamoDb, eventBridge, scheduler, secretsManager, ses, sfn };
    const started = Date.now();

    // Act
    const outcomes = await Promise.all(
      Object.entries(clients).map(async ([name, client]) => {
        const request = {
          method: 'POST',
          protocol: 'http:',
          hostname: '127.0.0.1',
          port,
          path: '/',
          query: {},
          headers: { host: `127.0.0.1:${port}`, 'content-length': '2' },
          body: '{}',
        };
        const error = await client.config.requestHandler.handle(request).then(
          () => undefined,
          (e: unknown) => e,
        );
        return [name, error instanceof Error ? error.name : String(error)] as const;
      }),
    );

    // Assess
    expect(Object.fromEntries(outcomes)).toEqual(
      Object.fromEntries(Object.keys(clients).map((name) => [name, 'TimeoutError'])),
    );
    expect(Date.now() - started).toBeLessThan(CLIENT_TIMEOUTS.requestTimeout + 3_000);
  });
});
