import { readFileSync } from 'node:fs';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkSsl } from '#lambdas/check-ssl.ts';
import { type FakeSslLabs, type FakeSslLabsOptions, startFakeSslLabs } from '#local/fake-ssllabs.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { WorkflowStore } from '#shared/store.ts';
import { gradeAssessment } from '#shared/vetting/ssl/grading.ts';
import { unlimitedSslSlots } from '#shared/vetting/ssl/slots.ts';
import {
  type AnalyzeResult,
  SslLabsClient,
  SslLabsError,
  type SslLabsHost,
} from '#shared/vetting/ssl/ssllabs-client.ts';
import type { CheckSslOutput } from '#shared/workflow/payloads.ts';

const EMAIL = 'security@district.example.org';
const START_TIME = Date.parse('2026-11-28T10:00:00.000Z');

let fake: FakeSslLabs | undefined;

async function start(options: FakeSslLabsOptions = {}) {
  fake = await startFakeSslLabs({ now: () => START_TIME, ...options });
  const client = new SslLabsClient({
    baseUrl: fake.url,
    email: EMAIL,
    sleep: async () => {},
    random: () => 0,
  });
  return { fake, client };
}

const hostOf = (r: AnalyzeResult): SslLabsHost => {
  if (r.kind !== 'host') throw new Error(`expected a host, got ${r.kind}`);
  return r.host;
};

/** Start, then poll until READY/ERROR (bounded), returning every status seen. */
async function runToEnd(client: SslLabsClient, host: string, maxPolls = 10) {
  const seen: SslLabsHost[] = [hostOf(await client.analyze(host, { startNew: true }))];
  for (let i = 0; i < maxPolls && !['READY', 'ERROR'].includes(seen.at(-1)?.status ?? ''); i++) {
    seen.push(hostOf(await client.analyze(host, { startNew: false })));
  }
  return seen;
}

