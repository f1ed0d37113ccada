/**
 * SOP 6 and 16: staff can see which resources are Approved or Not Approved (the district's TXSPA
 * list), find one by any word prefix of its resource or vendor name, read its own page, and download
 * the list as CSV; whatever a request contained is escaped. Runs on a real DynamoDB engine (dynalite):
 * the point is what the search index's queries and the entry's conditional write really do.
 */
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handler, registry } from '#lambdas/registry.ts';
import { registryExport } from '#lambdas/registry-export.ts';
import { registryResource } from '#lambdas/registry-resource.ts';
import type { HttpEvent } from '#shared/core/http/edge.ts';
import { registrySearchKey, registrySearchPartition } from '#shared/core/store/keys.ts';
import { readRegistryCsv } from '#shared/registry/registry-csv.ts';
import { PAGE_SIZE, searchRegistry } from '#shared/registry/registry-list.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import type { WorkflowStore } from '#shared/store.ts';
import type { RegistryEntry } from '#shared/workflow/records.ts';
import registryEvent from '../../events/api-gateway-get-registry.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const lambdaContext = { functionName: 'registry', awsRequestId: 'req-3' } as Context;
const BROWSER = 'text/html,application/xhtml+xml,*/*;q=0.8';
const NOW = new Date('2026-11-30T10:00:00.000Z');

function entry(name: string, vendorName: string, more: Partial<RegistryEntry> = {}): RegistryEntry {
  return {
    resourceId: resourceIdOf({ name, vendorName }),
    resourceName: name,
    vendorName,
    status: 'APPROVED',
    statusDate: '2026-09-20T10:00:00.000Z',
    source: 'workflow',
    requestId: 'SR-20260901-7K3M9QXA',
    requestIds: ['SR-20260901-7K3M9QXA'],
    sopStep: 16,
    ...more,
  };
}

const approved = entry('Fraction Lab', 'Numeracy Co', {
  url: 'https://www.fractionlab.example.com/app',
  hosts: ['www.fractionlab.example.com'],
  dpaExpiresOn: '2027-09-01',
  sslGrade: 'A+',
  sslTestedAt: '2026-09-19T10:00:00.000Z',
  renewalDueOn: '2027-09-20',
});
const notApproved = entry('Quizzy', 'Blaster Learning', {
  status: 'NOT_APPROVED',
  statusDate: '2026-09-05T10:00:00.000Z',
  requestId: 'SR-20260903-8M4N0RYB',
  requestIds: ['SR-20260903-8M4N0RYB'],
  sopStep: 6,
  reason: 'Denied at SOP step 6: SSL grade B is below A',
  denial: { sopStep: 6, reason: 'SSL grade B is below A' },
  sslGrade: 'B',
});
const hostile = entry('<script>alert("x")</script>', 'Evil & Sons', {
  url: 'javascript:alert(1)',
  status: 'NOT_APPROVED',
  statusDate: '2026-09-06T10:00:00.000Z',
  reason: '<b>bad</b> privacy policy',
});

let table: DynaliteTable;
let store: WorkflowStore;
let run = 0;

beforeAll(async () => {
  table = await startDynaliteTable(() => NOW);
  store = table.store;
});
afterAll(async () => table.stop());

/** Each test its own words: entries of earlier tests never match (they stay in the one table). */
let tag = '';
beforeEach(() => {
  run++;
  tag = `t${run}x`;
});
const tagged = (e: RegistryEntry): RegistryEntry => {
  const resourceName = `${e.resourceName} ${tag}`;
  return { ...e, resourceName, resourceId: resourceIdOf({ name: resourceName, vendorName: e.vendorName }) };
};

async function given(...entries: RegistryEntry[]) {
  for (const e of entries) await store.putRegistryEntry(e);
}

