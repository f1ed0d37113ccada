/**
 * SOP steps 1–2: the request form asks for every field the procedure requires, in accessible HTML that
 * works without scripts and on a phone, and posts to /requests.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestForm } from '#lambdas/request-form.ts';
import { html, SafeHtml } from '#shared/core/html/html.ts';
import { page } from '#shared/core/html/layout.ts';
import { htmlResponse } from '#shared/core/http/edge.ts';
import { REQUEST_FIELD_LIMITS } from '#shared/core/text/text-limits.ts';
import { REGISTRY_MATCHES_SCRIPT, REUSE_HINT } from '#shared/registry/pages/registry-matches.ts';
import { MAX_QUERY_LENGTH } from '#shared/registry/registry-list.ts';
import { LIVE_STATUS_SCRIPT } from '#shared/requests/pages/live-status.ts';
import { FORM_FIELD_NAMES, renderRequestForm } from '#shared/requests/pages/request-form.ts';
import { parseResourceRequest, resourceRequestSchema } from '#shared/workflow/request-schema.ts';
import { httpGet } from '../../support/task-kit.ts';

const SCHEMA_FIELDS = Object.keys(resourceRequestSchema.shape);

describe('GET / — the request form', () => {
  it('answers 200 HTML with the security headers', async () => {
    const res = await requestForm(httpGet('/'));

    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    expect(res.headers?.['Content-Security-Policy']).toContain("form-action 'self'");
  });

  it('SOP 2: contains an input for every field of the request schema, exactly once', async () => {
    const { body } = await requestForm(httpGet('/'));

    expect([...FORM_FIELD_NAMES].sort()).toEqual([...SCHEMA_FIELDS].sort());
    for (const field of SCHEMA_FIELDS) expect(body).toContain(`name="${field}"`);
    for (const field of ['requesterName', 'resourceName', 'cost', 'budgetCode', 'principal'])
      expect(body.match(new RegExp(`name="${field}"`, 'g'))).toHaveLength(1);
  });

  it('posts the form to /requests as application/x-www-form-urlencoded', async () => {
    const { body } = await requestForm(httpGet('/'));

    expect(body).toMatch(/<form method="post" action="\/requests" novalidate>/);
    expect(body).not.toContain('enctype="multipart');
    expect(body).toContain('<button type="submit">Submit request</button>');
  });

  it('labels every text box and groups yes/no questions in fieldsets with a legend', async () => {
    const { body } = await requestForm(httpGet('/'));

    for (const field of [
      'requesterName',
      'requesterEmail',
      'resourceUrl',
      'cost',
      'gradeLevels',
      'studentUseVision',
    ])
      expect(body).toContain(`<label for="${field}">`);
    for (const field of [
      'mediaReleaseRequired',
      'studentLoginRequired',
      'studentDataShared',
      'requestType',
      'resourceKind',
    ]) {
      expect(body).toMatch(new RegExp(`<fieldset id="${field}"[^>]*>\\s*<legend>`));
      expect(body).toContain(
        `id="${field}-${field === 'requestType' ? 'instructional' : field === 'resourceKind' ? 'software' : 'yes'}"`,
      );
    }
    expect(body).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(body).toContain('type="email" id="requesterEmail"');
    expect(body).toMatch(/id="cost"[^>]*inputmode="decimal"/);
  });

  it('explains that lists may be separated by commas or new lines', async () => {
    const { body } = await requestForm(httpGet('/'));

    expect(body).toMatch(/<textarea id="teksAddressed"[^>]*aria-describedby="teksAddressed-hint"/);
    expect(body).toContain('One per line, or separated by commas.');
  });

  it('marks the optional fields and only those as not required', async () => {
    const { body } = await requestForm(httpGet('/'));

    expect(body).toMatch(/<input type="url" id="resourceUrl"(?![^>]*required)[^>]*>/);
    expect(body).toMatch(/<textarea id="studentDataElements"(?![^>]*required)[^>]*>/);
    expect(body).toMatch(/<input type="text" id="requesterName"[^>]*required/);
  });
});

describe('the form shown again with errors', () => {
  it('lists every error at the top, linking to its field, and ties each message to its field', () => {
    const html = renderRequestForm({
      values: { resourceName: 'Fraction "Lab" <b>', requestType: 'administrative' },
      errors: [
        { field: 'studentDataShared', message: 'Student data shared must be yes or no' },
        { field: 'requesterName', message: 'Your name is required' },
      ],
    });

    expect(html).toContain('<title>Error: Request a digital resource');
    expect(html).toMatch(/<div class="errors" role="alert"[^>]*>/);
    expect(html.indexOf('href="#requesterName"')).toBeLessThan(html.indexOf('href="#studentDataShared-yes"'));
    expect(html).toContain('<p class="error" id="requesterName-error">Error: Your name is required</p>');
    expect(html).toMatch(
      /id="requesterName"[^>]*aria-describedby="requesterName-error"[^>]*aria-invalid="true"/,
    );
    expect(html).toMatch(
      /<fieldset id="studentDataShared" aria-describedby="studentDataShared-hint studentDataShared-error">/,
    );
    expect(html).toContain('value="Fraction &quot;Lab&quot; &lt;b&gt;"');
    expect(html).toMatch(/id="requestType-administrative"[^>]*checked/);
  });

  it('an error that belongs to no field is still listed, without a link', () => {
    const html = renderRequestForm({ errors: [{ field: '(body)', message: 'The request body is empty' }] });

    expect(html).toContain('<li>The request body is empty</li>');
  });

  it('shows no error summary on a fresh form', () => {
    expect(renderRequestForm()).not.toContain('class="errors"');
  });
});

describe('the form limits each box as the schema does', () => {
  const valid = {
    requesterName: 'Ana',
    requesterEmail: 'ana@district.example',
    resourceName: 'Storyline',
    resourceUrl: 'https://storyline.example',
    vendorName: 'SAG',
    paymentResponsibility: 'Campus',
    budgetCode: 'N/A',
    principal: 'Dr. Rivera',
    studentUseVision: 'Read-alouds',
    commonCoreAlignment: 'RL.K.1',
  };
  /** A value of exactly `length` characters that is otherwise valid for the field. */
  const ofLength = (field: string, length: number) => {
    const start = valid[field as keyof typeof valid];
    if (field === 'requesterEmail')
      return `${'a'.repeat(length - '@district.example'.length)}@district.example`;
    if (field === 'resourceUrl') return `${start}/${'a'.repeat(length - start.length - 1)}`;
    return 'x'.repeat(length);
  };

  it.each(Object.entries(REQUEST_FIELD_LIMITS))(
    '%s: maxlength="%i", and one character more is refused',
    (field, limit) => {
      expect(renderRequestForm()).toMatch(new RegExp(`id="${field}"[^>]*maxlength="${limit}"`));
      const fieldErrors = (value: string) => {
        const result = parseResourceRequest({ [field]: value });
        return result.ok ? [] : result.errors.filter((e) => e.field === field);
      };
      expect(fieldErrors(ofLength(field, limit))).toEqual([]);
      expect(fieldErrors(ofLength(field, limit + 1))).toEqual([
        { field, message: expect.stringMatching(/must be at most \d+ characters$/) },
      ]);
    },
  );
});