const keysOf = (o: unknown) => Object.keys(o as object).sort();
const fixture = (name: string) => JSON.parse(readFileSync(`test/events/ssllabs/${name}.json`, 'utf8'));

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('local fake of SSL Labs API v4 analyze', () => {
  it('runs start → DNS → IN_PROGRESS (progress, eta) → READY with the default grade A', async () => {
    // Prepare
    const { client } = await start();

    // Act
    const seen = await runToEnd(client, 'learn.example.com');

    // Assess
    expect(seen.map((h) => h.status)).toEqual(['DNS', 'IN_PROGRESS', 'READY']);
    expect(seen[1]?.endpoints[0]).toMatchObject({ statusMessage: 'In progress', progress: 50, eta: 10 });
    expect(seen[2]).toMatchObject({ host: 'learn.example.com', startTime: START_TIME, testTime: START_TIME });
    expect(seen[2]?.endpoints).toEqual([
      expect.objectContaining({ ipAddress: '203.0.113.10', grade: 'A', statusMessage: 'Ready' }),
    ]);
    expect(fake?.calls.map((c) => [c.startNew, c.all, c.email, c.status])).toEqual([
      [true, 'done', EMAIL, 200],
      [false, 'done', EMAIL, 200],
      [false, 'done', EMAIL, 200],
    ]);
  });

  it('answers with the same JSON shapes as the recorded fixtures', async () => {
    const { fake: f } = await start({
      grades: { 'learn.example.com': ['A', 'B'], 'gone.example.com': 'DNS' },
    });
    const get = async (query: string) =>
      (await fetch(`${f.url}/analyze?${query}`, { headers: { email: EMAIL } })).json() as Promise<
        Record<string, unknown>
      >;

    const dns = await get('host=learn.example.com&startNew=on&all=done');
    const inProgress = await get('host=learn.example.com&all=done');
    const ready = await get('host=learn.example.com&all=done');
    await get('host=gone.example.com&startNew=on&all=done');
    await get('host=gone.example.com&all=done');
    const error = await get('host=gone.example.com&all=done');

    expect(keysOf(dns)).toEqual(keysOf(fixture('dns-resolving')));
    expect(keysOf(inProgress)).toEqual(keysOf(fixture('in-progress')));
    const fixtureReady = fixture('ready-mixed-a-b');
    expect(keysOf(ready)).toEqual(keysOf(fixtureReady));
    expect((ready.endpoints as unknown[]).map(keysOf)).toEqual(fixtureReady.endpoints.map(keysOf));
    expect(keysOf(error)).toEqual(keysOf(fixture('error-dns')));
    expect(error).toMatchObject({ status: 'ERROR', statusMessage: 'Unable to resolve domain name' });
  });

  it('requires the email header, like the real API', async () => {
    const { fake: f } = await start();

    const response = await fetch(`${f.url}/analyze?host=learn.example.com&startNew=on`);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ field: 'email', message: 'The email header is mandatory' }],
    });
  });

  it('answers 441 for an email that is not registered, which the client reports as SslLabsError', async () => {
    const { client } = await start({ registeredEmails: ['someone-else@district.example.org'] });

    const error = await client.analyze('learn.example.com', { startNew: true }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SslLabsError);
    expect(error).toMatchObject({ httpStatus: 441 });
  });

  it('answers 400 without a host', async () => {
    const { fake: f } = await start();

    const response = await fetch(`${f.url}/analyze?all=done`, { headers: { email: EMAIL } });

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ errors: [{ field: 'host', message: 'qp.mandatory' }] });
  });

  it('gives one endpoint per grade, and grading takes the worst', async () => {
    const { client } = await start({ grades: { 'learn.example.com': ['A+', 'B'] } });

    const ready = (await runToEnd(client, 'learn.example.com')).at(-1) as SslLabsHost;

    expect(ready.endpoints.map((e) => [e.ipAddress, e.grade])).toEqual([
      ['203.0.113.10', 'A+'],
      ['203.0.113.11', 'B'],
    ]);
    expect(gradeAssessment(ready, 'learn.example.com')).toMatchObject({ passed: false, grade: 'B' });
  });

  it('\'DNS\' ends in ERROR "Unable to resolve domain name"', async () => {
    const { client } = await start({ grades: { 'gone.example.com': 'DNS' } });

    const last = (await runToEnd(client, 'gone.example.com')).at(-1) as SslLabsHost;

    expect(last).toMatchObject({
      status: 'ERROR',
      statusMessage: 'Unable to resolve domain name',
      endpoints: [],
    });
  });

  it("'UNREACHABLE' is READY with an endpoint SSL Labs could not grade", async () => {
    const { client } = await start({ grades: { 'learn.example.com': ['A', 'UNREACHABLE'] } });

    const last = (await runToEnd(client, 'learn.example.com')).at(-1) as SslLabsHost;

    expect(last.status).toBe('READY');
    expect(last.endpoints[1]).toEqual(
      expect.objectContaining({
        ipAddress: '203.0.113.11',
        statusMessage: 'Unable to connect to the server',
      }),
    );
    expect(last.endpoints[1]).not.toHaveProperty('grade');
  });

  it("'NEVER' stays IN_PROGRESS", async () => {
    const { client } = await start({ defaultGrade: 'NEVER' });

    const seen = await runToEnd(client, 'slow.example.com', 6);

    expect(seen.at(-1)?.status).toBe('IN_PROGRESS');
    expect(seen).toHaveLength(7);
  });

  it("'BUSY' answers 529, which the client reports as busy after its retries", async () => {
    const { client, fake: f } = await start({ grades: { 'busy.example.com': 'BUSY' } });

    const result = await client.analyze('busy.example.com', { startNew: true });

    expect(result).toMatchObject({
      kind: 'busy',
      httpStatus: 529,
      message: 'Running at full capacity. Please try again later.',
    });
    expect(f.calls.every((c) => c.status === 529)).toBe(true);
  });

  it('allows maxAssessments in flight, announces them on every answer and answers 429 beyond (issue 22)', async () => {
    // Prepare: room for two assessments
    const { client, fake } = await start({ maxAssessments: 2, pollsUntilReady: 1 });
    await client.analyze('one.example.com', { startNew: true });
    const second = await client.analyze('two.example.com', { startNew: true });

    // Act: a third start, then the first finishes and the third starts again
    const third = await client.analyze('three.example.com', { startNew: true });
    await client.analyze('one.example.com', { startNew: false });
    const retried = await client.analyze('three.example.com', { startNew: true });

    // Assess
    expect(second.capacity).toEqual({ maxAssessments: 2, currentAssessments: 2 });
    expect(third).toMatchObject({
      kind: 'busy',
      httpStatus: 429,
      message: 'Concurrent assessment limit reached (2)',
      capacity: { maxAssessments: 2, currentAssessments: 2 },
    });
    expect(retried.kind).toBe('host');
    // The client asked four times for the third (its three in-process retries with jitter).
    expect(fake.stats()).toEqual({ inFlight: 2, maxInFlight: 2, rejected429: 4, started: 3 });
  });

  it('keeps a finished report until a new start, which uses the grade set since', async () => {
    const { client, fake: f } = await start({ pollsUntilReady: 1 });
    await runToEnd(client, 'learn.example.com');

    f.setGrade('learn.example.com', 'C');
    const cached = hostOf(await client.analyze('learn.example.com', { startNew: false }));
    const retest = await runToEnd(client, 'learn.example.com');

    expect(cached.endpoints[0]?.grade).toBe('A');
    expect(retest.at(-1)?.endpoints[0]?.grade).toBe('C');
  });

  it('answers READY at once with pollsUntilReady 0', async () => {
    const { client } = await start({ pollsUntilReady: 0 });

    const first = hostOf(await client.analyze('learn.example.com', { startNew: true }));

    expect(first.status).toBe('READY');
  });
});

describe('SOP 5 end to end against the fake: check-ssl start → poll → verdict', () => {
  const ddb = mockClient(DynamoDBDocumentClient);
  beforeEach(() => {
    ddb.reset();
    ddb.on(GetCommand).resolves({
      Item: {
        requestId: 'SR-1',
        status: 'IN_REVIEW',
        resource: { url: 'https://learn.example.com' },
        security: {},
      },
    });
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).resolves({});
  });

  it.each([
    ['A+', true, 'A+'],
    ['B', false, 'B'],
  ])('grade %s: passed=%s', async (grade, passed, expectedGrade) => {
    const { client } = await start({ grades: { 'learn.example.com': grade } });
    const deps = {
      ssllabs: client,
      store: new WorkflowStore({ tableName: 'requests', client: dynamoDb }),
      now: () => new Date(START_TIME),
      maxWaitSeconds: 3600,
      slots: unlimitedSslSlots,
    };

    let out: CheckSslOutput = await checkSsl({ requestId: 'SR-1', url: 'https://learn.example.com/' }, deps);
    for (let i = 0; i < 5 && !out.finished; i++) {
      out = await checkSsl(
        { requestId: 'SR-1', url: 'https://learn.example.com/', startedAt: out.startedAt, polls: out.polls },
        deps,
      );
    }

    expect(out).toMatchObject({ finished: true, passed, grade: expectedGrade, polls: 3 });
    expect(ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item?.type)).toEqual(['SSL_TESTED']);
  });
});
