/**
 * The requester follows the request through TS-PE-535: GET /requests/{id} as JSON or as the status
 * page with all 17 SOP steps. It shows status, step, reason and timeline, and never a secret.
 */

import { createHash } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type GetRequestDeps, getRequest, handler } from '#lambdas/get-request.ts';
import { type RecordMailEventDeps, recordMailEvent, sesMailEventSchema } from '#shared/bounces/index.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import type { HttpEvent } from '#shared/core/http/edge.ts';
import { sopProgress, toTimeline } from '#shared/requests/timeline.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { AuditEvent, RequestRecord } from '#shared/workflow/records.ts';
import getEvent from '../../events/api-gateway-get-request.json' with { type: 'json' };
import submitted from '../../events/resource-request.json' with { type: 'json' };
import permanentBounce from '../../events/ses/bounce-permanent.json' with { type: 'json' };
import complaint from '../../events/ses/complaint.json' with { type: 'json' };
import { person, ssoCaller } from '../../support/sso-kit.ts';

const ddb = mockClient(dynamoDb);
const ID = 'SR-20260901-7K3M9QXA';
const lambdaContext = { functionName: 'get-request', awsRequestId: 'req-2' } as Context;

function record(overrides: Partial<RequestRecord> = {}): RequestRecord {
  return {
    requestId: ID,
    createdAt: '2026-09-01T14:30:00.000Z',
    updatedAt: '2026-09-02T09:00:00.000Z',
    status: 'IN_REVIEW',
    currentStep: 4,
    currentActivity: 'Waiting for Cybersecurity (CCS): privacy policy review',
    submitted: { ...submitted, requesterEmail: 'maria.lopez@district.example' } as RequestRecord['submitted'],
    resource: {
      name: 'Fraction Lab',
      url: 'https://fractionlab.example.com',
      usesWebsite: true,
      kind: 'web-service',
      vendorName: 'Numeracy Co',
      cost: 1200,
      studentDataShared: true,
    },
    replacementCount: 0,
    executionArn: `arn:aws:states:us-east-1:123456789012:execution:software-request:${ID}`,
    ...overrides,
  };
}

const audit = (
  at: string,
  sopStep: number,
  type: string,
  summary: string,
  extra: Partial<AuditEvent> = {},
) => ({
  PK: `REQUEST#${ID}`,
  SK: `AUDIT#${at}#0001`,
  entity: 'audit',
  requestId: ID,
  at,
  sopStep,
  type,
  summary,
  actor: 'maria.lopez@district.example',
  ...extra,
});

const EVENTS = [
  audit(
    '2026-09-01T14:30:00.000Z',
    2,
    'SUBMITTED',
    'Request submitted: Fraction Lab (web-service, instructional)',
  ),
  audit('2026-09-01T14:30:02.000Z', 3, 'STEP_RECORDED', 'Assigned to the Cybersecurity (CCS) team'),
  audit(
    '2026-09-01T14:30:03.000Z',
    4,
    'TASK_ASSIGNED',
    'Privacy policy review assigned to Cybersecurity (CCS)',
    {
      detail: { taskId: 'tsk_123', taskToken: 'AQCEAAAAKgAAAAMAAAAAAAAAA-secret-token' },
    },
  ),
];

function stubTable(rec: RequestRecord | undefined, events: Record<string, unknown>[] = EVENTS) {
  ddb
    .on(GetCommand)
    .resolves(
      rec ? { Item: { PK: `REQUEST#${rec.requestId}`, SK: 'REQUEST', entity: 'request', ...rec } } : {},
    );
  ddb.on(QueryCommand).resolves({ Items: events });
}

function deps(): GetRequestDeps {
  return { store: new WorkflowStore({ tableName: 'requests', client: dynamoDb }) };
}

function event(id: string, accept = 'application/json'): HttpEvent {
  return {
    ...(getEvent as unknown as HttpEvent),
    path: `/requests/${id}`,
    headers: { ...getEvent.headers, Accept: accept },
    pathParameters: { requestId: id },
  };
}
const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

beforeEach(() => ddb.reset());