function event(query: Record<string, string> | null, accept = 'application/json'): HttpEvent {
  return {
    ...(registryEvent as unknown as HttpEvent),
    headers: { ...registryEvent.headers, Accept: accept },
    queryStringParameters: query,
  };
}
const deps = () => ({ store });
type Listed = { items: { resourceName: string; resourceId: string }[]; next: string | null };
const list = async (query: Record<string, string>) => {
  const res = await registry(event(query), deps());
  expect(res.statusCode).toBe(200);
  return JSON.parse(res.body) as Listed;
};
const names = async (q: string, status?: string) =>
  (await list({ q, ...(status ? { status } : {}) })).items.map((i) => i.resourceName);

describe('GET /registry as JSON', () => {
  it('lists each vetted resource with its id, status, reason, DPA expiry, SSL grade and renewal date, in name order', async () => {
    const a = tagged(approved);
    const n = tagged(notApproved);
    await given(n, a);

    const body = await list({ q: tag });

    expect(body).toEqual({
      next: null,
      items: [
        {
          resourceId: a.resourceId,
          resourceName: a.resourceName,
          url: 'https://www.fractionlab.example.com/app',
          vendorName: 'Numeracy Co',
          status: 'APPROVED',
          statusDate: '2026-09-20T10:00:00.000Z',
          source: 'workflow',
          reason: null,
          dpaExpiresOn: '2027-09-01',
          sslGrade: 'A+',
          renewalDueOn: '2027-09-20',
          requestId: 'SR-20260901-7K3M9QXA',
          notes: null,
          underReview: null,
        },
        expect.objectContaining({
          resourceName: n.resourceName,
          status: 'NOT_APPROVED',
          reason: 'Denied at SOP step 6: SSL grade B is below A',
        }),
      ],
    });
  });

  it.each([
    ['a word of the name, in any case', 'FRACTION', ['Fraction Lab']],
    ['the beginning of a later word of the name', 'la', ['Fraction Lab']],
    ['a word of the vendor', 'blaster', ['Quizzy']],
    ['the beginning of a vendor word', 'numer', ['Fraction Lab']],
    ['two word prefixes, in any order', 'lab frac', ['Fraction Lab']],
    ['surrounding spaces', '  quiz  ', ['Quizzy']],
    ['the middle of a word (not a prefix)', 'action', []],
    ['a word of neither', 'chess', []],
  ])('finds by %s', async (_label, q, expected) => {
    await given(tagged(approved), tagged(notApproved));

    expect(await names(`${q} ${tag}`)).toEqual(expected.map((n) => `${n} ${tag}`));
  });

  it('ignores accents and punctuation: "Éco-Lecture" is found by "eco" and by "lecture"', async () => {
    const e = tagged(entry('Éco-Lecture', 'Édition Ça'));
    await given(e);

    expect(await names(`eco ${tag}`)).toEqual([e.resourceName]);
    expect(await names(`LECTURE ${tag}`)).toEqual([e.resourceName]);
    expect(await names(`ca ${tag}`)).toEqual([e.resourceName]);
  });

  it('filters by status', async () => {
    await given(tagged(approved), tagged(notApproved));

    expect(await names(tag, 'NOT_APPROVED')).toEqual([`Quizzy ${tag}`]);
    expect(await names(tag, 'APPROVED')).toEqual([`Fraction Lab ${tag}`]);
  });
});

