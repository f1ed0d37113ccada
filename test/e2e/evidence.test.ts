/**
 * Evidence kept and shown (docs/design.md "Evidence", "Public page"), on the running product with
 * sign-in: the vendor returns the signed DPA through the upload link in the DPA email (straight to the
 * document store, then checked and kept); the audit record has the document's SHA-256, the question
 * and the answer in full; the approved resource is on /public.json with its data elements and
 * subprocessors, and none of the request's private fields.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fieldOf } from '#shared/core/guards.ts';
import type { TaskKind } from '#shared/workflow/task-kinds.ts';
import { type SignedIn, signIn } from '../support/sign-in.ts';
import { eventually, nextYear, requestBody, type TaskLink, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('evidence', { authMode: 'sso' });

const MEMBER: Record<TaskKind, string> = {
  'privacy-review': 'cybersecurity',
  'dpa-signature': 'cybersecurity',
  'ssl-remediation': 'cybersecurity',
  'policy-change': 'cybersecurity',
  'curriculum-review': 'instructional-technology',
  'administrative-review': 'dii',
  'technical-review': 'dii',
  replacement: 'dii',
  procurement: 'aas',
  license: 'aas',
  installation: 'dii',
  answer: 'cybersecurity',
  'incident-review': 'cybersecurity',
  'deletion-confirmation': 'cybersecurity',
};

const people = new Map<string, SignedIn>();
async function person(email: string): Promise<SignedIn> {
  const known = people.get(email);
  if (known) return known;
  const signedIn = await signIn(env.runtime, email);
  people.set(email, signedIn);
  return signedIn;
}

/** A signed PDF as a vendor's signing tool writes it (header, one object, trailer). */
function signedPdf(extra = ''): Buffer {
  return Buffer.from(
    `%PDF-1.7\n1 0 obj << /Type /Catalog ${extra} >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`,
    'latin1',
  );
}

