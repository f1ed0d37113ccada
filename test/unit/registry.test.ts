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

/** The registry's GSI1 as DynamoDB serves it: in name order, `Limit` items a page, from ExclusiveStartKey. */
function stubRegistry(entries: RegistryEntry[]) {
  const items = entries
    .map((e) => ({
      PK: `RESOURCE#${e.resourceKey}`,
      SK: 'RESOURCE',
      GSI1PK: 'REGISTRY',
      GSI1SK: e.resourceName.toLowerCase(),
      entity: 'registry',
      ...e,
    }))
    .sort((a, b) => (a.GSI1SK < b.GSI1SK ? -1 : a.GSI1SK > b.GSI1SK ? 1 : a.PK < b.PK ? -1 : 1));
  ddb.on(QueryCommand).callsFake((input: { Limit?: number; ExclusiveStartKey?: { PK: string } }) => {
    const from = input.ExclusiveStartKey
      ? items.findIndex((i) => i.PK === input.ExclusiveStartKey?.PK) + 1
      : 0;
    const page = items.slice(from, from + (input.Limit ?? items.length));
    const last = page.at(-1);
    const more = from + page.length < items.length;
    return {
      Items: page,
      ...(more && last
        ? { LastEvaluatedKey: { PK: last.PK, SK: last.SK, GSI1PK: last.GSI1PK, GSI1SK: last.GSI1SK } }
        : {}),
    };
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
const names = (body: string) =>
  (JSON.parse(body) as { items: { resourceName: string }[] }).items.map((e) => e.resourceName);

beforeEach(() => ddb.reset());

describe('GET /registry as JSON', () => {
  it('lists every vetted resource by name with its status, reason, DPA expiry, SSL grade and renewal date', async () => {
    stubRegistry([notApproved, approved]);

    const res = await registry(event(), deps());

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      next: null,
      items: [
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
      ],
    });
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

describe('GET /registry a page at a time (a response and the items read stay bounded, at any size)', () => {
  const many = (n: number, status: 'APPROVED' | 'NOT_APPROVED' = 'APPROVED') =>
    Array.from({ length: n }, (_, i) => ({
      ...approved,
      resourceKey: `r${String(i).padStart(4, '0')}`,
      resourceName: `Resource ${String(i).padStart(4, '0')}`,
      status,
    }));
  const page = async (query: Record<string, string>) => {
    const res = await registry({ ...event(), queryStringParameters: query }, deps());
    return {
      status: res.statusCode,
      body: JSON.parse(res.body) as { items: { resourceName: string }[]; next: string | null },
    };
  };

  it('serves 50 entries a page, in name order, and the next page goes on where the last ended', async () => {
    stubRegistry(many(120));

    const first = await page({});
    const second = await page({ cursor: first.body.next ?? '' });
    const third = await page({ cursor: second.body.next ?? '' });

    expect(first.body.items.map((i) => i.resourceName)).toEqual(many(50).map((e) => e.resourceName));
    expect(second.body.items[0]?.resourceName).toBe('Resource 0050');
    expect(third.body.items).toHaveLength(20);
    expect(third.body.next).toBeNull();
    for (const call of ddb.commandCalls(QueryCommand))
      expect(call.args[0].input.Limit).toBeLessThanOrEqual(100);
  });

  it('filters by status', async () => {
    stubRegistry([...many(3), notApproved]);

    const { body } = await page({ status: 'NOT_APPROVED' });

    expect(body.items.map((i) => i.resourceName)).toEqual(['Quizzy']);
  });

  it('reads at most 500 entries for one answer: a rare match further on is reached through `next`', async () => {
    stubRegistry([...many(700), { ...notApproved, resourceName: 'Zebra Maths', resourceKey: 'zebra' }]);

    const first = await page({ q: 'zebra' });
    const second = await page({ q: 'zebra', cursor: first.body.next ?? '' });

    expect(first.body.items).toEqual([]);
    expect(first.body.next).not.toBeNull();
    expect(second.body.items.map((i) => i.resourceName)).toEqual(['Zebra Maths']);
    expect(second.body.next).toBeNull();
    const read = ddb
      .commandCalls(QueryCommand)
      .slice(0, 5)
      .reduce((n, c) => n + (c.args[0].input.Limit ?? 0), 0);
    expect(read).toBe(500);
  });

  it.each([
    [{ status: 'PENDING' }, 'status'],
    [{ cursor: 'not-a-cursor!' }, 'cursor'],
    [{ cursor: Buffer.from('{"a":1}').toString('base64url') }, 'cursor'],
  ])('a bad %o → 400 on that field, nothing read', async (query, field) => {
    stubRegistry(many(3));

    const res = await handler({ ...event(), queryStringParameters: query }, lambdaContext);

    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ errors: [expect.objectContaining({ field })] });
    expect(ddb.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it('the page links to the next page and back to the first, keeping the search', async () => {
    stubRegistry(many(60));

    const first = await registry(event('resource', BROWSER), deps());
    const next =
      /href="([^"]*cursor=[^"]*)" rel="next"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const cursor = new URLSearchParams(next.split('?')[1]).get('cursor') ?? '';
    const second = await registry(
      { ...event(), headers: { Accept: BROWSER }, queryStringParameters: { q: 'resource', cursor } },
      deps(),
    );

    expect(next).toMatch(/^\/registry\?q=resource&cursor=/);
    expect(second.body).toContain('Resource 0050');
    expect(second.body).toContain('<a href="/registry?q=resource">First page</a>');
    expect(second.body).not.toContain('rel="next"');
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