describe('resource identity: one entry per resource (vendor + name), whatever its website', () => {
  it('two resources on one host are two entries; a denial of one leaves the other Approved', async () => {
    const reader = tagged(entry('Reader', 'Vendor Co', { url: 'https://apps.vendor.example/reader' }));
    const math = tagged(entry('Math', 'Vendor Co', { url: 'https://apps.vendor.example/math' }));
    await given(reader, math);

    await store.putRegistryEntry({
      ...math,
      status: 'NOT_APPROVED',
      statusDate: '2026-10-01T10:00:00.000Z',
      reason: 'Denied at SOP step 6: no DPA',
    });

    expect(reader.resourceId).not.toBe(math.resourceId);
    expect((await store.getRegistryEntry(reader.resourceId))?.status).toBe('APPROVED');
    expect((await store.getRegistryEntry(math.resourceId))?.status).toBe('NOT_APPROVED');
    expect(await names(tag, 'APPROVED')).toEqual([reader.resourceName]);
    expect(await names(tag, 'NOT_APPROVED')).toEqual([math.resourceName]);
    // Its index items left the Approved partitions (not only skipped on read).
    const approvedMath = await table.client.send(
      new QueryCommand({
        TableName: 'software-requests',
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': registrySearchPartition('A', tag) },
      }),
    );
    expect(approvedMath.Items?.map((i) => i.resourceId)).toEqual([reader.resourceId]);
  });

  it('the same vendor and name in other case, accents or spacing is the same resource', () => {
    expect(resourceIdOf({ name: '  Reading   Eggs!', vendorName: 'Blake eLearning' })).toBe(
      resourceIdOf({ name: 'READING EGGS', vendorName: 'blake elearning' }),
    );
    expect(resourceIdOf({ name: 'Café', vendorName: 'Acme' })).toBe(
      resourceIdOf({ name: 'cafe', vendorName: 'ACME' }),
    );
    expect(resourceIdOf({ name: 'Reader', vendorName: 'Acme' })).not.toBe(
      resourceIdOf({ name: 'Reader', vendorName: 'Other' }),
    );
    expect(resourceIdOf({ name: 'Reading Eggs', vendorName: 'Blake' })).toMatch(
      /^reading-eggs-[0-9a-f]{12}$/,
    );
  });

  it('an older decision never overwrites a newer one; the same decision again changes nothing', async () => {
    const newer = tagged(entry('Atlas', 'Maps Inc', { statusDate: '2026-10-02T10:00:00.000Z' }));
    await given(newer);

    const older = await store.putRegistryEntry({
      ...newer,
      status: 'NOT_APPROVED',
      statusDate: '2026-10-01T10:00:00.000Z',
      requestId: 'SR-20261001-OLDER001',
    });
    const again = await store.putRegistryEntry(newer);

    expect(older).toBe('superseded');
    expect(again).toBe('unchanged');
    expect(await store.getRegistryEntry(newer.resourceId)).toMatchObject({
      status: 'APPROVED',
      statusDate: '2026-10-02T10:00:00.000Z',
    });
    expect(await names(tag, 'NOT_APPROVED')).toEqual([]);
  });

  it('an index item the entry disagrees with (left by a crash or a late writer) is skipped', async () => {
    const e = tagged(entry('Globe', 'Maps Inc', { status: 'NOT_APPROVED', reason: 'Denied' }));
    await given(e);
    // An Approved index item of an older decision, as a writer that lost the race would leave it.
    const sortKey = `globe ${tag}\u0001${e.resourceId}`;
    await table.client.send(
      new PutCommand({
        TableName: 'software-requests',
        Item: {
          ...registrySearchKey('A', 'globe', sortKey),
          resourceId: e.resourceId,
          statusDate: '2020-01-01',
          words: `globe ${tag} maps inc`,
        },
      }),
    );

    expect(await names(`globe ${tag}`, 'APPROVED')).toEqual([]);
    expect(await names(`globe ${tag}`)).toEqual([e.resourceName]);
  });
});

