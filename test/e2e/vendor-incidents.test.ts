/**
 * End to end (issue 22 item 3), without sign-in (AUTH_MODE=link: vendors never sign in anyway): the DPA
 * email carries the vendor's incident link. Its form reports an incident on that resource; Cybersecurity's
 * incident-review task opens and /public.json lists the incident without its description; a second
 * incident on the resource gets its own review, and each review's page shows its own incident. An altered,
 * unknown or expired link changes nothing, and neither does a report with bad fields.
 */
import { describe, expect, it } from 'vitest';
import { fieldOf } from '#shared/core/guards.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { INCIDENT_LINK_DAYS, incidentLinkUrl } from '#shared/stewardship/incident-links.ts';
import { openRuntimeStore } from '../support/runtime-store.ts';
import { eventually, nextYear, requestBody, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('vendor-incidents');

const VENDOR = 'privacy@abacus.example';
const INCIDENT_LINK = /https?:\/\/[^\s"'<>]+\/incidents\?link=([\w-]+)&t=([\w-]+)/;

/** An approved resource with student data: its DPA email went to VENDOR. */
async function approvedWithDpa(name: string): Promise<string> {
  const requestId = await env.client.submitAndPassPrivacyReview(
    requestBody({ resourceName: name, resourceUrl: undefined, resourceKind: 'application', cost: 0 }),
    { studentDataRequired: 'yes', vendorContactEmail: VENDOR },
  );
  await env.client.complete(requestId, 'dpa-signature', { decision: 'signed', dpaExpiresOn: nextYear() });
  await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
  await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
  await env.client.complete(requestId, 'installation', { decision: 'installed' });
  await env.client.waitForStatus(requestId, 'APPROVED');
  return requestId;
}

async function incidentLinkOf(requestId: string): Promise<{ url: URL; linkId: string; secret: string }> {
  const dpa = await eventually('the DPA email', async () =>
    (await env.client.emailsTo(VENDOR, requestId)).find((e) => e.subject.includes('Data Privacy Agreement')),
  );
  const m = INCIDENT_LINK.exec(dpa.text);
  if (!m?.[1] || !m[2]) throw new Error(`the DPA email has no incident link: ${dpa.text}`);
  expect(dpa.html).toContain(m[0].replace('&', '&amp;'));
  return { url: new URL(m[0]), linkId: m[1], secret: m[2] };
}

/** The form's own fields, as a browser posts them (the hidden link fields included). */
function formFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [, name, value] of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[name ?? ''] = value ?? '';
  }
  return fields;
}

const post = (fields: Record<string, string>, accept = 'text/html') =>
  env.client.fetch('/incidents', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams(fields).toString(),
  });

interface PublicIncident {
  resourceName: string;
  reportedOn: string;
  studentsAffected: number | null;
  dataElements: string[];
}
const publicIncidents = async () =>
  (await env.client.json<{ incidents: PublicIncident[] }>('/public.json')).body.incidents;

/** The request's audit trail as the table holds it (link mode has no audit routes). */
async function auditTypes(requestId: string) {
  const table = openRuntimeStore(env.runtime);
  try {
    return await table.store.listAudit(requestId);
  } finally {
    table.close();
  }
}

/** An incident link of this request's vendor, made `days` ago (as its DPA email would have). */
async function linkMadeDaysAgo(days: number, requestId: string, resourceName: string): Promise<string> {
  const then = new Date(Date.now() - days * 86_400_000);
  const table = openRuntimeStore(env.runtime, () => then);
  try {
    const resourceId = resourceIdOf({ name: resourceName, vendorName: 'Numeracy Co' });
    const made = await table.store.createIncidentLink({
      requestId,
      resourceId,
      resourceName,
      vendorName: 'Numeracy Co',
      sentTo: VENDOR,
    });
    return incidentLinkUrl(env.runtime.baseUrl, made.linkId, made.secret);
  } finally {
    table.close();
  }
}

