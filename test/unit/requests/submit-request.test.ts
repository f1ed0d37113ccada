/**
 * SOP steps 1–2: a teacher submits a request. Every field is validated; a valid request is stored,
 * audited, started as a Step Functions execution named by its id and acknowledged by email, in an order
 * that survives any single failure; an invalid one writes nothing.
 */

import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler, submitRequest } from '#lambdas/submit-request.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { readStateMachineArn } from '#shared/core/config.ts';
import type { HttpEvent, HttpResponse } from '#shared/core/http/edge.ts';
import { logger } from '#shared/core/logger.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { canonicalJson, executionArnFor, type SubmissionDeps } from '#shared/requests/submission.ts';
import { WorkflowStore } from '#shared/store.ts';
import { formToRequestInput, toCost, toList } from '#shared/workflow/form-input.ts';
import { isRequestId, newRequestId, REQUEST_ID_PATTERN } from '#shared/workflow/request-id.ts';
import postEvent from '../../events/api-gateway-post-requests.json' with { type: 'json' };
import validRequest from '../../events/resource-request.json' with { type: 'json' };
import { person, ssoCaller } from '../../support/sso-kit.ts';

// ---- an in-memory table behind the real WorkflowStore (conditional puts, gets, updates, queries) ----

const ddb = mockClient(dynamoDb);
const sfnClient = new SFNClient({ region: 'us-east-1' });
const sesClient = new SESClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfnClient);
const sesMock = mockClient(sesClient);

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:software-request';
const BASE_URL = 'https://requests.district.example';
const NOW = new Date('2026-09-01T14:30:00.000Z');

type Item = Record<string, unknown>;
let table: Map<string, Item>;
const keyOf = (k: Item) => `${k.PK}|${k.SK}`;
const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
const throttled = (name = 'ThrottlingException') =>
  Object.assign(new Error('Rate exceeded'), { name, $metadata: { httpStatusCode: 400 } });

/** A conditional put as DynamoDB does it: a new item, or over a released idempotency claim. */
function putItem(input: { Item: Item; ConditionExpression?: string }) {
  const key = keyOf(input.Item);
  const overReleased =
    input.ConditionExpression?.includes('released = :released') && table.get(key)?.released === true;
  if (input.ConditionExpression?.includes('attribute_not_exists(PK)') && table.has(key) && !overReleased)
    throw conditionFailed();
  table.set(key, structuredClone(input.Item));
  return {};
}

function installTable() {
  table = new Map();
  ddb.on(PutCommand).callsFake(putItem);
  ddb.on(GetCommand).callsFake((input: { Key: Item }) => {
    const item = table.get(keyOf(input.Key));
    return item ? { Item: structuredClone(item) } : {};
  });
  ddb
    .on(UpdateCommand)
    .callsFake(
      (input: {
        Key: Item;
        UpdateExpression: string;
        ConditionExpression?: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues: Item;
      }) => {
        const item = table.get(keyOf(input.Key));
        if (!item) throw conditionFailed();
        if (
          input.ConditionExpression?.includes('requestId = :requestId') &&
          item.requestId !== input.ExpressionAttributeValues[':requestId']
        )
          throw conditionFailed();
        // The outbox's claim of a stale entry (shared/core/store/outbox.ts claimStaleEffect).
        const stale = input.ExpressionAttributeValues[':stale'];
        if (
          input.ConditionExpression?.includes('recordedAt < :stale') &&
          (item.sentAt !== undefined || String(item.recordedAt) >= String(stale))
        )
          throw conditionFailed();
        const [, sets = '', removes = ''] = /^SET (.*?)(?: REMOVE (.*))?$/.exec(input.UpdateExpression) ?? [];
        for (const part of sets.split(', ').filter(Boolean)) {
          const [name, value] = part.split(' = ') as [string, string];
          item[input.ExpressionAttributeNames?.[name] ?? name] = input.ExpressionAttributeValues[value];
        }
        for (const name of removes.split(', ').filter(Boolean))
          delete item[input.ExpressionAttributeNames?.[name] ?? name];
        return {};
      },
    );
  ddb.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Item }) => {
    const pk = input.ExpressionAttributeValues[':pk'];
    const prefix = String(input.ExpressionAttributeValues[':audit'] ?? '');
    const Items = [...table.values()]
      .filter((i) => i.PK === pk && String(i.SK).startsWith(prefix))
      .sort((a, b) => String(a.SK).localeCompare(String(b.SK)));
    return { Items };
  });
}

const stored = (prefix: string) => [...table.values()].filter((i) => String(i.PK).startsWith(prefix));
const requests = () => stored('REQUEST#').filter((i) => i.SK === 'REQUEST');
const audits = () => stored('REQUEST#').filter((i) => String(i.SK).startsWith('AUDIT#'));

let ids: string[];
function deps(overrides: Partial<SubmissionDeps> = {}): SubmissionDeps {
  return {
    store: new WorkflowStore({ tableName: 'requests', client: dynamoDb, now: () => NOW }),
    sfn: sfnClient,
    mailer: new SesMailer({ from: 'no-reply@district.example', client: sesClient }),
    stateMachineArn: STATE_MACHINE_ARN,
    publicBaseUrl: BASE_URL,
    now: () => NOW,
    newRequestId: () => ids.shift() ?? 'SR-20260901-ZZZZZZZZ',
    ...overrides,
  };
}