describe('GET /registry a page at a time (bounded items read, at any size)', () => {
  const many = (n: number, status: 'APPROVED' | 'NOT_APPROVED') =>
    Array.from({ length: n }, (_, i) =>
      entry(`Resource ${String(i).padStart(4, '0')} ${tag}`, 'Bulk Co', { status }),
    );

  it('pages of at most 50 in name order reach every entry once; a page reads at most 2 × 50 items', async () => {
    const all = [
      ...many(70, 'APPROVED'),
      ...many(70, 'NOT_APPROVED').map((e, i) => ({
        ...e,
        resourceName: `Resource ${String(i).padStart(4, '0')}b ${tag}`,
        resourceId: resourceIdOf({
          name: `Resource ${String(i).padStart(4, '0')}b ${tag}`,
          vendorName: 'Bulk Co',
        }),
      })),
    ];
    await given(...all);

    for (const status of [undefined, 'APPROVED', 'NOT_APPROVED'] as const) {
      const seen: string[] = [];
      let after: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await searchRegistry(
          { q: tag, ...(status ? { status } : {}), ...(after ? { after } : {}) },
          deps(),
        );
        expect(page.entries.length).toBeLessThanOrEqual(PAGE_SIZE);
        expect(page.itemsRead).toBeLessThanOrEqual(2 * PAGE_SIZE);
        seen.push(...page.entries.map((e) => e.resourceName));
        if (!page.next) break;
        after = Buffer.from(page.next, 'base64url').toString('utf8');
      }
      const expected = all
        .filter((e) => !status || e.status === status)
        .map((e) => e.resourceName)
        .sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1));
      expect(seen, status ?? 'any').toEqual(expected);
    }
  });

  it.each([
    [{ status: 'PENDING' }, 'status'],
    [{ cursor: 'not-a-cursor!' }, 'cursor'],
    [{ cursor: Buffer.from('{"a":1}').toString('base64url') }, 'cursor'],
    [{ q: 'x'.repeat(101) }, 'q'],
  ])('a bad %o → 400 on that field', async (query, field) => {
    const res = await handler({ ...event(query) }, lambdaContext);

    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ errors: [expect.objectContaining({ field })] });
  });

  it('the page links to the next page, and from there back to the previous and the first, keeping the search', async () => {
    await given(...many(120, 'APPROVED'));

    const first = await registry(event({ q: tag, status: 'APPROVED' }, BROWSER), deps());
    const nextLink = /href="([^"]*)" rel="next"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const second = await registry(
      event(Object.fromEntries(new URLSearchParams(nextLink.split('?')[1])), BROWSER),
      deps(),
    );

    expect(nextLink).toMatch(new RegExp(`^/registry\\?q=${tag}&status=APPROVED&cursor=`));
    expect(second.body).toContain(`Resource 0050 ${tag}`);
    expect(second.body).not.toContain(`Resource 0049 ${tag}`);
    expect(second.body).toContain(
      `<a href="/registry?q=${tag}&amp;status=APPROVED" rel="prev">Previous page</a>`,
    );
    expect(second.body).toContain('rel="next"');
  });
});

describe('GET /registry as a page', () => {
  it('shows a search box and a table with the status in words, each resource linking to its page', async () => {
    const a = tagged(approved);
    await given(a, tagged(notApproved));

    const res = await registry(event({ q: tag }, BROWSER), deps());

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(res.body).toMatch(/<form method="get" action="\/registry" role="search">/);
    expect(res.body).toContain('<label for="q">');
    expect(res.body).toContain('<span class="badge APPROVED">Approved</span>');
    expect(res.body).toContain('<span class="badge NOT_APPROVED">Not Approved</span>');
    expect(res.body).toContain('SSL grade B is below A');
    expect(res.body).toContain(`<a href="/registry/${a.resourceId}">${a.resourceName}</a>`);
    expect(res.body).toContain('2 resources matching');
    expect(res.body).toContain(`href="/registry.csv?q=${tag}"`);
  });

  it.each([['*/*'], ['']])('answers HTML unless JSON is asked for (accept %o)', async (accept) => {
    const res = await registry({ ...event({ q: tag }), headers: accept ? { Accept: accept } : {} }, deps());

    expect(res.headers?.['Content-Type']).toMatch(/^text\/html/);
  });

  it('escapes whatever a request contained, and links only to http(s) websites', async () => {
    await given(tagged(hostile));

    const res = await registry(event({ q: tag }, BROWSER), deps());

    expect(res.body).not.toContain('<script>alert');
    expect(res.body).toContain('&lt;script&gt;');
    expect(res.body).toContain('Evil &amp; Sons');
    expect(res.body).not.toContain('href="javascript:');
  });
});