describe('Issue 22: a vendor reports a data incident through the link of its DPA email', () => {
  it('the link opens a form; the report opens incident-review, is audited as the vendor, and is listed publicly without its description', async () => {
    // Prepare
    const requestId = await approvedWithDpa('Abacus Tutor');
    const link = await incidentLinkOf(requestId);

    // Act: the vendor opens the link
    const opened = await fetch(link.url, { headers: { accept: 'text/html' } });
    const form = await opened.text();

    // Assess: a form for this resource, posting back to /incidents with the link
    expect(opened.status, form.slice(0, 300)).toBe(200);
    expect(opened.headers.get('referrer-policy')).toBe('no-referrer');
    expect(opened.headers.get('cache-control')).toBe('no-store');
    expect(form).toContain('Abacus Tutor');
    expect(form).toContain('<form method="post" action="/incidents">');
    expect(form).toMatch(/<label for="description">/);
    expect(formFields(form)).toEqual({ link: link.linkId, t: link.secret });

    // Act: bad fields first (the form again, with every error), then a good report
    const bad = await post({ ...formFields(form), reportedOn: '2999-01-01', dataElements: '' });
    const badPage = await bad.text();
    expect(bad.status).toBe(400);
    expect(badPage).toContain('The incident date cannot be in the future');
    expect(badPage).toContain('Name at least one student data element involved');
    expect(badPage).toContain('aria-invalid="true"');
    expect(await publicIncidents()).toEqual([]);

    const report = {
      ...formFields(form),
      reportedOn: '2026-11-30',
      description: 'A misconfigured export exposed the gradebook of Ms. Rivera\u2019s class',
      studentsAffected: '27',
      dataElements: 'Student name\nGrade level',
    };
    const reported = await post(report);

    // Assess: Cybersecurity's task, the audit trail names the vendor, the public list has no description
    expect(reported.status, (await reported.clone().text()).slice(0, 300)).toBe(201);
    const thanks = await reported.text();
    expect(thanks).toContain('Thank you: incident reported');
    const review = await env.client.nextTask(requestId, 'incident-review');
    expect(review.email.to).toContain('ccs@district.example');
    expect(review.email.text).toContain('notify parents');
    const event = (await auditTypes(requestId)).find((e) => e.type === 'INCIDENT_REPORTED');
    expect(event?.actor).toBe(`vendor of Abacus Tutor (${VENDOR})`);
    const listed = await eventually('the incident on /public.json', async () => {
      const all = await publicIncidents();
      return all.length > 0 ? all : undefined;
    });
    expect(listed).toEqual([
      expect.objectContaining({
        resourceName: 'Abacus Tutor',
        reportedOn: '2026-11-30',
        studentsAffected: 27,
        dataElements: ['Student name', 'Grade level'],
      }),
    ]);
    expect(JSON.stringify(await env.client.json('/public.json'))).not.toContain('Rivera');

    // The same report sent again (the vendor saw an error): the same incident, nothing filed twice
    const again = await post(report, 'application/json');
    expect(again.status).toBe(201);
    expect(thanks).toContain(`<code>${String(fieldOf(await again.json(), 'incidentId'))}</code>`);
    expect(await publicIncidents()).toHaveLength(1);
    expect((await auditTypes(requestId)).filter((e) => e.type === 'INCIDENT_REPORTED')).toHaveLength(1);

    // The link is not single-use: a second incident is taken too (JSON client, link in the query)
    const second = await env.client.fetch(
      `/incidents?link=${encodeURIComponent(link.linkId)}&t=${encodeURIComponent(link.secret)}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          reportedOn: '2026-12-01',
          description: 'A phished teacher account downloaded the rosters',
          dataElements: ['Email'],
        }),
      },
    );
    expect(second.status).toBe(201);
    expect(fieldOf(await second.json(), 'resourceId')).toEqual(expect.any(String));
    const secondReview = await env.client.nextTask(requestId, 'incident-review');

    // Two reviews open on one resource: each task's page shows its own incident, not the later one
    const firstPage = await env.client.open(review);
    const secondPage = await env.client.open(secondReview);
    expect(firstPage.status).toBe(200);
    expect(firstPage.html).toContain('A misconfigured export exposed the gradebook');
    expect(firstPage.html).not.toContain('A phished teacher account');
    expect(secondPage.status).toBe(200);
    expect(secondPage.html).toContain('A phished teacher account downloaded the rosters');
    expect(secondPage.html).not.toContain('A misconfigured export');
  });

  it('an altered, unknown or expired link gets its own page and changes nothing', async () => {
    const requestId = await approvedWithDpa('Abacus Atlas');
    const link = await incidentLinkOf(requestId);
    const before = (await publicIncidents()).length;
    const report = {
      reportedOn: '2026-11-30',
      description: 'Should not be taken',
      dataElements: 'Student name',
    };

    const altered = await post({ link: link.linkId, t: `${link.secret.slice(0, -2)}xx`, ...report });
    expect(altered.status).toBe(403);
    expect(await altered.text()).toContain('This link is not valid');
    const unknown = await post({ link: 'A'.repeat(22), t: link.secret, ...report });
    expect(unknown.status).toBe(404);
    const noSecret = await fetch(`${link.url.origin}/incidents?link=${link.linkId}`, {
      headers: { accept: 'text/html' },
    });
    expect(noSecret.status).toBe(403);
    // Link mode knows nobody: without a link, a report is refused
    const anonymous = await env.client.fetch('/incidents', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ resourceId: 'x', ...report, dataElements: ['Student name'] }),
    });
    expect(anonymous.status).toBe(403);

    // A link from a DPA email of more than a year ago (handlers keep real time: the link is made then)
    const old = await linkMadeDaysAgo(INCIDENT_LINK_DAYS + 1, requestId, 'Abacus Atlas');
    const expiredPage = await fetch(old, { headers: { accept: 'text/html' } });
    expect(expiredPage.status).toBe(410);
    expect(await expiredPage.text()).toContain('This link has expired');
    const oldLink = INCIDENT_LINK.exec(old);
    const expired = await post(
      { link: oldLink?.[1] ?? '', t: oldLink?.[2] ?? '', ...report },
      'application/json',
    );
    expect(expired.status).toBe(410);
    // One day younger, the same kind of link still opens
    expect(
      (await fetch(await linkMadeDaysAgo(INCIDENT_LINK_DAYS - 1, requestId, 'Abacus Atlas'))).status,
    ).toBe(200);

    expect(await publicIncidents()).toHaveLength(before);
    expect((await auditTypes(requestId)).filter((e) => e.type === 'INCIDENT_REPORTED')).toEqual([]);
  });
});