describe('SOP 1–2, the form hint: registry entries matching the resource name', () => {
  const scriptsOf = (body: string) =>
    [...body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
  const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

  it('puts an empty live region and a plain registry link (no JavaScript needed) under "Name of resource"', async () => {
    const { body } = await requestForm(httpGet('/'));

    const field = body.indexOf('id="resourceName"');
    const region = body.indexOf('<div id="registry-matches" aria-live="polite"></div>');
    const link = body.indexOf(
      'Already in use in the district? <a href="/registry">Search the resource registry</a>',
    );
    expect(field).toBeGreaterThan(-1);
    expect(region).toBeGreaterThan(field);
    expect(link).toBeGreaterThan(region);
    expect(link).toBeLessThan(body.indexOf('id="vendorName"'));
  });

  it('carries the registry-matches script, and the CSP allows it by the hash of the exact text in the page', async () => {
    const res = await requestForm(httpGet('/'));

    const scripts = scriptsOf(res.body);
    expect(scripts).toEqual([REGISTRY_MATCHES_SCRIPT.source]);
    expect(REGISTRY_MATCHES_SCRIPT.cspSource).toBe(sha256(scripts[0] ?? ''));
    const csp = res.headers?.['Content-Security-Policy'] as string;
    // Exactly the page's own script, nothing else (no 'unsafe-inline', no host, not the status page's).
    expect(/script-src ([^;]*);/.exec(csp)?.[1]).toBe(REGISTRY_MATCHES_SCRIPT.cspSource);
    expect(csp).not.toContain(LIVE_STATUS_SCRIPT.cspSource);
    expect(csp).toContain("connect-src 'self'");
  });

  it('the form shown again with errors keeps the region, the link and the script', () => {
    const body = renderRequestForm({
      errors: [{ field: 'requesterName', message: 'Your name is required' }],
    });

    expect(body).toContain('<div id="registry-matches" aria-live="polite"></div>');
    expect(body).toContain('<a href="/registry">Search the resource registry</a>');
    expect(scriptsOf(body)).toEqual([REGISTRY_MATCHES_SCRIPT.source]);
  });

  it('a page without scripts has none and its CSP allows none', () => {
    const plain = page({ title: 'Plain', body: html`<h1>Plain</h1>` });

    expect(plain).not.toContain('<script');
    expect(htmlResponse(200, plain).headers?.['Content-Security-Policy']).toContain("script-src 'none';");
  });

  it('a script that was not declared is not allowed, even when a page carries it', () => {
    const injected = page({ title: 'Injected', body: html`${new SafeHtml('<script>alert(1)</script>')}` });

    expect(htmlResponse(200, injected).headers?.['Content-Security-Policy']).toContain("script-src 'none';");
  });

  it('the script is self-contained, builds the list with textContent, asks for JSON and stays within the q limits', () => {
    expect(() => new Function(REGISTRY_MATCHES_SCRIPT.source)).not.toThrow();
    expect(REGISTRY_MATCHES_SCRIPT.source).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/,
    );
    expect(REGISTRY_MATCHES_SCRIPT.source).not.toMatch(/\bimport\b|\brequire\(/);
    expect(REGISTRY_MATCHES_SCRIPT.source).toContain("fetch('/registry?q=' + encodeURIComponent(q)");
    expect(REGISTRY_MATCHES_SCRIPT.source).toContain("accept: 'application/json'");
    expect(REGISTRY_MATCHES_SCRIPT.source).toContain(`"maxQuery":${MAX_QUERY_LENGTH}`);
    expect(REGISTRY_MATCHES_SCRIPT.source).toContain('"Active/Approved"');
    expect(REGISTRY_MATCHES_SCRIPT.source).not.toContain('</');
  });

  it('the hint says vetting may be reused, never that it will be', () => {
    expect(REUSE_HINT).toContain('may be reused');
    expect(REUSE_HINT).toContain("registry's exact name and vendor");
    expect(REUSE_HINT).not.toMatch(/\bwill be reused|\bis reused|skip/i);
  });
});