function jsonEvent(body: unknown, headers: Record<string, string> = {}): HttpEvent {
  return {
    ...(postEvent as unknown as HttpEvent),
    headers: { ...postEvent.headers, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function formEvent(fields: Record<string, string>, headers: Record<string, string> = {}): HttpEvent {
  return jsonEvent(new URLSearchParams(fields).toString(), {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'text/html,application/xhtml+xml,*/*;q=0.8',
    ...headers,
  });
}

/** The valid request as the HTML form sends it: text everywhere. */
const validForm: Record<string, string> = {
  requesterName: 'Maria Lopez',
  requesterEmail: 'maria.lopez@district.example',
  requestType: 'instructional',
  resourceName: 'Fraction Lab',
  resourceUrl: 'https://fractionlab.example.com',
  resourceKind: 'web-service',
  vendorName: 'Numeracy Co',
  cost: '$1,200',
  paymentResponsibility: 'Campus',
  budgetCode: '199-11-6399-00-101',
  principal: 'Dr. Alan Greene',
  gradeLevels: '3, 4',
  contentAreas: 'Math',
  mediaReleaseRequired: 'no',
  teksAddressed: '111.5(b)(3)(A)\n111.6(b)(3)(B)',
  studentUseVision: 'Students practise equivalent fractions with visual models during math stations.',
  commonCoreAlignment: '3.NF.A.3',
  studentLoginRequired: 'yes',
  studentDataShared: 'yes',
  studentDataElements: 'first name\nstudent ID',
};

const body = (res: HttpResponse) => JSON.parse(res.body) as Record<string, unknown>;
const lambdaContext = { functionName: 'submit-request', awsRequestId: 'req-1' } as Context;

beforeEach(() => {
  ddb.reset();
  sfnMock.reset();
  sesMock.reset();
  installTable();
  ids = ['SR-20260901-7K3M9QXA', 'SR-20260901-8M4N0RYB'];
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: executionArnFor(STATE_MACHINE_ARN, input.name),
    startDate: NOW,
  }));
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'msg-1' });
});
afterEach(() => vi.restoreAllMocks());

function expectNothingWritten() {
  expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
}

