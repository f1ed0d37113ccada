/**
 * SOP 6 and 16: staff can see which resources are Approved or Not Approved (the district's TXSPA
 * list), search it, and read it as JSON or as a page; whatever a request contained is escaped.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler, type RegistryDeps, registry } from '#lambdas/registry.ts';
import { dynamoDb } from '#shared/aws/clients.ts';
import type { HttpEvent } from '#shared/http/edge.ts';
import type { RegistryEntry } from '#shared/store/records.ts';
import { WorkflowStore } from '#shared/store/store.ts';
import registryEvent from '../events/api-gateway-get-registry.json' with { type: 'json' };

const ddb = mockClient(dynamoDb);
const lambdaContext = { functionName: 'registry', awsRequestId: 'req-3' } as Context;
const BROWSER = 'text/html,application/xhtml+xml,*/*;q=0.8';

const approved: RegistryEntry = {
  resourceKey: 'fractionlab.example.com',
  resourceName: 'Fraction Lab',
  url: 'https://www.fractionlab.example.com/app',
  vendorName: 'Numeracy Co',
  status: 'APPROVED',
  statusDate: '2026-09-20T10:00:00.000Z',
  requestId: 'SR-20260901-7K3M9QXA',
  sopStep: 16,
  dpaExpiresOn: '2027-09-01',
  sslGrade: 'A+',
  renewalDueOn: '2027-09-20',
};
const notApproved: RegistryEntry = {
  resourceKey: 'quizzy',
  resourceName: 'Quizzy',
  vendorName: 'Blaster Learning',
  status: 'NOT_APPROVED',
  statusDate: '2026-09-05T10:00:00.000Z',
  requestId: 'SR-20260903-8M4N0RYB',
  sopStep: 6,
  reason: 'SSL grade B is below A',
  sslGrade: 'B',
};
const hostile: RegistryEntry = {
  resourceKey: 'evil',
  resourceName: '<script>alert("x")</script>',
  url: 'javascript:alert(1)',
  vendorName: 'Evil & Sons',
  status: 'NOT_APPROVED',
  statusDate: '2026-09-06T10:00:00.000Z',
  requestId: 'SR-20260904-9N5P1SZC',
  sopStep: 6,
  reason: '<b>bad</b> privacy policy',
};

function stubRegistry(entries: RegistryEntry[]) {
  ddb.on(QueryCommand).resolves({
    Items: entries.map((e) => ({
      PK: `RESOURCE#${e.resourceKey}`,
      SK: 'RESOURCE',
      GSI1PK: 'REGISTRY',
      GSI1SK: e.resourceName.toLowerCase(),
      entity: 'registry',
      ...e,
    })),
  });
}

function event(q?: string, accept = 'application/json'): HttpEvent {
  return {
    ...(registryEvent as unknown as HttpEvent),
    headers: { ...registryEvent.headers, Accept: accept },
    queryStringParameters: q === undefined ? null : { q },
  };
}
const deps = (): RegistryDeps => ({ store: new WorkflowStore({ tableName: 'requests', client: dynamoDb }) });
const names = (body: string) => (JSON.parse(body) as { resourceName: string }[]).map((e) => e.resourceName);

beforeEach(() => ddb.reset());