describe('GET /requests/{id} as JSON', () => {
  it('returns status, step, activity and the timeline in time order', async () => {
    stubTable(record(), [...EVENTS].reverse());

    const res = await getRequest(event(ID), deps());

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({
      requestId: ID,
      status: 'IN_REVIEW',
      currentStep: 4,
      currentActivity: 'Waiting for Cybersecurity (CCS): privacy policy review',
      deniedAtStep: null,
      reason: null,
      renewal: null,
      sslRemediation: null,
      reusedVetting: null,
      resourceName: 'Fraction Lab',
      submittedAt: '2026-09-01T14:30:00.000Z',
      updatedAt: '2026-09-02T09:00:00.000Z',
      timeline: [
        {
          at: '2026-09-01T14:30:00.000Z',
          sopStep: 2,
          type: 'SUBMITTED',
          summary: 'Request submitted: Fraction Lab (web-service, instructional)',
        },
        {
          at: '2026-09-01T14:30:02.000Z',
          sopStep: 3,
          type: 'STEP_RECORDED',
          summary: 'Assigned to the Cybersecurity (CCS) team',
        },
        {
          at: '2026-09-01T14:30:03.000Z',
          sopStep: 4,
          type: 'TASK_ASSIGNED',
          summary: 'Privacy policy review assigned to Cybersecurity (CCS)',
        },
      ],
      evidence: [],
    });
  });

  it('SOP 9: a denied request says at which step and why', async () => {
    stubTable(
      record({
        status: 'DENIED',
        currentStep: 9,
        deniedAtStep: 9,
        reason: 'Does not align with the curriculum focus',
      }),
    );

    const res = await getRequest(event(ID), deps());

    expect(JSON.parse(res.body)).toMatchObject({
      status: 'DENIED',
      deniedAtStep: 9,
      reason: 'Does not align with the curriculum focus',
    });
  });

  it('never shows task tokens, licence details, who acted or personal data', async () => {
    stubTable(
      record({
        license: {
          licenseReference: 'LIC-77',
          seats: 30,
          expiresOn: '2027-09-01',
          storedAt: '2026-09-10T00:00:00.000Z',
          licenseKeyLast4: 'WXYZ',
        },
        security: {
          privacyReview: {
            decision: 'acceptable',
            studentDataRequired: true,
            vendorContactEmail: 'privacy@numeracy.example',
            at: '2026-09-02T00:00:00.000Z',
          },
        },
      }),
    );

    const res = await getRequest(event(ID), deps());

    expect(res.body).not.toMatch(
      /secret-token|taskToken|tsk_123|LIC-77|WXYZ|privacy@numeracy|maria|Lopez|actor|detail/i,
    );
  });

  it("names no email address in the timeline: SES's reports on an address (the vendor's) say it is withheld", async () => {
    // Prepare: the audit lines shared/bounces writes when the DPA email to the vendor bounces and when
    // a recipient marks the outcome email as spam (the auditors' record at /requests/{id}/audit keeps
    // the addresses).
    const lines: Record<string, unknown>[] = [];
    const mailDeps: RecordMailEventDeps = {
      bounces: {
        suppress: async () => undefined,
        mailEventSeen: async () => false,
        markMailEventSeen: async () => undefined,
      },
      store: {
        getRequest: async () => record(),
        appendAudit: async (e) => {
          const at = `2026-09-02T10:00:0${lines.length}.000Z`;
          lines.push(audit(at, e.sopStep, e.type, e.summary));
          return { ...e, at };
        },
      },
    };
    for (const report of [permanentBounce, complaint]) {
      await recordMailEvent(sesMailEventSchema.parse(report), mailDeps);
    }
    expect(lines.map((l) => l.summary)).toEqual([
      expect.stringContaining('privacy@blaster.example'),
      expect.stringContaining('parent@home.example'),
    ]);
    stubTable(record(), [...EVENTS, ...lines]);

    // Act
    const json = await getRequest(event(ID), deps());
    const page = await getRequest(event(ID, BROWSER), deps());

    // Assess
    expect(json.body).not.toMatch(/blaster\.example|home\.example/i);
    expect(page.body).not.toMatch(/blaster\.example|home\.example/i);
    expect((JSON.parse(json.body) as { timeline: { summary: string }[] }).timeline.slice(-2)).toEqual([
      expect.objectContaining({
        summary: expect.stringMatching(/^The dpa request email to \[address withheld\] bounced: /),
      }),
      expect.objectContaining({
        summary: expect.stringMatching(/^\[address withheld\] marked the outcome email as spam/),
      }),
    ]);
  });

  it('asks DynamoDB for the request consistently and for its audit trail only', async () => {
    stubTable(record());

    await getRequest(event(ID), deps());

    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input).toMatchObject({
      Key: { PK: `REQUEST#${ID}`, SK: 'REQUEST' },
      ConsistentRead: true,
    });
    expect(ddb.commandCalls(QueryCommand)[0]?.args[0].input.ExpressionAttributeValues).toEqual({
      ':pk': `REQUEST#${ID}`,
      ':audit': 'AUDIT#',
    });
  });
});

