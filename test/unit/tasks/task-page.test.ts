import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler, showTaskPage } from '#lambdas/task-page.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { LinkPageDeps } from '#shared/tasks/link-endpoints.ts';
import { person, ssoCaller } from '../../support/sso-kit.ts';
import {
  auditItems,
  ddb,
  getTaskEvent,
  givenTable,
  lambdaContext,
  NOW,
  REQUEST_ID,
  requestRecord,
  SECRET,
  TABLE,
  TASK_ID,
  taskRecord,
  writes,
} from '../../support/task-kit.ts';

process.env.TABLE_NAME = TABLE;

function deps(caller: LinkPageDeps['caller'] = { mode: 'link' }): LinkPageDeps {
  return {
    store: new WorkflowStore({ tableName: TABLE, client: dynamoDb, now: () => NOW }),
    now: () => NOW,
    caller,
  };
}

beforeEach(() => givenTable({}));

describe('GET /tasks/{id}?t=…: the confirmation page changes nothing', () => {
  it('shows what is asked, the step, the team, the deadline, the facts and the decision form', async () => {
    const response = await showTaskPage(getTaskEvent(), deps());

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    const page = response.body;
    expect(page).toContain('<h1>Verify the resource is technically sound with district devices</h1>');
    expect(page).toContain(
      'SOP TS-PE-535 step 10 · DII · decide before <strong>Friday, December 11, 2026 at 10:00 AM UTC',
    );
    expect(page).toContain(`<dt>Request id</dt><dd>${REQUEST_ID}</dd>`);
    expect(page).toContain('<dt>Resource kind</dt><dd>web-service</dd>');
    expect(page).toContain(`<form method="post" action="${TASK_ID}">`);
    expect(page).toContain(`<input type="hidden" name="t" value="${SECRET}">`);
    expect(page).toContain('value="sound"');
    expect(page).toContain('Technically sound with district devices');
    expect(page).toContain('value="not-sound"');
    expect(page).toContain('Required when the decision is “Not technically sound with district devices”');
    expect(page).toMatch(/<input id="decidedBy" name="decidedBy" [^>]*required/);
    expect(writes()).toEqual([]);
  });

  it('escapes request values on the page', async () => {
    const request = requestRecord();
    request.resource.name = '<script>alert(1)</script>';
    givenTable({ request });

    const response = await showTaskPage(getTaskEvent(), deps());

    expect(response.body).not.toContain('<script>alert');
    expect(response.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('SOP 14: the licence form asks for reference, seats, expiry and a masked, non-remembered key', async () => {
    givenTable({ task: taskRecord({ kind: 'license', team: 'aas', sopStep: 14 }) });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    expect(page).toMatch(/<input id="licenseReference" name="licenseReference" type="text"[^>]* required/);
    expect(page).toMatch(/<input id="seats" name="seats" type="number" value="" min="1" step="1"/);
    expect(page).toMatch(/<input id="expiresOn" name="expiresOn" type="date"/);
    expect(page).toContain(
      '<input id="licenseKey" name="licenseKey" type="password" value="" autocomplete="off"',
    );
    expect(page).toContain('value="license-stored"');
  });

  it('SOP 4: the privacy review asks whether student data is required and the vendor contact, or a question first', async () => {
    givenTable({ task: taskRecord({ kind: 'privacy-review', team: 'cybersecurity', sopStep: 4 }) });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    // Not `required` in the browser: a question can be asked before they are known (the server checks).
    expect(page).toContain('<input type="radio" name="studentDataRequired" value="yes"> Yes');
    expect(page).toMatch(/<input id="vendorContactEmail" name="vendorContactEmail" type="email"/);
    expect(page).toContain('Not needed when you ask a question first');
    expect(page).toContain('<input type="radio" name="decision" value="ask" required>');
    expect(page).toMatch(/<textarea id="question" name="question"/);
    expect(page).toContain('<option value="vendor">');
    expect(page).toContain('<dt>Student data elements</dt><dd>name, grade level</dd>');
  });

  it('SOP 5: the privacy review offers the websites box, prefilled with the request link', async () => {
    givenTable({ task: taskRecord({ kind: 'privacy-review', team: 'cybersecurity', sopStep: 4 }) });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    const url = requestRecord().resource.url as string;
    expect(page).toContain(
      `name="websites" rows="4" maxlength="2000" aria-describedby="websites-hint">${url}</textarea>`,
    );
    expect(page).toContain('Websites the resource uses (one address per line) (optional)');
  });

  it('SOP 5-6: the SSL remediation page shows each website with its endpoint grades, the grades seen and the re-tests', async () => {
    const base = requestRecord();
    givenTable({
      request: {
        ...base,
        security: {
          ...base.security,
          ssl: {
            grade: 'B',
            passed: false,
            reason: '1 of 2 websites fail the SSL test',
            testedAt: NOW.toISOString(),
            endpoints: [
              { ipAddress: '203.0.113.10', grade: 'A', host: 'app.example.com' },
              { ipAddress: '203.0.113.11', grade: 'B', host: 'login.example.com' },
            ],
            hosts: [
              { host: 'app.example.com', passed: true, grade: 'A', reason: 'A' },
              { host: 'login.example.com', passed: false, grade: 'B', reason: 'B' },
            ],
          },
          sslRemediation: {
            executionId: 'x',
            startedAt: '2026-11-20T00:00:00.000Z',
            windowEndsAt: '2026-12-20T00:00:00.000Z',
            scans: ['a', 'b'],
            grades: ['C', 'B'],
          },
        },
      },
      task: taskRecord({ kind: 'ssl-remediation', team: 'cybersecurity', sopStep: 5 }),
    });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    expect(page).toContain('<input type="radio" name="decision" value="retest" required>');
    expect(page).toContain(
      '<dd>app.example.com A (203.0.113.10 A); login.example.com B (203.0.113.11 B)</dd>',
    );
    expect(page).toContain('<dt>Grades seen so far</dt><dd>C, B</dd>');
    expect(page).toContain('<dt>Re-tests so far</dt><dd>1</dd>');
  });

  it('SOP 11: the replacement form asks for the replacement resource when one is found', async () => {
    givenTable({ task: taskRecord({ kind: 'replacement', team: 'dii', sopStep: 11 }) });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    expect(page).toContain('<legend>If “A replacement resource was found”</legend>');
    for (const name of ['resourceName', 'resourceUrl', 'vendorName', 'cost'])
      expect(page).toContain(`name="${name}"`);
    expect(page).toContain('<option value="web-service">web-service</option>');
    expect(page).toContain('name="studentDataShared" value="no"');
  });

  it('SOP 13 and 4: procurement and DPA forms carry their fields', async () => {
    givenTable({ task: taskRecord({ kind: 'procurement', team: 'aas', sopStep: 13 }) });
    const procurement = (await showTaskPage(getTaskEvent(), deps())).body;
    for (const name of ['poNumber', 'amount', 'quoteReference'])
      expect(procurement).toContain(`name="${name}"`);

    givenTable({ task: taskRecord({ kind: 'dpa-signature', team: 'cybersecurity', sopStep: 4 }) });
    const dpa = (await showTaskPage(getTaskEvent(), deps())).body;
    expect(dpa).toMatch(/<input id="dpaExpiresOn" name="dpaExpiresOn" type="date"/);
    expect(dpa).toContain('<dt>DPA sent to</dt><dd>privacy@blaster.example</dd>');
  });
});

describe('a bad link gets a clear page and changes nothing', () => {
  it('a forged secret is 403 with the same words as an unknown link', async () => {
    const forged = await showTaskPage(getTaskEvent({ t: 'A'.repeat(43) }), deps());
    const unknown = await showTaskPage(getTaskEvent({ taskId: 'Unknown000000000000000' }), deps());

    expect(forged.statusCode).toBe(403);
    expect(unknown.statusCode).toBe(404);
    expect(forged.body).toBe(unknown.body);
    expect(forged.body).toContain('This link is not valid');
    expect(forged.body).not.toContain('Math Blaster');
    expect(writes()).toEqual([]);
  });

  it('a link without its secret is 403', async () => {
    const response = await showTaskPage(getTaskEvent({ t: null }), deps());

    expect(response.statusCode).toBe(403);
    expect(writes()).toEqual([]);
  });

  it('a malformed task id is 404 without reading the table', async () => {
    const response = await showTaskPage(getTaskEvent({ taskId: '../../etc/passwd' }), deps());

    expect(response.statusCode).toBe(404);
    expect(ddb.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('an already decided task is 409 and says who decided and when', async () => {
    givenTable({
      task: taskRecord({
        status: 'DECIDED',
        decision: 'sound',
        decidedBy: 'Sam Lee',
        decidedAt: '2026-11-27T15:30:00.000Z',
      }),
    });

    const response = await showTaskPage(getTaskEvent(), deps());

    expect(response.statusCode).toBe(409);
    expect(response.body).toContain(
      'Sam Lee recorded “Technically sound with district devices” on Friday, November 27, 2026 at 3:30 PM UTC.',
    );
    expect(writes()).toEqual([]);
  });

  it.each([
    ['closed for its deadline', 'DENIED'],
    ['stopped by an error', 'ERROR'],
  ] as const)('the open link of a request %s is 410: it can decide nothing', async (_case, status) => {
    givenTable({ request: { ...requestRecord(), status } });

    const response = await showTaskPage(getTaskEvent(), deps());

    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('This link has expired');
    expect(writes()).toEqual([]);
  });

  it.each([
    ['past its deadline', taskRecord({ expiresAt: '2026-11-28T09:59:59.999Z' })],
    ['timed out in Step Functions', taskRecord({ status: 'TIMED_OUT' })],
  ])('a task %s is 410', async (_case, task) => {
    givenTable({ task });

    const response = await showTaskPage(getTaskEvent(), deps());

    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('This link has expired');
    expect(response.body).toContain('Nothing was recorded.');
    expect(writes()).toEqual([]);
  });
});

describe('the Lambda handler', () => {
  it('serves the page with the table from TABLE_NAME', async () => {
    const response = await handler(getTaskEvent(), lambdaContext);

    expect(response.statusCode).toBe(200);
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.TableName).toBe(TABLE);
  });

  it('DynamoDB throttling is a 5xx page that reveals nothing', async () => {
    ddb.on(GetCommand).rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    const response = await handler(getTaskEvent(), lambdaContext);

    expect(response.statusCode).toBe(500);
    expect(response.headers?.['Content-Type']).toContain('text/html');
    expect(response.body).toContain('Something went wrong');
    expect(response.body).not.toContain('ThrottlingException');
  });
});

describe('GET /tasks/{id}?t=… with sign-in (AUTH_MODE=sso)', () => {
  const sso = () => ssoCaller(() => NOW);

  it('sends a browser that is not signed in to sign in, and back to this link', async () => {
    const response = await showTaskPage(getTaskEvent(), deps(sso().deps));

    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers?.Location), 'https://x.example');
    expect(location.pathname).toBe('/prod/auth/login');
    expect(location.searchParams.get('returnTo')).toBe(`/tasks/${TASK_ID}?t=${SECRET}`);
  });

  it('shows a member of the team who decides, with no name to type and the session CSRF token', async () => {
    const kit = sso();
    const { cookie, csrf } = await kit.signIn(person('sam@district.example.org', ['dii']));

    const response = await showTaskPage(getTaskEvent({ cookie }), deps(kit.deps));

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain(
      'You are signed in as <strong>Name of sam (sam@district.example.org)</strong>',
    );
    expect(response.body).not.toContain('name="decidedBy"');
    expect(response.body).toContain(`name="csrf" value="${csrf}"`);
  });

  it('refuses a member of another team (403) and keeps the refusal in the audit trail', async () => {
    const kit = sso();
    const { cookie } = await kit.signIn(person('pat@district.example.org', ['aas']));

    await expect(showTaskPage(getTaskEvent({ cookie }), deps(kit.deps))).rejects.toMatchObject({
      status: 403,
      reason: 'not-in-team',
    });
    expect(auditItems('TASK_ACCESS_REFUSED')).toHaveLength(1);
  });
});

describe('GET /tasks/{id}?t=…: emails of the request that did not arrive (issue 24)', () => {
  it('shows the bounced address, its type, time and the server answer, and a suppressed send, above the facts', async () => {
    // Prepare
    const at = '2026-12-04T09:30:00.000Z';
    givenTable({
      audit: [
        {
          requestId: REQUEST_ID,
          at,
          sopStep: 4,
          type: 'EMAIL_BOUNCED',
          summary: 'The dpa request email to privacy@vendor.example bounced',
          actor: 'Amazon SES (mail delivery report)',
          detail: {
            address: 'privacy@vendor.example',
            kind: 'dpa-request',
            bounceType: 'Permanent',
            diagnostic: 'smtp; 550 5.1.1 <privacy@vendor.example> user unknown',
            suppressed: true,
          },
        },
        {
          requestId: REQUEST_ID,
          at: '2026-12-05T09:30:00.000Z',
          sopStep: 5,
          type: 'EMAIL_SUPPRESSED',
          summary: 'The ssl notice email was not sent to privacy@vendor.example',
          actor: 'Mail delivery (suppression list)',
          detail: { address: 'privacy@vendor.example', kind: 'ssl-notice', reason: 'bounce' },
        },
      ],
    });

    // Act
    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    // Assess
    expect(page).toContain('Emails that did not arrive');
    expect(page).toContain('<code>privacy@vendor.example</code>');
    expect(page).toContain('Bounced (Permanent)');
    expect(page).toContain('smtp; 550 5.1.1 &lt;privacy@vendor.example&gt; user unknown');
    expect(page).toContain('Not sent (address suppressed)');
    expect(page).toContain('Friday, December 4, 2026');
    expect(page.indexOf('Not sent (address suppressed)')).toBeLessThan(page.indexOf('Bounced (Permanent)'));
    expect(page.indexOf('Emails that did not arrive')).toBeLessThan(page.indexOf('id="facts-title"'));
    expect(writes()).toEqual([]);
  });

  it('shows nothing about mail when every email arrived', async () => {
    const page = (await showTaskPage(getTaskEvent(), deps())).body;
    expect(page).not.toContain('Emails that did not arrive');
  });
});