describe('GET /registry as JSON', () => {
  it('lists every vetted resource by name with its status, reason, DPA expiry, SSL grade and renewal date', async () => {
    stubRegistry([notApproved, approved]);

    const res = await registry(event(), deps());

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual([
      {
        resourceName: 'Fraction Lab',
        url: 'https://www.fractionlab.example.com/app',
        vendorName: 'Numeracy Co',
        status: 'APPROVED',
        statusDate: '2026-09-20T10:00:00.000Z',
        reason: null,
        dpaExpiresOn: '2027-09-01',
        sslGrade: 'A+',
        renewalDueOn: '2027-09-20',
        requestId: 'SR-20260901-7K3M9QXA',
      },
      {
        resourceName: 'Quizzy',
        url: null,
        vendorName: 'Blaster Learning',
        status: 'NOT_APPROVED',
        statusDate: '2026-09-05T10:00:00.000Z',
        reason: 'SSL grade B is below A',
        dpaExpiresOn: null,
        sslGrade: 'B',
        renewalDueOn: null,
        requestId: 'SR-20260903-8M4N0RYB',
      },
    ]);
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input).toMatchObject({
      IndexName: 'GSI1',
      ExpressionAttributeValues: { ':pk': 'REGISTRY' },
    });
  });

  it.each([
    ['the name, in any case', 'fraction', ['Fraction Lab']],
    ['the vendor', 'BLASTER', ['Quizzy']],
    ['the website domain', 'fractionlab.example', ['Fraction Lab']],
    ['surrounding spaces', '  quizzy  ', ['Quizzy']],
    ['nothing that matches', 'chess', []],
    ['an empty search', '', ['Fraction Lab', 'Quizzy']],
  ])('searches by %s', async (_label, q, expected) => {
    stubRegistry([approved, notApproved]);

    const res = await registry(event(q), deps());

    expect(names(res.body)).toEqual(expected);
  });
});

describe('GET /registry as a page', () => {
  it('shows a search box and a table with the status in words', async () => {
    stubRegistry([approved, notApproved]);

    const res = await registry(event(undefined, BROWSER), deps());

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<form method="get" action="\/registry" role="search">/);
    expect(res.body).toContain('<label for="q">');
    expect(res.body).toContain('<span class="badge APPROVED">Approved</span>');
    expect(res.body).toContain('<span class="badge NOT_APPROVED">Not Approved</span>');
    expect(res.body).toContain('SSL grade B is below A');
    expect(res.body).toContain('<a href="/requests/SR-20260901-7K3M9QXA">');
    expect(res.body).toContain('2 resources.');
  });

  it('keeps the search text in the box and says what matched', async () => {
    stubRegistry([approved, notApproved]);

    const res = await registry(event('quiz', BROWSER), deps());

    expect(res.body).toContain('name="q" value="quiz"');
    expect(res.body).toContain('1 resource matching “quiz”.');
    expect(res.body).not.toContain('Fraction Lab');
  });

  it('escapes a <script> resource name, the reason and the search text, and never links a javascript: URL', async () => {
    stubRegistry([hostile]);

    const res = await registry(event('<script>', BROWSER), deps());

    expect(res.body).not.toContain('<script>alert');
    expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(res.body).toContain('&lt;b&gt;bad&lt;/b&gt; privacy policy');
    expect(res.body).toContain('Evil &amp; Sons');
    expect(res.body).toContain('value="&lt;script&gt;"');
    expect(res.body).not.toContain('href="javascript:');
  });

  it('says so when nothing matches', async () => {
    stubRegistry([approved]);

    const res = await registry(event('chess', BROWSER), deps());

    expect(res.body).toContain('No resources found.');
  });
});

describe('the HTTP edge (handler)', () => {
  beforeEach(() => vi.stubEnv('TABLE_NAME', 'requests'));
  afterEach(() => vi.unstubAllEnvs());

  it('a search longer than 100 characters → 400 and DynamoDB is not asked', async () => {
    const res = await handler(event('x'.repeat(101)), lambdaContext);

    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      errors: [{ field: 'q', message: 'Search text must be at most 100 characters' }],
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a too long search from a browser → a 400 page', async () => {
    const res = await handler(event('x'.repeat(101), BROWSER), lambdaContext);

    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Search text must be at most 100 characters');
  });

  it('exactly 100 characters is allowed', async () => {
    stubRegistry([approved]);

    const res = await handler(event('x'.repeat(100)), lambdaContext);

    expect(res.statusCode).toBe(200);
  });

  it('DynamoDB throttling → 500 without internals', async () => {
    ddb
      .on(QueryCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));

    const res = await handler(event(), lambdaContext);

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/Throttling|Rate exceeded/);
  });
});