describe('GET /requests/{id} as the status page', () => {
  it('shows the status in words, what is happening now, all 17 SOP steps and updates itself every 20 s while in review', async () => {
    stubTable(record());

    const res = await getRequest(event(ID, BROWSER), deps());

    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toMatch(/^text\/html/);
    // WCAG 2.2.1: no timed reload; a live region the page's one script updates, with a pause control
    // and a reload link for readers without JavaScript.
    expect(res.body).not.toContain('http-equiv="refresh"');
    expect(res.body).toContain('<div id="live-status" aria-live="polite" data-update-seconds="20">');
    expect(res.body).toContain('id="pause-updates" aria-pressed="false" hidden>Pause automatic updates');
    expect(res.body).toContain(`<a href="${ID}">Reload the page</a>`);
    const script = /<script>([\s\S]*?)<\/script>/.exec(res.body)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect(res.headers?.['Content-Security-Policy']).toContain(`script-src 'sha256-${hash}'`);
    expect(res.body).toContain('<span class="badge IN_REVIEW">In review</span>');
    expect(res.body).toContain('Waiting for Cybersecurity (CCS): privacy policy review');
    for (let step = 1; step <= 17; step++) expect(res.body).toMatch(new RegExp(`<strong>${step}\\. `));
    expect(res.body).toMatch(/<li class="current" aria-current="step">\s*<strong>4\. Privacy policy review/);
    expect(res.body).toMatch(/<li class="done">\s*<strong>3\. Assigned to the Cybersecurity team/);
    expect(res.body).toMatch(/<li class="not-reached">\s*<strong>5\. SSL server test/);
    expect(res.body).toContain('Privacy policy review assigned to Cybersecurity (CCS)');
    expect(res.body).not.toContain('SSL Labs test in progress');
  });

  it('SOP 5: while the SSL scan runs the page says it can take several minutes', async () => {
    stubTable(record({ currentStep: 5, currentActivity: 'Testing the website with SSL Labs' }));

    const res = await getRequest(event(ID, BROWSER), deps());

    expect(res.body).toContain('SSL Labs test in progress — this can take several minutes');
  });

  it('an approved request stops reloading; steps that did not apply are marked skipped', async () => {
    stubTable(record({ status: 'APPROVED', currentStep: 16, currentActivity: 'Approved and published' }), [
      ...EVENTS,
      audit('2026-09-20T10:00:00.000Z', 16, 'PUBLISHED', 'Published as Active/Approved'),
    ]);

    const res = await getRequest(event(ID, BROWSER), deps());

    expect(res.body).not.toContain('data-update-seconds');
    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('<span class="badge APPROVED">Approved</span>');
    expect(res.body).toMatch(/<li class="skipped">\s*<strong>13\. Vendor quote/);
    expect(res.body).toMatch(/<li class="done">\s*<strong>16\. Published/);
  });

  it('SOP 6: a denied request marks where it stopped and gives the reason', async () => {
    stubTable(
      record({
        status: 'DENIED',
        currentStep: 6,
        deniedAtStep: 6,
        reason: 'SSL grade B is below A',
        currentActivity: 'Not approved',
      }),
    );

    const res = await getRequest(event(ID, BROWSER), deps());

    expect(res.body).toContain('<span class="badge DENIED">Not approved</span>');
    expect(res.body).toContain('The request was not approved at step 6: SSL grade B is below A');
    expect(res.body).toMatch(/<li class="stopped">\s*<strong>6\. Security vetting complete/);
    expect(res.body).toMatch(/<li class="not-reached">\s*<strong>7\. /);
  });

  it('escapes what people typed (resource names, summaries)', async () => {
    stubTable(record({ resource: { ...record().resource, name: '<img src=x onerror=alert(1)>' } }), [
      audit('2026-09-01T14:30:00.000Z', 2, 'SUBMITTED', 'Submitted: <script>alert(1)</script>'),
    ]);

    const res = await getRequest(event(ID, BROWSER), deps());

    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('SOP timeline rules', () => {
  it('after a replacement (SOP 11) the request is back at step 4 and later steps are to be done again', () => {
    const timeline = toTimeline(
      [2, 3, 4, 6, 7, 8, 10, 11].map((step, i) => ({
        requestId: ID,
        at: `2026-09-0${1 + Math.floor(i / 4)}T1${i}:00:00.000Z`,
        sopStep: step,
        type: 'X',
        summary: `step ${step}`,
        actor: 'system',
      })),
    );

    const steps = sopProgress(
      { status: 'IN_REVIEW', currentStep: 4, replacementCount: 1 } as RequestRecord,
      timeline,
    );

    expect(steps.map((s) => s.state)).toEqual([
      'done',
      'done',
      'done',
      'current',
      ...Array(13).fill('not-reached'),
    ]);
    expect(steps[10]?.events.map((e) => e.summary)).toEqual(['step 11']);
  });

  it('a system error marks the step where it stopped', () => {
    const steps = sopProgress({ status: 'ERROR', currentStep: 5 } as RequestRecord, []);
    expect(steps[4]?.state).toBe('stopped');
    expect(steps[3]?.state).toBe('skipped');
    expect(steps[0]?.state).toBe('done');
  });

  it('an approved request with a scheduled renewal shows SOP 17 as current', () => {
    const steps = sopProgress(
      {
        status: 'APPROVED',
        currentStep: 17,
        renewal: { dueOn: '2027-09-20', scheduleName: 'renew-x' },
      } as RequestRecord,
      [],
    );
    expect(steps[16]?.state).toBe('current');
  });
});

describe('the HTTP edge (handler)', () => {
  beforeEach(() => vi.stubEnv('TABLE_NAME', 'requests'));
  afterEach(() => vi.unstubAllEnvs());

  it('an unknown request id → 404 JSON', async () => {
    stubTable(undefined);

    const res = await handler(event(ID), lambdaContext);

    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ error: 'Not found', message: `There is no request ${ID}` });
  });

  it('an unknown request id → 404 page for browsers', async () => {
    stubTable(undefined);

    const res = await handler(event(ID, BROWSER), lambdaContext);

    expect(res.statusCode).toBe(404);
    expect(res.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(res.body).toContain(`There is no request ${ID}`);
  });

  it.each([
    ['not the format', 'hello'],
    ['lower case', 'sr-20260901-7k3m9qxa'],
    ['an injection attempt', 'SR-20260901-7K3M9QXA#AUDIT'],
  ])('a malformed id (%s) → 400 and DynamoDB is not asked', async (_label, id) => {
    const res = await handler(event(id), lambdaContext);

    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      errors: [{ field: 'requestId', message: 'A request number looks like SR-20260901-7K3M9QXA' }],
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('DynamoDB throttling → 500 without internals', async () => {
    ddb
      .on(GetCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));

    const res = await handler(event(ID), lambdaContext);

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/Throttling|Rate exceeded|DynamoDB/);
  });
});

describe('GET /requests/{id} with sign-in (AUTH_MODE=sso)', () => {
  const NOW = new Date('2026-09-02T10:00:00.000Z');
  const withCookie = (cookie: string) => {
    const e = event(ID);
    e.headers = { ...e.headers, cookie };
    return e;
  };

  it('shows the request to its requester and to the review teams, and refuses anyone else (403)', async () => {
    stubTable(record());
    const kit = ssoCaller(() => NOW);
    const requester = await kit.signIn(person(record().submitted.requesterEmail, []));
    const reviewer = await kit.signIn(person('pat@district.example.org', ['cybersecurity']));
    const stranger = await kit.signIn(person('lee@district.example.org', []));

    expect((await getRequest(withCookie(requester.cookie), deps(), kit.deps)).statusCode).toBe(200);
    expect((await getRequest(withCookie(reviewer.cookie), deps(), kit.deps)).statusCode).toBe(200);
    await expect(getRequest(withCookie(stranger.cookie), deps(), kit.deps)).rejects.toMatchObject({
      status: 403,
      reason: 'not-yours',
    });
  });

  it('sends a browser that is not signed in to sign in, and back to the request', async () => {
    stubTable(record());
    const res = await getRequest(event(ID, BROWSER), deps(), ssoCaller(() => NOW).deps);
    expect(res.statusCode).toBe(302);
    expect(String(res.headers?.Location)).toContain(`returnTo=${encodeURIComponent(`/requests/${ID}`)}`);
  });
});