async function decide(link: TaskLink, kind: TaskKind, fields: Record<string, string>): Promise<void> {
  const member = await person(`${MEMBER[kind]}@district.example.org`);
  const res = await member.jar.fetch(`${env.runtime.siteUrl}/tasks/${link.taskId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
    body: new URLSearchParams({ t: link.secret, csrf: member.csrf, ...fields }).toString(),
  });
  expect(res.status, `${kind}: ${(await res.text()).slice(0, 400)}`).toBe(200);
}

const complete = async (requestId: string, kind: TaskKind, fields: Record<string, string>) =>
  decide(await env.client.nextTask(requestId, kind), kind, fields);

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
  form.append('file', new Blob([file], { type: 'application/pdf' }), 'signed-dpa.pdf');
  const stored = await fetch(action, { method: 'POST', body: form, redirect: 'manual' });
  const back = stored.headers.get('location');
  if (stored.status !== 303 || !back) return { status: stored.status, html: await stored.text() };
  const received = await fetch(back);
  return { status: received.status, html: await received.text() };
}

describe('SOP 4 evidence: the signed DPA, the question and answer, the public page', () => {
  it('keeps the uploaded DPA with its hash, shows the full audit record, and publishes only public fields', async () => {
    const teacher = await person('teacher@district.example.org');
    const submitted = await teacher.jar.fetch(`${env.runtime.siteUrl}/requests`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        'x-csrf-token': teacher.csrf,
      },
      body: JSON.stringify(
        requestBody({
          resourceName: 'Evidence Lab',
          budgetCode: '199-SECRET-4711',
          principal: 'Dr. Private Person',
        }),
      ),
    });
    expect(submitted.status).toBe(201);
    const requestId = String(fieldOf(await submitted.json(), 'requestId'));

    const policy =
      '<html><body><h1>Privacy</h1><p>We never sell student data.</p><script>track()</script></body></html>';
    const put = await fetch(
      `${env.runtime.siteUrl}/_local/web?url=${encodeURIComponent('https://numeracy.example.com/privacy')}`,
      { method: 'PUT', headers: { 'content-type': 'text/html' }, body: policy },
    );
    expect(put.status).toBeLessThan(300);
    await complete(requestId, 'privacy-review', {
      decision: 'ask',
      question: 'Which classes will use it, exactly?',
      recipient: 'requester',
    });
    const reply = await env.client.nextReply(requestId, 'teacher@district.example.org');
    expect(
      (
        await env.client.answer(reply, {
          answer: 'Grade 3 and 4 math stations, twice a week.',
          decidedBy: 'Maria Lopez',
        })
      ).status,
    ).toBe(200);
    await complete(requestId, 'privacy-review', {
      decision: 'acceptable',
      studentDataRequired: 'yes',
      vendorContactEmail: 'privacy@numeracy.example.com',
      privacyPolicyUrl: 'https://numeracy.example.com/privacy\nhttps://numeracy.example.com/gone',
      subprocessors: 'Amazon Web Services\nZendesk',
      comment: 'Internal note: retention clause is weak',
    });

    // The reviewed pages are kept on the next scheduled run: the one that answers, and why the other could not be.
    await eventually('the privacy review recorded', async () => {
      await env.runtime.runScheduledFunctions();
      const res = await (await person('auditor@district.example.org')).jar.fetch(
        `${env.runtime.siteUrl}/requests/${requestId}/audit`,
        { headers: { accept: 'application/json' } },
      );
      const record: unknown = await res.json();
      const kept = fieldOf(record, 'evidence');
      return Array.isArray(kept) && kept.length > 0 ? record : undefined;
    });

    const dpaEmail = await eventually('the DPA email to the vendor', async () =>
      (await env.client.outbox()).find(
        (e) => e.to.includes('privacy@numeracy.example.com') && e.text.includes(requestId),
      ),
    );
    const uploadLink = /https?:\/\/\S+\/uploads\/[\w-]{22}\?t=[\w-]{43}/.exec(dpaEmail.text)?.[0];
    if (!uploadLink) throw new Error('the DPA email has no upload link');
    const pdf = signedPdf();
    const received = await upload(uploadLink, pdf);
    expect(received.status, received.html.slice(0, 400)).toBe(200);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(received.html).toContain(sha256);
    // The link works once.
    expect((await fetch(uploadLink)).status).toBe(409);

    // The DPA task shows the returned agreement, its fingerprint and who uploaded it.
    const dpaTask = await env.client.nextTask(requestId, 'dpa-signature');
    const cybersecurity = await person('cybersecurity@district.example.org');
    const dpaPage = await (
      await cybersecurity.jar.fetch(`${env.runtime.siteUrl}${dpaTask.path}`, {
        headers: { accept: 'text/html' },
      })
    ).text();
    expect(dpaPage).toContain(sha256);
    expect(dpaPage).toContain('uploaded by privacy@numeracy.example.com');
    await decide(dpaTask, 'dpa-signature', { decision: 'signed', dpaExpiresOn: nextYear() });
    await complete(requestId, 'curriculum-review', { decision: 'approve' });
    await complete(requestId, 'technical-review', { decision: 'sound' });
    await complete(requestId, 'procurement', {
      decision: 'po-issued',
      poNumber: 'PO-1',
      amount: '1200',
      quoteReference: 'Q-1',
    });
    await complete(requestId, 'installation', { decision: 'installed' });

    const auditor = await person('auditor@district.example.org');
    const audit: unknown = await eventually('the approved audit record', async () => {
      const res = await auditor.jar.fetch(`${env.runtime.siteUrl}/requests/${requestId}/audit`, {
        headers: { accept: 'application/json' },
      });
      const body: unknown = await res.json();
      return fieldOf(body, 'status') === 'APPROVED' ? body : undefined;
    });
    const text = JSON.stringify(audit);
    expect(text).toContain('Which classes will use it, exactly?');
    expect(text).toContain('Grade 3 and 4 math stations, twice a week.');
    expect(text).toContain('Internal note: retention clause is weak');
    const evidence = fieldOf(audit, 'evidence');
    expect(evidence).toEqual([
      expect.objectContaining({
        kind: 'privacy-policy',
        source: 'https://numeracy.example.com/privacy',
        sha256: createHash('sha256').update('Privacy\nWe never sell student data.').digest('hex'),
      }),
      expect.objectContaining({ kind: 'dpa', sha256, bytes: pdf.length }),
    ]);
    expect(fieldOf(audit, 'evidenceFailures')).toEqual([
      expect.objectContaining({ url: 'https://numeracy.example.com/gone', code: 'http-error' }),
    ]);
    const events = fieldOf(audit, 'events');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'DOCUMENT_RECEIVED', evidence: expect.objectContaining({ sha256 }) }),
        expect.objectContaining({
          type: 'DECISION_RECORDED',
          decision: 'acceptable',
          actor: expect.objectContaining({ email: 'cybersecurity@district.example.org', via: 'sso' }),
        }),
      ]),
    );
    // The document opens for staff, not for the teacher who asked.
    const documentUrl = String(fieldOf(Array.isArray(evidence) ? evidence[1] : {}, 'url'));
    const cyber = await person('cybersecurity@district.example.org');
    const download = await cyber.jar.fetch(`${env.runtime.siteUrl}${documentUrl}`, { redirect: 'manual' });
    expect(download.status).toBe(303);
    const bytes = Buffer.from(await (await fetch(download.headers.get('location') ?? '')).arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha256);
    expect(
      (await teacher.jar.fetch(`${env.runtime.siteUrl}${documentUrl}`, { redirect: 'manual' })).status,
    ).toBe(403);
    // The request's own status lists the kept documents with their fingerprints.
    const status: unknown = await (
      await teacher.jar.fetch(`${env.runtime.siteUrl}/requests/${requestId}`, {
        headers: { accept: 'application/json' },
      })
    ).json();
    expect(fieldOf(status, 'evidence')).toEqual(
      expect.arrayContaining([expect.objectContaining({ kind: 'dpa', sha256, url: documentUrl })]),
    );
    // The audit record is for oversight only.
    expect((await teacher.jar.fetch(`${env.runtime.siteUrl}/requests/${requestId}/audit`)).status).toBe(403);

    const published = await fetch(`${env.runtime.siteUrl}/public.json`);
    expect(published.status).toBe(200);
    const list: unknown = await published.json();
    const items = fieldOf(list, 'items');
    expect(items).toEqual([
      expect.objectContaining({
        resourceName: 'Evidence Lab',
        vendorName: 'Numeracy Co',
        dataElements: ['first name', 'student ID'],
        subprocessors: ['Amazon Web Services', 'Zendesk'],
        gradeLevels: ['3', '4'],
        dpa: expect.objectContaining({
          signedOn: expect.any(String),
          expiresOn: nextYear(),
          documentUrl: null,
        }),
      }),
    ]);
    const publicText = JSON.stringify(list);
    for (const secret of [
      '199-SECRET-4711',
      'Dr. Private Person',
      'teacher@district.example.org',
      '1200',
      'PO-1',
      'Internal note',
      requestId,
    ]) {
      expect(publicText).not.toContain(secret);
    }
    const page = await fetch(`${env.runtime.siteUrl}/public`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Evidence Lab');
  });
});
