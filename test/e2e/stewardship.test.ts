/**
 * End to end (docs/design.md "Monitoring"), with sign-in: a data incident reported by a signed-in
 * person opens Cybersecurity's incident-review task with the state notice clocks and appears on
 * /public.json (never its description); a resource that turns Not Approved after having been Approved
 * (here: the registry's one status change, as a failed renewal or a revocation makes it) emails the
 * vendor a deletion request, and the certificate of destruction uploaded through its link settles
 * Cybersecurity's deletion-confirmation task and shows "deletion confirmed on" on the public page.
 */
import { describe, expect, it } from 'vitest';
import { publishStatus } from '#lambdas/publish-status.ts';
import { fieldOf } from '#shared/core/guards.ts';
import type { TaskKind } from '#shared/workflow/task-kinds.ts';
import { type SignedIn, signIn } from '../support/sign-in.ts';
import { eventually, nextYear, requestBody, type TaskLink, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('stewardship', { authMode: 'sso' });

const VENDOR = 'privacy@ledgerly.example';

const people = new Map<string, SignedIn>();
async function person(email: string): Promise<SignedIn> {
  const known = people.get(email);
  if (known) return known;
  const signedIn = await signIn(env.runtime, email);
  people.set(email, signedIn);
  return signedIn;
}

const TEAM_OF: Partial<Record<TaskKind, string>> = {
  'privacy-review': 'cybersecurity',
  'dpa-signature': 'cybersecurity',
  'curriculum-review': 'instructional-technology',
  'technical-review': 'dii',
  installation: 'dii',
};

async function decide(link: TaskLink, kind: TaskKind, fields: Record<string, string>): Promise<void> {
  const member = await person(`${TEAM_OF[kind]}@district.example.org`);
  const res = await member.jar.fetch(`${env.runtime.siteUrl}/tasks/${link.taskId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ t: link.secret, csrf: member.csrf, ...fields }).toString(),
  });
  expect(res.status, `${kind}: ${(await res.text()).slice(0, 400)}`).toBe(200);
}

const complete = async (requestId: string, kind: TaskKind, fields: Record<string, string>) =>
  decide(await env.client.nextTask(requestId, kind), kind, fields);

/** An approved, free application without a website (the shortest path); its registry id. */
async function approvedResource(
  name: string,
  options: { dpa?: boolean } = {},
): Promise<{ requestId: string; resourceId: string }> {
  const teacher = await person('teacher@district.example.org');
  const submitted = await teacher.jar.fetch(`${env.runtime.siteUrl}/requests`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': teacher.csrf },
    body: JSON.stringify(
      requestBody({
        resourceName: name,
        resourceUrl: undefined,
        resourceKind: 'application',
        vendorName: 'Ledgerly',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    ),
  });
  expect(submitted.status).toBe(201);
  const requestId = String(fieldOf(await submitted.json(), 'requestId'));
  await complete(requestId, 'privacy-review', {
    decision: 'acceptable',
    studentDataRequired: options.dpa ? 'yes' : 'no',
    vendorContactEmail: VENDOR,
    websites: '',
  });
  if (options.dpa)
    await complete(requestId, 'dpa-signature', { decision: 'signed', dpaExpiresOn: nextYear() });
  await complete(requestId, 'curriculum-review', { decision: 'approve' });
  await complete(requestId, 'technical-review', { decision: 'sound' });
  await complete(requestId, 'installation', { decision: 'installed' });
  const registry = await eventually(`${name} Approved in the registry`, async () => {
    const res = await env.client.json<{
      items: { resourceId: string; resourceName: string; status: string }[];
    }>(`/registry?q=${encodeURIComponent(name)}`);
    return res.body.items.find((i) => i.resourceName === name && i.status === 'APPROVED');
  });
  return { requestId, resourceId: registry.resourceId };
}

interface PublicJson {
  incidents: Record<string, unknown>[];
  withdrawn: {
    resourceName: string;
    deletion: { requestedOn: string | null; confirmedOn: string | null };
  }[];
}
const publicJson = async () => (await env.client.json<PublicJson>('/public.json')).body;

async function postIncident(body: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const reporter = await person('teacher@district.example.org');
  const res = await reporter.jar.fetch(`${env.runtime.siteUrl}/incidents`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-csrf-token': reporter.csrf,
    },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** The vendor's part: the upload page's form, posted to the document store, then back to the site. */
async function upload(link: string, file: Buffer): Promise<{ status: number; html: string }> {
  const page = await fetch(link);
  const html = await page.text();
  expect(page.status, html.slice(0, 300)).toBe(200);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
  if (!action) throw new Error('the upload page has no form');
  const form = new FormData();
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.append(
      name ?? '',
      (value ?? '').replaceAll('&amp;', '&').replaceAll('&#39;', "'").replaceAll('&quot;', '"'),
    );
  }
  form.append('file', new Blob([file], { type: 'application/pdf' }), 'certificate.pdf');
  const stored = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
  const back = stored.headers.get('location');
  if (stored.status !== 303 || !back) return { status: stored.status, html: await stored.text() };
  const received = await fetch(back);
  return { status: received.status, html: await received.text() };
}

const CERTIFICATE = Buffer.from(
  '%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
  'latin1',
);

describe('Monitoring: data incidents and the deletion of student data', () => {
  it('an incident opens incident-review with the state clocks and is listed publicly without its description', async () => {
    const { requestId, resourceId } = await approvedResource('Ledger Quest');
    const good = {
      resourceId,
      reportedOn: '2026-11-20',
      description: 'A teacher account at Jane Doe Elementary was used to export class rosters',
      studentsAffected: 42,
      dataElements: ['Student name', 'Grade level'],
    };

    // Bad input: a clear 400 per field, nothing stored
    const bad = await postIncident({
      ...good,
      reportedOn: '20-11-2026',
      dataElements: [],
      studentsAffected: -3,
    });
    expect(bad.status).toBe(400);
    expect(fieldOf(bad.body, 'errors')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'reportedOn' }),
        expect.objectContaining({ field: 'dataElements' }),
        expect.objectContaining({ field: 'studentsAffected' }),
      ]),
    );
    const unknown = await postIncident({ ...good, resourceId: 'no-such-vendor#no such resource' });
    expect(unknown.status).toBe(400);
    expect((await publicJson()).incidents).toEqual([]);

    const reported = await postIncident(good);

    expect(reported.status, JSON.stringify(reported.body)).toBe(201);
    expect(fieldOf(reported.body, 'clocks')).toEqual([
      { name: 'notify parents', days: 30, dueOn: '2026-12-20' },
      { name: 'contractor to district', days: 7, dueOn: '2026-11-27' },
    ]);
    const review = await env.client.nextTask(requestId, 'incident-review');
    expect(review.email.to).toContain('ccs@district.example');
    expect(review.email.text).toContain('2026-12-20');
    expect(review.email.text).toContain('notify parents');
    const listed = await publicJson();
    expect(listed.incidents).toEqual([
      {
        resourceId,
        resourceName: 'Ledger Quest',
        reportedOn: '2026-11-20',
        studentsAffected: 42,
        dataElements: ['Student name', 'Grade level'],
      },
    ]);
    expect(JSON.stringify(listed)).not.toContain('Jane Doe');
  });

  it('the vendor, who never signs in, reports through the incident link of its DPA email', async () => {
    const { requestId, resourceId } = await approvedResource('Ledger Ledger', { dpa: true });
    const dpa = await eventually('the DPA email', async () =>
      (await env.client.outbox()).find(
        (e) =>
          e.to.includes(VENDOR) && e.subject.includes('Data Privacy Agreement requested for Ledger Ledger'),
      ),
    );
    const link = /https?:\/\/[^\s"'<>]+\/incidents\?link=([\w-]+)&t=([\w-]+)/.exec(dpa.text);
    expect(link).not.toBeNull();

    // No session: the form opens (no sign-in redirect) and takes the report without a CSRF token
    const form = await fetch(link?.[0] ?? '', { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(form.status).toBe(200);
    const reported = await fetch(`${env.runtime.siteUrl}/incidents`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({
        link: link?.[1] ?? '',
        t: link?.[2] ?? '',
        reportedOn: '2026-11-29',
        description: 'Backups of class rosters were readable by another customer',
        studentsAffected: '',
        dataElements: 'Student name',
      }).toString(),
    });

    expect(reported.status, (await reported.clone().text()).slice(0, 300)).toBe(201);
    await env.client.nextTask(requestId, 'incident-review');
    expect((await publicJson()).incidents).toContainEqual({
      resourceId,
      resourceName: 'Ledger Ledger',
      reportedOn: '2026-11-29',
      studentsAffected: null,
      dataElements: ['Student name'],
    });
    // The audit trail names the vendor (read as an auditor)
    const auditor = await person('auditor@district.example.org');
    const audit = (await (
      await auditor.jar.fetch(`${env.runtime.siteUrl}/requests/${requestId}/audit`, {
        headers: { accept: 'application/json' },
      })
    ).json()) as { events: { type: string; actor: unknown }[] };
    expect(audit.events.find((e) => e.type === 'INCIDENT_REPORTED')?.actor).toEqual({
      name: 'vendor of Ledger Ledger',
      email: VENDOR,
      sub: null,
      via: 'vendor-link',
    });
  });

  it('Not Approved after Approved: the vendor gets the deletion request; the uploaded certificate completes the task', async () => {
    const { requestId, resourceId } = await approvedResource('Ledger Lab');

    // Act: the registry's status change (as a lapsed renewal or a revocation makes it)
    const denial = { sopStep: 17, reason: 'The vendor did not renew the student Data Privacy Agreement' };
    await publishStatus({ requestId, status: 'NOT_APPROVED', sopStep: 17, denial });
    // A retried publication starts nothing new
    await publishStatus({ requestId, status: 'NOT_APPROVED', sopStep: 17, denial });

    const email = await eventually('the deletion request to the vendor', async () =>
      (await env.client.outbox()).find(
        (e) => e.to.includes(VENDOR) && e.subject.includes('Request to delete student data'),
      ),
    );
    expect(email.subject).toContain('Ledger Lab');
    const link = /https?:\/\/[^\s"'<>]+\/uploads\/[A-Za-z0-9_-]+\?t=[A-Za-z0-9_-]+/.exec(email.text)?.[0];
    expect(link).toBeDefined();
    await env.client.nextTask(requestId, 'deletion-confirmation');
    const asked = await publicJson();
    expect(asked.withdrawn).toEqual([
      expect.objectContaining({
        resourceName: 'Ledger Lab',
        deletion: { requestedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), confirmedOn: null },
      }),
    ]);

    const received = await upload(link ?? '', CERTIFICATE);

    expect(received.status, received.html.slice(0, 300)).toBe(200);
    // The runtime's executions page is for oversight with sign-in: signed in as an auditor.
    const auditor = await person('auditor@district.example.org');
    const executions = async () =>
      (await (
        await auditor.jar.fetch(`${env.runtime.siteUrl}/_local/executions`, {
          headers: { accept: 'application/json' },
        })
      ).json()) as {
        name: string;
        stateMachine: string;
        status: string;
      }[];
    const deletions = (await executions()).filter(
      (e) => e.stateMachine === 'resource-stewardship' && e.name.startsWith('deletion-'),
    );
    expect(deletions).toHaveLength(1);
    await eventually('the deletion execution to succeed', async () =>
      (await executions()).find((e) => e.name === deletions[0]?.name && e.status === 'SUCCEEDED'),
    );
    const confirmed = await publicJson();
    expect(confirmed.withdrawn[0]?.deletion.confirmedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const entry = await env.client.json<{ deletion?: { confirmedOn?: string } }>(
      `/registry/${encodeURIComponent(resourceId)}`,
    );
    expect(entry.body.deletion?.confirmedOn).toEqual(expect.any(String));
  });
});