describe('GET /registry/{resourceId}: the resource page', () => {
  const resourceEvent = (resourceId: string, accept = 'application/json'): HttpEvent => ({
    ...event(null, accept),
    resource: '/registry/{resourceId}',
    path: `/registry/${resourceId}`,
    pathParameters: { resourceId },
  });
  const pageDeps = () => ({ store, now: () => NOW });

  it('shows status, why, the requests (linked to their status pages), the evidence and the next renewal', async () => {
    const n = tagged(notApproved);
    await given(n);

    const json = JSON.parse((await registryResource(resourceEvent(n.resourceId), pageDeps())).body);
    const html = (await registryResource(resourceEvent(n.resourceId, BROWSER), pageDeps())).body;

    expect(json).toEqual({
      resourceId: n.resourceId,
      resourceName: n.resourceName,
      vendorName: 'Blaster Learning',
      url: null,
      hosts: [],
      status: 'NOT_APPROVED',
      statusDate: '2026-09-05T10:00:00.000Z',
      source: 'workflow',
      why: { sopStep: 6, reason: 'SSL grade B is below A' },
      requests: [{ requestId: 'SR-20260903-8M4N0RYB', statusPage: '/requests/SR-20260903-8M4N0RYB' }],
      evidence: { dpaOnFile: false, dpaExpiresOn: null, sslGrade: 'B', sslTestedAt: null },
      renewalDueOn: null,
      notes: null,
      deletion: null,
      currentVetting: false,
    });
    expect(html).toContain('At SOP step 6: SSL grade B is below A');
    expect(html).toContain('<a href="/requests/SR-20260903-8M4N0RYB">SR-20260903-8M4N0RYB</a>');
  });

  it('an approved resource shows its DPA, SSL grade and date, renewal date, and counts as a current vetting', async () => {
    const a = tagged(approved);
    await given(a);

    const html = (await registryResource(resourceEvent(a.resourceId, BROWSER), pageDeps())).body;

    expect(html).toContain('On file, expires 2027-09-01');
    expect(html).toContain('A+, tested 2026-09-19');
    expect(html).toContain('2027-09-20');
    expect(html).toContain('Yes: a new request for this resource skips security vetting (steps 3–6)');
  });

  it.each(['no-such-resource-0123456789ab', '../etc', 'A'])('an unknown id (%s) is 404', async (id) => {
    await expect(registryResource(resourceEvent(id), pageDeps())).rejects.toMatchObject({
      name: 'NotFoundError',
    });
  });
});

describe('GET /registry.csv: the list for the TXSPA upload', () => {
  it('exports the same search in the import columns; an import of the export gives the same rows', async () => {
    const a = tagged(approved);
    const n = tagged(notApproved);
    await given(a, n, tagged(entry('=cmd()', 'Formula Co')));

    const res = await registryExport(event({ q: tag }), deps());
    const parsed = readRegistryCsv(res.body);

    expect(res.headers?.['Content-Type']).toBe('text/csv; charset=utf-8');
    expect(res.body.split('\r\n')[0]).toBe('resourceName,vendorName,url,status,decidedOn,dpaExpiresOn,notes');
    expect(res.body).toContain(`'=cmd() ${tag}`);
    expect(parsed.problems).toEqual([]);
    expect(
      parsed.entries.map((e) => [e.entry.resourceName, e.entry.status, e.entry.statusDate.slice(0, 10)]),
    ).toEqual([
      [`=cmd() ${tag}`, 'APPROVED', '2026-09-20'],
      [a.resourceName, 'APPROVED', '2026-09-20'],
      [n.resourceName, 'NOT_APPROVED', '2026-09-05'],
    ]);
  });
});