describe('SOP 1–2: a valid request is stored, started and acknowledged', () => {
  it('stores the request IN_REVIEW at step 2, audits SUBMITTED, starts the execution named by the id and emails the requester', async () => {
    // Act
    const res = await submitRequest(jsonEvent(validRequest), deps());

    // Assess: the answer
    expect(res.statusCode).toBe(201);
    expect(body(res)).toEqual({
      requestId: 'SR-20260901-7K3M9QXA',
      status: 'IN_REVIEW',
      links: { status: `${BASE_URL}/requests/SR-20260901-7K3M9QXA` },
    });
    expect(res.headers?.Location).toBe(`${BASE_URL}/requests/SR-20260901-7K3M9QXA`);

    // the request record
    const [record] = requests();
    expect(record).toMatchObject({
      requestId: 'SR-20260901-7K3M9QXA',
      status: 'IN_REVIEW',
      currentStep: 2,
      currentActivity: 'Submitted; waiting for security vetting',
      replacementCount: 0,
      createdAt: NOW.toISOString(),
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:software-request:SR-20260901-7K3M9QXA`,
      resource: {
        name: 'Fraction Lab',
        url: 'https://fractionlab.example.com',
        usesWebsite: true,
        kind: 'web-service',
        vendorName: 'Numeracy Co',
        cost: 1200,
        studentDataShared: true,
      },
    });
    expect(record?.submitted).toMatchObject({ requesterEmail: 'maria.lopez@district.example', cost: 1200 });

    // the audit trail
    expect(audits()).toEqual([
      expect.objectContaining({
        requestId: 'SR-20260901-7K3M9QXA',
        sopStep: 2,
        type: 'SUBMITTED',
        actor: 'maria.lopez@district.example',
      }),
    ]);

    // the workflow
    const starts = sfnMock.commandCalls(StartExecutionCommand);
    expect(starts).toHaveLength(1);
    const start = starts[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(start.name).toBe('SR-20260901-7K3M9QXA');
    expect(JSON.parse(start.input ?? '')).toEqual({
      requestId: 'SR-20260901-7K3M9QXA',
      requestType: 'instructional',
      resource: record?.resource,
      replacementCount: 0,
      questions: { asked: 0 },
      rerouted: false,
    });

    // the acknowledgement
    const mails = sesMock.commandCalls(SendEmailCommand);
    expect(mails).toHaveLength(1);
    const mail = mails[0]!.args[0].input;
    expect(mail.Destination?.ToAddresses).toEqual(['maria.lopez@district.example']);
    expect(mail.Message?.Subject?.Data).toContain('SR-20260901-7K3M9QXA');
    expect(mail.Message?.Body?.Text?.Data).toContain(`${BASE_URL}/requests/SR-20260901-7K3M9QXA`);
    expect(mail.Message?.Body?.Html?.Data).toContain(`href="${BASE_URL}/requests/SR-20260901-7K3M9QXA"`);
    expect(mail.Message?.Body?.Text?.Data).toContain('Budget code: 199-11-6399-00-101');
  });

  it('writes in a crash-safe order: key claim, request, audit, then the execution and its ARN', async () => {
    await submitRequest(jsonEvent(validRequest), deps());

    const puts = ddb
      .commandCalls(PutCommand)
      .map((c) => `${c.args[0].input.Item?.PK} ${String(c.args[0].input.Item?.SK).replace(/#.*$/, '#…')}`);
    expect(puts).toEqual([
      expect.stringMatching(/^IDEMPOTENCY#body:[0-9a-f]{64} IDEMPOTENCY$/),
      'REQUEST#SR-20260901-7K3M9QXA REQUEST',
      'REQUEST#SR-20260901-7K3M9QXA AUDIT#…',
      // The acknowledgement recorded in the outbox before it is sent.
      'REQUEST#SR-20260901-7K3M9QXA OUTBOX#…',
    ]);
    // Every put creates its item; a key claim (or outbox entry) may also take over a released one.
    for (const put of ddb.commandCalls(PutCommand))
      expect(put.args[0].input.ConditionExpression).toBe(
        /^(IDEMPOTENCY|OUTBOX)$/.test(String(put.args[0].input.Item?.entity).toUpperCase())
          ? 'attribute_not_exists(PK) OR released = :released'
          : 'attribute_not_exists(PK)',
      );
    // The acknowledgement marked sent, then the execution recorded.
    const updates = ddb.commandCalls(UpdateCommand).map((c) => String(c.args[0].input.Key?.SK));
    expect(updates).toEqual(['OUTBOX#ack', 'REQUEST']);
  });

  it('escapes every user value in the acknowledgement email', async () => {
    const res = await submitRequest(
      jsonEvent({ ...validRequest, resourceName: '<script>alert(1)</script>', vendorName: 'A & B "Co"' }),
      deps(),
    );

    expect(res.statusCode).toBe(201);
    const htmlBody = sesMock.commandCalls(SendEmailCommand)[0]!.args[0].input.Message?.Body?.Html?.Data ?? '';
    expect(htmlBody).not.toContain('<script>');
    expect(htmlBody).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(htmlBody).toContain('A &amp; B &quot;Co&quot;');
  });

  it('a free resource without a website still starts the workflow with usesWebsite false and cost 0', async () => {
    const { resourceUrl: _url, ...noUrl } = validRequest;
    await submitRequest(
      jsonEvent({
        ...noUrl,
        resourceKind: 'software',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
      deps(),
    );

    const input = JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input ?? '');
    expect(input.resource).toEqual({
      name: 'Fraction Lab',
      usesWebsite: false,
      kind: 'software',
      vendorName: 'Numeracy Co',
      cost: 0,
      studentDataShared: false,
    });
  });

  it('never logs the requester name or email', async () => {
    const calls: unknown[] = [];
    for (const level of ['debug', 'info', 'warn', 'error'] as const)
      vi.spyOn(logger, level).mockImplementation((...args: unknown[]) => {
        calls.push(args);
      });

    await submitRequest(jsonEvent(validRequest), deps());

    const logged = JSON.stringify(calls);
    expect(calls.length).toBeGreaterThan(0);
    expect(logged).not.toMatch(/maria/i);
    expect(logged).not.toContain('Lopez');
  });
});

describe('SOP 1–2 from the HTML form', () => {
  it('coerces the form, stores the same request as the JSON API would, and redirects (303) to the status page', async () => {
    const res = await submitRequest(formEvent(validForm), deps());

    expect(res.statusCode).toBe(303);
    expect(res.headers?.Location).toBe(`${BASE_URL}/requests/SR-20260901-7K3M9QXA`);
    expect(requests()[0]?.submitted).toEqual({
      ...validRequest,
      requesterEmail: 'maria.lopez@district.example',
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('re-renders the form with an error summary, per-field messages and the values kept, and writes nothing', async () => {
    const res = await submitRequest(
      formEvent({ ...validForm, requesterEmail: 'not-an-email', cost: 'twelve', studentDataElements: '' }),
      deps(),
    );

    expect(res.statusCode).toBe(400);
    expect(res.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(res.body).toContain('There is a problem with your request');
    expect(res.body).toContain('<a href="#requesterEmail">Your email must be a valid email address</a>');
    expect(res.body).toContain('<a href="#cost">Cost must be a number of US dollars (0 if free)</a>');
    expect(res.body).toMatch(
      /id="requesterEmail"[^>]*aria-describedby="requesterEmail-hint requesterEmail-error"/,
    );
    expect(res.body).toContain('value="not-an-email"');
    expect(res.body).toContain('value="twelve"');
    expect(res.body).toContain('value="Fraction Lab"');
    expectNothingWritten();
  });

  it('SOP 2: shared student data without the elements is sent back on that field', async () => {
    const res = await submitRequest(formEvent({ ...validForm, studentDataElements: ' ' }), deps());

    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      '<a href="#studentDataElements">List which student data elements are shared</a>',
    );
    expect(res.body).toMatch(/<textarea id="studentDataElements"[^>]*aria-invalid="true"/);
    expectNothingWritten();
  });

  it('keeps the chosen radio buttons when the form is shown again', async () => {
    const res = await submitRequest(formEvent({ ...validForm, requesterName: '' }), deps());

    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/id="studentDataShared-yes"[^>]*checked/);
    expect(res.body).toMatch(/id="resourceKind-web-service"[^>]*checked/);
    expect(res.body).not.toMatch(/id="studentDataShared-no"[^>]*checked/);
  });
});

describe('SOP 2: every missing or wrong field gets its own message and nothing is stored', () => {
  const { studentDataElements: _e, ...withoutElements } = validRequest;
  const { resourceUrl: _u, ...withoutUrl } = validRequest;
  const cases: [string, unknown, string, RegExp][] = [
    [
      'a missing name',
      { ...validRequest, requesterName: undefined },
      'requesterName',
      /Your name is required/,
    ],
    ['a blank name', { ...validRequest, requesterName: '   ' }, 'requesterName', /Your name is required/],
    ['a bad email', { ...validRequest, requesterEmail: 'maria@' }, 'requesterEmail', /valid email/],
    ['an unknown request type', { ...validRequest, requestType: 'personal' }, 'requestType', /instructional/],
    ['an unknown resource kind', { ...validRequest, resourceKind: 'game' }, 'resourceKind', /software/],
    ['a negative cost', { ...validRequest, cost: -5 }, 'cost', /cannot be negative/],
    ['a cost given as text', { ...validRequest, cost: '1200' }, 'cost', /must be a number/],
    [
      'a non-http website link',
      { ...validRequest, resourceUrl: 'javascript:alert(1)' },
      'resourceUrl',
      /http/,
    ],
    ['a web service without its website', { ...withoutUrl }, 'resourceUrl', /web service needs its website/],
    ['no grade levels', { ...validRequest, gradeLevels: [] }, 'gradeLevels', /at least one/],
    ['grade levels as text', { ...validRequest, gradeLevels: '3, 4' }, 'gradeLevels', /must be a list/],
    [
      'media release as text',
      { ...validRequest, mediaReleaseRequired: 'maybe' },
      'mediaReleaseRequired',
      /yes or no/,
    ],
    ['no TEKS', { ...validRequest, teksAddressed: [] }, 'teksAddressed', /at least one/],
    ['shared student data without elements', withoutElements, 'studentDataElements', /student data elements/],
    [
      'a too long vision',
      { ...validRequest, studentUseVision: 'x'.repeat(2001) },
      'studentUseVision',
      /at most 2000/,
    ],
  ];

  it.each(cases)('%s → 400 on that field', async (_name, request, field, message) => {
    const res = await submitRequest(jsonEvent(request), deps());

    expect(res.statusCode).toBe(400);
    const errors = body(res).errors as { field: string; message: string }[];
    expect(errors).toContainEqual({ field, message: expect.stringMatching(message) });
    expectNothingWritten();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('an empty object lists every required field at once', async () => {
    const res = await submitRequest(jsonEvent({}), deps());

    expect(res.statusCode).toBe(400);
    const fields = (body(res).errors as { field: string }[]).map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'requesterName',
        'requesterEmail',
        'requestType',
        'resourceName',
        'resourceKind',
        'vendorName',
        'cost',
        'paymentResponsibility',
        'budgetCode',
        'principal',
        'gradeLevels',
        'contentAreas',
        'mediaReleaseRequired',
        'teksAddressed',
        'studentUseVision',
        'commonCoreAlignment',
        'studentLoginRequired',
        'studentDataShared',
      ]),
    );
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a malformed Idempotency-Key → 400 on Idempotency-Key, even with a valid body', async () => {
    const res = await submitRequest(jsonEvent(validRequest, { 'Idempotency-Key': 'short' }), deps());

    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual({
      errors: [{ field: 'Idempotency-Key', message: expect.stringMatching(/8 to 128 characters/) }],
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a JSON body from a browser (Accept text/html) gets the form back with its values', async () => {
    const res = await submitRequest(
      jsonEvent({ ...validRequest, cost: -1 }, { Accept: 'text/html' }),
      deps(),
    );

    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('<a href="#cost">Cost cannot be negative</a>');
    expect(res.body).toContain('value="Fraction Lab"');
    expect(res.body).toMatch(/<textarea id="gradeLevels"[^>]*>3\n4<\/textarea>/);
    expectNothingWritten();
  });
});

describe('the HTTP edge (handler)', () => {
  beforeEach(() => {
    vi.stubEnv('TABLE_NAME', 'requests');
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('MAIL_FROM', 'no-reply@district.example');
    vi.stubEnv('REQUESTER_EMAIL_DOMAINS', 'district.example');
    vi.stubEnv('SUBMISSION_LIMITS', '{"perRequesterPerHour":10,"perAddressPerHour":60}');
    vi.stubEnv('PUBLIC_BASE_URL', `${BASE_URL}/`);
  });
  afterEach(() => vi.unstubAllEnvs());

  it('malformed JSON → 400 on (body), nothing written', async () => {
    const res = await handler(jsonEvent('{"requesterName": '), lambdaContext);

    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual({
      errors: [{ field: '(body)', message: 'The request body is not valid JSON' }],
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it('an unsupported content type → 400, nothing written', async () => {
    const res = await handler(jsonEvent('<request/>', { 'Content-Type': 'application/xml' }), lambdaContext);

    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(body(res))).toContain('Send JSON or an HTML form');
    expect(ddb.calls()).toHaveLength(0);
  });

  it('STATE_MACHINE_ARN must be a state machine ARN (the message names the variable)', () => {
    expect(() => readStateMachineArn({ STATE_MACHINE_ARN: 'software-request' })).toThrow(/STATE_MACHINE_ARN/);
    expect(() => readStateMachineArn({})).toThrow(/STATE_MACHINE_ARN/);
    expect(readStateMachineArn({ STATE_MACHINE_ARN })).toBe(STATE_MACHINE_ARN);
  });
});

describe('idempotency: a repeated submission resolves to the first request', () => {
  const key = { 'Idempotency-Key': 'form-2026-09-01:abc.123' };

  it('the same Idempotency-Key and body → 200 with the same request id; started and acknowledged once', async () => {
    const first = await submitRequest(jsonEvent(validRequest, key), deps());
    const second = await submitRequest(jsonEvent(validRequest, key), deps());

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(200);
    expect(body(second)).toEqual(body(first));
    expect(requests()).toHaveLength(1);
    expect(audits()).toHaveLength(1);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    expect(stored('IDEMPOTENCY#')[0]?.PK).toBe('IDEMPOTENCY#key:form-2026-09-01:abc.123');
  });

  it('the same Idempotency-Key with a different body → 422 and nothing new is written', async () => {
    await submitRequest(jsonEvent(validRequest, key), deps());
    ddb.resetHistory();
    sfnMock.resetHistory();

    const res = await submitRequest(jsonEvent({ ...validRequest, cost: 99 }, key), deps());

    expect(res.statusCode).toBe(422);
    expect(body(res)).toEqual({
      errors: [
        { field: 'Idempotency-Key', message: expect.stringMatching(/already used for a different request/) },
      ],
    });
    expect(requests()).toHaveLength(1);
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('an identical body without a key (a double-click) → the same request, not a second one', async () => {
    const first = await submitRequest(formEvent(validForm), deps());
    const second = await submitRequest(
      formEvent({ ...validForm, requesterEmail: 'MARIA.LOPEZ@district.example ' }),
      deps(),
    );

    expect(first.headers?.Location).toBe(second.headers?.Location);
    expect(requests()).toHaveLength(1);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('two identical submissions at the same moment (a double-click) → one request, one execution name, one email', async () => {
    const [a, b] = await Promise.all([
      submitRequest(formEvent(validForm), deps()),
      submitRequest(formEvent(validForm), deps()),
    ]);

    expect(a.headers?.Location).toBe(`${BASE_URL}/requests/SR-20260901-7K3M9QXA`);
    expect(b.headers?.Location).toBe(a.headers?.Location);
    expect(requests()).toHaveLength(1);
    const names = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(new Set(names)).toEqual(new Set(['SR-20260901-7K3M9QXA']));
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('a different request without a key is a new request', async () => {
    await submitRequest(jsonEvent(validRequest), deps());
    const res = await submitRequest(jsonEvent({ ...validRequest, resourceName: 'Fraction Lab Pro' }), deps());

    expect(res.statusCode).toBe(201);
    expect(body(res).requestId).toBe('SR-20260901-8M4N0RYB');
    expect(requests()).toHaveLength(2);
  });
});

describe('failures: nothing is lost and a resubmission completes the request', () => {
  it('StartExecution throttled → 503 with the request id; the request is stored; resubmitting starts it and acknowledges', async () => {
    const key = { 'Idempotency-Key': 'retry-me-0001' };
    sfnMock
      .on(StartExecutionCommand)
      .rejectsOnce(throttled())
      .resolves({ executionArn: executionArnFor(STATE_MACHINE_ARN, 'SR-20260901-7K3M9QXA'), startDate: NOW });

    const res = await submitRequest(jsonEvent(validRequest, key), deps());

    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('5');
    expect(body(res)).toEqual({
      error: 'Service Unavailable',
      message:
        'Your request SR-20260901-7K3M9QXA is saved; submit again with the same Idempotency-Key to continue',
      requestId: 'SR-20260901-7K3M9QXA',
    });
    expect(requests()[0]).toMatchObject({ requestId: 'SR-20260901-7K3M9QXA', status: 'IN_REVIEW' });
    expect(requests()[0]?.executionArn).toBeUndefined();
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);

    // Act again: the client retries with the same key
    const retry = await submitRequest(jsonEvent(validRequest, key), deps());

    expect(retry.statusCode).toBe(200);
    expect(body(retry).requestId).toBe('SR-20260901-7K3M9QXA');
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(2);
    expect(requests()[0]?.executionArn).toBe(executionArnFor(STATE_MACHINE_ARN, 'SR-20260901-7K3M9QXA'));
    expect(audits()).toHaveLength(1);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('StartExecution says ExecutionAlreadyExists → success: the workflow is already running', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));

    const res = await submitRequest(jsonEvent(validRequest), deps());

    expect(res.statusCode).toBe(201);
    expect(requests()[0]?.executionArn).toBe(executionArnFor(STATE_MACHINE_ARN, 'SR-20260901-7K3M9QXA'));
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
  });

  it('StartExecution denied (not retryable) → still 503 with the request id, since the request is stored', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException', $metadata: {} }));

    const res = await submitRequest(jsonEvent(validRequest), deps());

    expect(res.statusCode).toBe(503);
    expect(body(res).message).toBe(
      'Your request SR-20260901-7K3M9QXA is saved; submit the same request again to continue',
    );
    expect(res.body).not.toContain('not authorized');
  });

  it('DynamoDB throttling on the first write → 503 without internals; nothing started', async () => {
    ddb.on(PutCommand).rejects(throttled('ProvisionedThroughputExceededException'));

    const res = await submitRequest(jsonEvent(validRequest), deps());

    expect(res.statusCode).toBe(503);
    expect(body(res)).toEqual({
      error: 'Service Unavailable',
      message: 'The service is busy. Nothing was saved; please submit your request again in a moment.',
    });
    expect(res.body).not.toMatch(/Provisioned|Throughput|Rate exceeded/);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('DynamoDB throttling after the key is claimed → 503 naming the reserved id; the resubmission creates and starts it', async () => {
    const key = { 'Idempotency-Key': 'retry-me-0002' };
    let requestPuts = 0;
    ddb.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
      if (input.Item.SK === 'REQUEST' && requestPuts++ === 0) throw throttled();
      const k = keyOf(input.Item);
      if (input.ConditionExpression?.includes('attribute_not_exists(PK)') && table.has(k))
        throw conditionFailed();
      table.set(k, structuredClone(input.Item));
      return {};
    });

    const res = await submitRequest(jsonEvent(validRequest, key), deps());

    expect(res.statusCode).toBe(503);
    expect(body(res)).toEqual({
      error: 'Service Unavailable',
      message:
        'Your request SR-20260901-7K3M9QXA could not be saved just now; submit again with the same Idempotency-Key to continue',
      requestId: 'SR-20260901-7K3M9QXA',
    });
    expect(requests()).toHaveLength(0);
    expect(res.body).not.toContain('Throttling');

    const retry = await submitRequest(jsonEvent(validRequest, key), deps());

    expect(retry.statusCode).toBe(201);
    expect(body(retry).requestId).toBe('SR-20260901-7K3M9QXA');
    expect(requests()).toHaveLength(1);
    expect(audits()).toHaveLength(1);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('a crash between storing the request and auditing it: the resubmission adds the SUBMITTED event exactly once', async () => {
    let auditPuts = 0;
    ddb.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
      if (String(input.Item.SK).startsWith('AUDIT#') && auditPuts++ === 0) throw throttled();
      const k = keyOf(input.Item);
      if (input.ConditionExpression?.includes('attribute_not_exists(PK)') && table.has(k))
        throw conditionFailed();
      table.set(k, structuredClone(input.Item));
      return {};
    });

    const first = await submitRequest(jsonEvent(validRequest), deps());
    expect(first.statusCode).toBe(503);
    expect(audits()).toHaveLength(0);

    const retry = await submitRequest(jsonEvent(validRequest), deps());

    expect(retry.statusCode).toBe(200);
    expect(audits()).toEqual([expect.objectContaining({ type: 'SUBMITTED', sopStep: 2 })]);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('the acknowledgement email fails → still 201, the workflow runs, and the request stays listed for the recovery sweep to send it', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Email address is not verified'), { name: 'MessageRejected' }));

    const res = await submitRequest(jsonEvent(validRequest), deps());

    expect(res.statusCode).toBe(201);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
    // not marked started: still in the UNSTARTED index, with the acknowledgement's outbox entry released
    // (nothing went out), so the sweep records and sends it afresh
    expect(requests()[0]?.executionArn).toBeUndefined();
    expect(requests()[0]?.GSI2PK).toBe('UNSTARTED');
    expect([...table.values()].find((i) => i.SK === 'OUTBOX#ack')?.released).toBe(true);
  });

  it('the acknowledgement could not be recorded (throttled) → 201 anyway; the replay sends it, once', async () => {
    let ackClaims = 0;
    ddb.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
      if (input.Item.SK === 'OUTBOX#ack' && ackClaims++ === 0) throw throttled();
      const k = keyOf(input.Item);
      if (input.ConditionExpression?.includes('attribute_not_exists(PK)') && table.has(k))
        throw conditionFailed();
      table.set(k, structuredClone(input.Item));
      return {};
    });

    const first = await submitRequest(jsonEvent(validRequest), deps());
    expect(first.statusCode).toBe(201);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(0);

    await submitRequest(jsonEvent(validRequest), deps());
    await submitRequest(jsonEvent(validRequest), deps());

    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(1);
    // Each attempt that had not recorded the execution asks again, by the same name: one execution.
    const names = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(new Set(names).size).toBe(1);
  });

  it('a form post that hits a failure gets the form back with its values and what to do', async () => {
    sfnMock.on(StartExecutionCommand).rejects(throttled());

    const res = await submitRequest(formEvent(validForm), deps());

    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Content-Type']).toMatch(/^text\/html/);
    expect(res.body).toContain(
      'Your request SR-20260901-7K3M9QXA is saved; submit the same request again to continue',
    );
    expect(res.body).toContain('value="Fraction Lab"');
  });
});

describe('request ids and form coercion', () => {
  it('request ids are SR-YYYYMMDD-XXXXXXXX in Crockford base32, valid execution names', () => {
    const id = newRequestId(NOW, () => Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff]));
    expect(id).toBe('SR-20260901-ZZZZZZZZ');
    expect(newRequestId(NOW, () => new Uint8Array(5))).toBe('SR-20260901-00000000');
    const random = newRequestId(NOW);
    expect(random).toMatch(REQUEST_ID_PATTERN);
    expect(random.length).toBeLessThanOrEqual(80);
    expect(isRequestId('SR-20260901-7K3M9QXI')).toBe(false); // I is not Crockford
    expect(isRequestId('sr-20260901-7K3M9QXA')).toBe(false);
  });

  it('form text becomes booleans, a number and lists; empty optional fields are dropped', () => {
    expect(
      formToRequestInput({
        requesterName: 'Ann',
        resourceUrl: '  ',
        mediaReleaseRequired: 'No',
        studentLoginRequired: 'on',
        studentDataShared: 'true',
        cost: '$1,200.50',
        gradeLevels: 'K, 1\n2,, ',
        contentAreas: ['Math', 'Science, Art'],
        teksAddressed: '',
        studentDataElements: '',
      }),
    ).toEqual({
      requesterName: 'Ann',
      mediaReleaseRequired: false,
      studentLoginRequired: true,
      studentDataShared: true,
      cost: 1200.5,
      gradeLevels: ['K', '1', '2'],
      contentAreas: ['Math', 'Science', 'Art'],
      teksAddressed: [],
    });
  });

  it('unreadable form values are left for the schema to reject with its own message', () => {
    expect(toCost('twelve')).toBe('twelve');
    expect(toCost('1,20')).toBe('1,20');
    expect(toCost('')).toBeUndefined();
    expect(formToRequestInput({ mediaReleaseRequired: 'maybe' })).toMatchObject({
      mediaReleaseRequired: 'maybe',
    });
    expect(toList(undefined)).toEqual([]);
  });

  it('equal requests hash equally whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });
});

describe('hostile input is rejected before anything is written, with a message on its field', () => {
  const ESC = '\u001b';
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ...(['requesterName', 'resourceName', 'vendorName', 'principal'] as const).map(
      (field): [string, Record<string, unknown>, string, RegExp] => [
        `a lone surrogate in ${field}`,
        { [field]: 'ab\ud800cd' },
        field,
        /contains a broken character \(an unpaired surrogate\); please retype it$/,
      ],
    ),
    [
      'NUL in the resource name',
      { resourceName: 'Fraction\u0000Lab' },
      'resourceName',
      /^Name of resource must be one line of text without tabs or control characters$/,
    ],
    ['BEL in the vendor', { vendorName: 'Numeracy\u0007Co' }, 'vendorName', /^Vendor must be one line/],
    ['ESC in the name', { requesterName: `${ESC}[31mMaria` }, 'requesterName', /^Your name must be one line/],
    [
      'ESC in a grade level',
      { gradeLevels: ['3', `4${ESC}`] },
      'gradeLevels',
      /^Grade levels must be one line/,
    ],
    [
      'NUL in the (multi-line) vision',
      { studentUseVision: 'Stations\n\u0000' },
      'studentUseVision',
      /^Student use vision must not contain control characters \(line breaks and tabs are fine\)$/,
    ],
    [
      'a name made only of zero-width characters',
      { requesterName: '\u200b\u200c\u200d\ufeff' },
      'requesterName',
      /^Your name is required$/,
    ],
    [
      'U+FFFD left by a broken encoding',
      { principal: 'Dr. Gr\ufffdne' },
      'principal',
      /^Principal contains an unreadable character/,
    ],
    [
      'a 200 KB website link',
      { resourceUrl: `https://fractionlab.example.com/${'a'.repeat(200_000)}` },
      'resourceUrl',
      /^Website link must be at most 2048 characters$/,
    ],
    [
      'a 250 KB website link',
      { resourceUrl: `https://fractionlab.example.com/?q=${'a'.repeat(250_000)}` },
      'resourceUrl',
      /^Website link must be at most 2048 characters$/,
    ],
    [
      'a budget code of 61 characters',
      { budgetCode: '1'.repeat(61) },
      'budgetCode',
      /^Budget code must be at most 60 characters$/,
    ],
    [
      '31 content areas',
      { contentAreas: Array.from({ length: 31 }, (_, i) => `Area ${i}`) },
      'contentAreas',
      /^At most 30 content areas$/,
    ],
    ...[
      'http://127.0.0.1',
      'http://localhost',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]',
      'http://0x7f000001',
      'http://10.0.0.1',
    ].map((url): [string, Record<string, unknown>, string, RegExp] => [
      `the address ${url}`,
      { resourceUrl: url },
      'resourceUrl',
      /^Website link must (name the website, not an IP address|be a public website)/,
    ]),
    [
      'a link with credentials',
      { resourceUrl: 'https://user:pass@fractionlab.example.com' },
      'resourceUrl',
      /^Website link must not include a user name or password$/,
    ],
    [
      'a host without a dot',
      { resourceUrl: 'https://a' },
      'resourceUrl',
      /^Website link must be a full website name with a dot/,
    ],
    [
      'a link with CRLF',
      { resourceUrl: 'https://fractionlab.example.com/\r\nSet-Cookie: x=1' },
      'resourceUrl',
      /^Website link must not contain spaces, line breaks or control characters$/,
    ],
  ];

  it.each(cases)('%s → 400 on that field', async (_name, change, field, message) => {
    // JSON escapes (\ud800, \ufffd) reach the fields; a raw U+FFFD in the body is refused earlier.
    const json = JSON.stringify({ ...validRequest, ...change }).replace(/\uFFFD/g, '\\ufffd');
    const res = await submitRequest(jsonEvent(json), deps());

    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual({ errors: [{ field, message: expect.stringMatching(message) }] });
    expect(ddb.calls()).toHaveLength(0);
    expectNothingWritten();
  });

  it('the form shows the message next to the field and keeps the other values', async () => {
    const res = await submitRequest(
      formEvent({ ...validForm, requesterName: `Maria${ESC}`, resourceUrl: 'http://127.0.0.1' }),
      deps(),
    );

    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(
      '<a href="#requesterName">Your name must be one line of text without tabs or control characters</a>',
    );
    expect(res.body).toContain(
      '<a href="#resourceUrl">Website link must name the website, not an IP address</a>',
    );
    expect(res.body).toMatch(/id="resourceUrl"[^>]*aria-describedby="[^"]*resourceUrl-error"/);
    expect(res.body).toContain('value="Fraction Lab"');
    expectNothingWritten();
  });

  it('a valid request with text from any script, emoji and a multi-line vision is stored as given (trimmed)', async () => {
    const request = {
      ...validRequest,
      requesterName: '\u200b Zoë Ñúñez 王 ',
      vendorName: 'Numeracy Co 👩🏽‍🏫',
      studentUseVision: 'Stations:\r\n\t1. fractions\r\n\t2. models',
    };
    const res = await submitRequest(jsonEvent(request), deps());

    expect(res.statusCode).toBe(201);
    expect(requests()[0]?.submitted).toMatchObject({
      requesterName: 'Zoë Ñúñez 王',
      vendorName: 'Numeracy Co 👩🏽‍🏫',
      studentUseVision: 'Stations:\n\t1. fractions\n\t2. models',
    });
  });
});

describe('bodies that are not UTF-8 are rejected, never repaired', () => {
  const notUtf8 = {
    errors: [
      { field: '(body)', message: 'The request body is not valid UTF-8 text; send it encoded as UTF-8' },
    ],
  };

  it('a base64 JSON body with an invalid byte → 400, nothing written', async () => {
    // "Mar\xFFa": Latin-1 sent as if it were UTF-8.
    const bytes = Buffer.concat([
      Buffer.from('{"requesterName":"Mar'),
      Buffer.from([0xff]),
      Buffer.from('a"}'),
    ]);
    const event = { ...jsonEvent(''), body: bytes.toString('base64'), isBase64Encoded: true };

    const res = await handlerResponse(event);

    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual(notUtf8);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a base64 JSON body in valid UTF-8 is read as usual', async () => {
    const event = {
      ...jsonEvent(''),
      body: Buffer.from(JSON.stringify({ ...validRequest, requesterName: 'Zoë' })).toString('base64'),
      isBase64Encoded: true,
    };

    const res = await submitRequest(event, deps());

    expect(res.statusCode).toBe(201);
    expect(requests()[0]?.submitted).toMatchObject({ requesterName: 'Zoë' });
  });

  it('a text body in which API Gateway replaced invalid bytes with U+FFFD → 400', async () => {
    const res = await handlerResponse(
      jsonEvent(JSON.stringify({ ...validRequest, requesterName: 'Mar\ufffda' })),
    );

    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual(notUtf8);
  });

  it('a form field percent-encoding bytes that are not UTF-8 (%FF) → 400, not U+FFFD', async () => {
    const form = new URLSearchParams({ ...validForm, principal: 'BROKEN' })
      .toString()
      .replace('BROKEN', 'Dr.%20Gr%FFne');
    const res = await handlerResponse(
      jsonEvent(form, { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' }),
    );

    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual(notUtf8);
    expect(ddb.calls()).toHaveLength(0);
  });

  it('a form in UTF-8 (%C3%AB) is decoded as usual', async () => {
    const res = await submitRequest(formEvent({ ...validForm, principal: 'Dr. Zoë Greene' }), deps());

    expect(res.statusCode).toBe(303);
    expect(requests()[0]?.submitted).toMatchObject({ principal: 'Dr. Zoë Greene' });
  });

  async function handlerResponse(event: HttpEvent): Promise<HttpResponse> {
    vi.stubEnv('TABLE_NAME', 'requests');
    vi.stubEnv('STATE_MACHINE_ARN', STATE_MACHINE_ARN);
    vi.stubEnv('MAIL_FROM', 'no-reply@district.example');
    vi.stubEnv('REQUESTER_EMAIL_DOMAINS', 'district.example');
    vi.stubEnv('SUBMISSION_LIMITS', '{"perRequesterPerHour":10,"perAddressPerHour":60}');
    vi.stubEnv('PUBLIC_BASE_URL', BASE_URL);
    try {
      return await handler(event, lambdaContext);
    } finally {
      vi.unstubAllEnvs();
    }
  }
});

describe('a failed request write leaves no claim behind', () => {
  const tooLarge = () =>
    Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
      name: 'ValidationException',
      $metadata: { httpStatusCode: 400 },
    });

  it('DynamoDB rejects the request item for good → the error surfaces, the claim is released, and the same body can be submitted again', async () => {
    const key = { 'Idempotency-Key': 'too-large-0001' };
    let rejectRequest = true;
    ddb.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
      if (input.Item.SK === 'REQUEST' && rejectRequest) throw tooLarge();
      return putItem(input);
    });

    await expect(submitRequest(jsonEvent(validRequest, key), deps())).rejects.toThrow(/Item size/);

    // Released, not deleted: the functions' grant has no DeleteItem, and claiming overwrites it.
    expect(stored('IDEMPOTENCY#')).toEqual([
      expect.objectContaining({ PK: 'IDEMPOTENCY#key:too-large-0001', released: true }),
    ]);
    expect(requests()).toHaveLength(0);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);

    rejectRequest = false;
    const again = await submitRequest(jsonEvent(validRequest, key), deps());

    expect(again.statusCode).toBe(201);
    expect(requests()).toHaveLength(1);
    const [claim] = stored('IDEMPOTENCY#key:');
    expect(claim?.requestId).toBe(body(again).requestId);
    expect(claim).not.toHaveProperty('released');
  });

  it('a transient failure keeps the claim: the write may have landed, and the resubmission resumes it', async () => {
    ddb.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
      if (input.Item.SK === 'REQUEST') throw throttled();
      table.set(keyOf(input.Item), structuredClone(input.Item));
      return {};
    });

    const res = await submitRequest(jsonEvent(validRequest), deps());

    expect(res.statusCode).toBe(503);
    expect(stored('IDEMPOTENCY#')).toEqual([expect.not.objectContaining({ released: true })]);
  });
});

describe('a resubmission reports the request as it is now', () => {
  it('after a denial, the same body and key → 200 with "status": "DENIED", not IN_REVIEW', async () => {
    const key = { 'Idempotency-Key': 'denied-later-0001' };
    const first = await submitRequest(jsonEvent(validRequest, key), deps());
    const record = requests()[0]!;
    record.status = 'DENIED';

    const again = await submitRequest(jsonEvent(validRequest, key), deps());

    expect(first.statusCode).toBe(201);
    expect(body(first).status).toBe('IN_REVIEW');
    expect(again.statusCode).toBe(200);
    expect(body(again)).toEqual({
      requestId: body(first).requestId,
      status: 'DENIED',
      links: { status: `${BASE_URL}/requests/${body(first).requestId}` },
    });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });
});

describe('POST /requests with sign-in (AUTH_MODE=sso): the requester is who signed in', () => {
  const teacher = person('pat.teacher@district.example.org', []);

  it('records the signed-in person as the requester whatever the body says, with the session CSRF token', async () => {
    const kit = ssoCaller(() => NOW);
    const { cookie, csrf } = await kit.signIn(teacher);
    const event = jsonEvent(
      { ...validRequest, requesterName: 'Someone Else', requesterEmail: 'someone.else@district.example' },
      { cookie, 'x-csrf-token': csrf },
    );

    const res = await submitRequest(event, deps(), kit.deps);

    expect(res.statusCode).toBe(201);
    expect(requests()[0]).toMatchObject({
      submitted: { requesterName: teacher.name, requesterEmail: teacher.email },
    });
    expect(sesMock.commandCalls(SendEmailCommand)[0]?.args[0].input.Destination?.ToAddresses).toEqual([
      teacher.email,
    ]);
  });

  it('refuses a session post without its CSRF token (403) and stores nothing', async () => {
    const kit = ssoCaller(() => NOW);
    const { cookie } = await kit.signIn(teacher);

    await expect(submitRequest(jsonEvent(validRequest, { cookie }), deps(), kit.deps)).rejects.toMatchObject({
      status: 403,
      reason: 'csrf',
    });
    expect(requests()).toEqual([]);
  });

  it('sends a browser that is not signed in to sign in, and answers an API client 401; nothing is stored', async () => {
    const kit = ssoCaller(() => NOW);

    const page = await submitRequest(formEvent(validForm), deps(), kit.deps);
    expect(page.statusCode).toBe(303);
    expect(String(page.headers?.Location)).toContain('/auth/login?returnTo=%2F');
    await expect(submitRequest(jsonEvent(validRequest), deps(), kit.deps)).rejects.toMatchObject({
      status: 401,
    });
    expect(requests()).toEqual([]);
  });
});

describe('abuse limits (issue 24): refused before anything is claimed, stored or sent', () => {
  const domains = { requesterEmailDomains: ['district.example'] };

  it('a requester outside the district domains → 400 on requesterEmail, nothing written or sent', async () => {
    const res = await submitRequest(
      jsonEvent({ ...validRequest, requesterEmail: 'victim@elsewhere.example' }),
      deps(domains),
    );

    expect(res.statusCode).toBe(400);
    expect(body(res)).toEqual({
      errors: [{ field: 'requesterEmail', message: expect.stringContaining('@district.example') }],
    });
    expectNothingWritten();
    expect(ddb.calls()).toHaveLength(0);
  });

  it('the form shows the same message beside the field', async () => {
    const res = await submitRequest(
      formEvent({ ...validForm, requesterEmail: 'x@elsewhere.example' }),
      deps(domains),
    );

    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('requests are accepted only from the district');
    expectNothingWritten();
  });

  it('over the hourly limit → 429 with Retry-After, nothing written or sent', async () => {
    const admit = vi.fn(async () => ({ admitted: false as const, retryAfterSeconds: 1200 }));

    const res = await submitRequest(jsonEvent(validRequest), deps({ ...domains, admit }));
    const page = await submitRequest(formEvent(validForm), deps({ ...domains, admit }));

    expect(res.statusCode).toBe(429);
    expect(res.headers?.['Retry-After']).toBe('1200');
    expect(body(res)).toEqual({
      error: 'Too Many Requests',
      message: expect.stringMatching(/in 20 minutes/),
    });
    expect(page.statusCode).toBe(429);
    expect(page.headers?.['Retry-After']).toBe('1200');
    expect(page.body).toContain('Nothing was saved');
    expectNothingWritten();
  });

  it('counts the client address without sign-in, and the signed-in person with it', async () => {
    const admit = vi.fn(async () => ({ admitted: true as const }));
    await submitRequest(jsonEvent(validRequest), deps({ admit }));
    const kit = ssoCaller(() => NOW);
    const teacher = person('pat.teacher@district.example.org', []);
    const { cookie, csrf } = await kit.signIn(teacher);
    await submitRequest(jsonEvent(validRequest, { cookie, 'x-csrf-token': csrf }), deps({ admit }), kit.deps);

    expect(admit.mock.calls.map((call) => call.at(1))).toEqual([
      { address: '203.0.113.10' },
      { signedIn: teacher.email },
    ]);
  });
});
