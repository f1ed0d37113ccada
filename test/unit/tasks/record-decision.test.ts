import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { InvalidToken, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler, recordDecision } from '#lambdas/record-decision.ts';
import { dynamoDb, sfn } from '#shared/core/aws/clients.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { licenseKeyKey, taskKey } from '#shared/core/store/keys.ts';
import { decideDepsFor as buildRecordDecisionDeps } from '#shared/deps.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { LinkDecideDeps } from '#shared/tasks/link-endpoints.ts';
import type { TaskRecord } from '#shared/workflow/records.ts';
import { toWorkflowResource } from '#shared/workflow/request-schema.ts';
import { person, ssoCaller } from '../../support/sso-kit.ts';
import {
  auditItems,
  captureLogs,
  ddb,
  givenTable,
  lambdaContext,
  NOW,
  postTaskEvent,
  REQUEST_ID,
  SECRET,
  sentEmails,
  sesMock,
  sfnMock,
  TABLE,
  TASK_ID,
  TOKEN,
  taskRecord,
  writes,
} from '../../support/task-kit.ts';

const BASE = 'https://requests.district.example';
process.env.TABLE_NAME = TABLE;
process.env.MAIL_FROM = 'no-reply@district.example';
process.env.PUBLIC_BASE_URL = BASE;

const CLAIM = '#status = :pending AND secretHash = :hash AND expiresAt > :at';
const RELEASE = '#status = :decided AND decidedAt = :at';

function deps(caller: LinkDecideDeps['caller'] = { mode: 'link' }): LinkDecideDeps {
  return {
    store: new WorkflowStore({ tableName: TABLE, client: dynamoDb, now: () => NOW }),
    sfn,
    mailer: new SesMailer({ from: 'no-reply@district.example' }),
    now: () => NOW,
    publicBaseUrl: BASE,
    caller,
  };
}

const post = (fields: Record<string, string>, options: Parameters<typeof postTaskEvent>[1] = {}) =>
  recordDecision(postTaskEvent({ t: SECRET, ...fields }, options), deps());

function givenTask(overrides: Partial<TaskRecord>) {
  givenTable({ task: taskRecord(overrides) });
}

/** What record-decision sent to Step Functions, as the state machine will read it. */
function sentOutputs(): unknown[] {
  return sfnMock
    .commandCalls(SendTaskSuccessCommand)
    .map((c) => JSON.parse(c.args[0].input.output ?? 'null'));
}

const updatesWith = (condition: string) =>
  ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.ConditionExpression === condition);

/** The request record after every updateRequest: top-level attribute → value (undefined = removed). */
function requestPatch(): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const call of ddb.commandCalls(UpdateCommand)) {
    const input = call.args[0].input;
    if (input.Key?.SK !== 'REQUEST' || !input.UpdateExpression?.includes('#f0')) continue;
    for (const [ref, name] of Object.entries(input.ExpressionAttributeNames ?? {})) {
      patch[name] = input.ExpressionAttributeValues?.[ref.replace('#f', ':v')];
    }
  }
  return patch;
}

/** The `security.<key>` entries written without replacing the rest of the map. */
function securityEntries(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const call of ddb.commandCalls(UpdateCommand)) {
    const input = call.args[0].input;
    if (input.UpdateExpression?.startsWith('SET #security.#key')) {
      out[input.ExpressionAttributeNames?.['#key'] as string] = input.ExpressionAttributeValues?.[':value'];
    }
  }
  return out;
}

beforeEach(() => givenTable({}));

describe('POST /tasks/{id}: a valid decision is recorded once and delivered to the state machine', () => {
  it('SOP 10: "sound" sends SendTaskSuccess with exactly the typed output and the stored token', async () => {
    const response = await post({ decision: 'sound', comment: 'Works on Chromebooks', decidedBy: 'Sam Lee' });

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Decision recorded: Technically sound with district devices');
    const [call] = sfnMock.commandCalls(SendTaskSuccessCommand);
    expect(call?.args[0].input.taskToken).toBe(TOKEN);
    expect(sentOutputs()).toEqual([
      {
        decision: 'sound',
        comment: 'Works on Chromebooks',
        decidedBy: 'Sam Lee',
        decidedAt: NOW.toISOString(),
      },
    ]);
  });

  it('claims the task with a conditional single-use write before telling Step Functions', async () => {
    let claimsWhenSent = -1;
    sfnMock.on(SendTaskSuccessCommand).callsFake(() => {
      claimsWhenSent = updatesWith(CLAIM).length;
      return {};
    });

    await post({ decision: 'sound', decidedBy: 'Sam Lee' });

    expect(claimsWhenSent).toBe(1);

    const [claim] = updatesWith(CLAIM);
    expect(claim?.args[0].input).toMatchObject({
      Key: taskKey(TASK_ID),
      ExpressionAttributeValues: {
        ':status': 'DECIDED',
        ':pending': 'PENDING',
        ':decision': 'sound',
        ':by': 'Sam Lee',
        ':at': NOW.toISOString(),
      },
    });
    expect(claim?.args[0].input.ExpressionAttributeValues?.[':hash']).toBe(taskRecord().secretHash);
  });

  it('audits DECISION_RECORDED with step, kind, decision, who, when, from where and the comment', async () => {
    await post({ decision: 'not-sound', comment: 'Needs Flash', decidedBy: 'Sam Lee' });

    const [audit] = auditItems('DECISION_RECORDED');
    expect(audit).toMatchObject({
      requestId: REQUEST_ID,
      sopStep: 10,
      actor: 'Sam Lee',
      at: NOW.toISOString(),
      detail: {
        sopStep: 10,
        kind: 'technical-review',
        taskId: TASK_ID,
        decision: 'not-sound',
        decidedBy: 'Sam Lee',
        decidedAt: NOW.toISOString(),
        comment: 'Needs Flash',
        sourceIp: '198.51.100.7',
        userAgent: 'Mozilla/5.0 (test)',
        identityVerified: false,
      },
    });
    expect(JSON.stringify(audit)).not.toContain(SECRET);
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
  });

  it('emails the requester the decision, the comment and what happens next', async () => {
    await post({ decision: 'not-sound', comment: 'Needs Flash', decidedBy: 'Sam Lee' });

    const [email] = sentEmails();
    expect(email?.to).toEqual(['dana.reyes@district.example']);
    expect(email?.subject).toBe(
      `Your request ${REQUEST_ID} (Math Blaster): Not technically sound with district devices`,
    );
    expect(email?.text).toContain('Comment: Needs Flash');
    expect(email?.text).toContain('DII and Instructional Technology will look for a replacement resource.');
    expect(email?.text).toContain(`${BASE}/requests/${REQUEST_ID}`);
  });

  it('a JSON client gets JSON', async () => {
    const response = await post({ decision: 'sound', decidedBy: 'Sam Lee' }, { json: true });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ taskId: TASK_ID, decision: 'sound', recorded: true });
  });

  it('a failed requester email is logged, and the decision still counts', async () => {
    sesMock.on(SendEmailCommand).rejects(Object.assign(new Error('down'), { name: 'ServiceUnavailable' }));

    const response = await post({ decision: 'sound', decidedBy: 'Sam Lee' });

    expect(response.statusCode).toBe(200);
    expect(auditItems('DECISION_RECORDED')).toHaveLength(1);
  });
});

describe('each decision writes its facts on the request', () => {
  it('SOP 4 privacy review → security.privacyReview, leaving the other security facts alone', async () => {
    givenTask({ kind: 'privacy-review', team: 'cybersecurity', sopStep: 4 });

    await post({
      decision: 'acceptable',
      decidedBy: 'Casey',
      studentDataRequired: 'yes',
      vendorContactEmail: 'privacy@blaster.example',
    });

    expect(sentOutputs()).toEqual([
      {
        decision: 'acceptable',
        comment: '',
        decidedBy: 'Casey',
        decidedAt: NOW.toISOString(),
        studentDataRequired: true,
        vendorContactEmail: 'privacy@blaster.example',
        // No websites field in the form: the request's link (SOP 5), as its host name.
        websites: ['mathblaster.example'],
      },
    ]);
    expect(securityEntries()).toEqual({
      privacyReview: {
        decision: 'acceptable',
        studentDataRequired: true,
        vendorContactEmail: 'privacy@blaster.example',
        websites: ['mathblaster.example'],
        at: NOW.toISOString(),
      },
    });
  });

  it('SOP 4 signed DPA → security.dpa keeps sentTo/sentAt and adds decision and expiry', async () => {
    givenTask({ kind: 'dpa-signature', team: 'cybersecurity', sopStep: 4 });

    await post({ decision: 'signed', decidedBy: 'Casey', dpaExpiresOn: '2028-06-30' });

    expect(sentOutputs()).toEqual([
      expect.objectContaining({ decision: 'signed', dpaExpiresOn: '2028-06-30' }),
    ]);
    expect(securityEntries()).toEqual({
      dpa: {
        sentTo: 'privacy@blaster.example',
        sentAt: '2026-11-21T09:01:00.000Z',
        decision: 'signed',
        decidedAt: NOW.toISOString(),
        expiresOn: '2028-06-30',
      },
    });
  });

  it('SOP 13 PO issued → purchaseOrder', async () => {
    givenTask({ kind: 'procurement', team: 'aas', sopStep: 13 });

    await post({
      decision: 'po-issued',
      decidedBy: 'Alex',
      poNumber: 'PO-42',
      amount: '1200',
      quoteReference: 'Q-7',
    });

    expect(sentOutputs()).toEqual([
      {
        decision: 'po-issued',
        comment: '',
        decidedBy: 'Alex',
        decidedAt: NOW.toISOString(),
        poNumber: 'PO-42',
        amount: 1200,
        quoteReference: 'Q-7',
      },
    ]);
    expect(requestPatch().purchaseOrder).toEqual({
      poNumber: 'PO-42',
      amount: 1200,
      quoteReference: 'Q-7',
      issuedAt: NOW.toISOString(),
    });
  });

  it('SOP 11 replacement found → the state machine gets the new resource; the request is about it now', async () => {
    givenTask({ kind: 'replacement', team: 'dii', sopStep: 11 });

    await post({
      decision: 'replacement-found',
      decidedBy: 'Jo',
      resourceName: 'Math Rocket',
      resourceKind: 'software',
      vendorName: 'Rocket Co',
      cost: '0',
      studentDataShared: 'no',
    });

    const resource = toWorkflowResource({
      resourceName: 'Math Rocket',
      resourceKind: 'software',
      vendorName: 'Rocket Co',
      cost: 0,
      studentDataShared: false,
    });
    expect(sentOutputs()).toEqual([
      { decision: 'replacement-found', comment: '', decidedBy: 'Jo', decidedAt: NOW.toISOString(), resource },
    ]);
    const patch = requestPatch();
    expect(patch.resource).toEqual(resource);
    expect(patch.submitted).toMatchObject({
      requesterName: 'Dana Reyes',
      resourceName: 'Math Rocket',
      resourceKind: 'software',
      vendorName: 'Rocket Co',
      cost: 0,
      studentDataShared: false,
    });
    expect(patch.submitted).not.toHaveProperty('resourceUrl');
    expect(patch.submitted).not.toHaveProperty('studentDataElements');
    expect(patch.replacementCount).toBe(1);
    expect(patch).toHaveProperty('security', undefined);
  });
});

describe('follow-up writes after Step Functions accepted a decision', () => {
  const found = {
    decision: 'replacement-found',
    decidedBy: 'Jo',
    resourceName: 'Math Rocket',
    resourceKind: 'software',
    vendorName: 'Rocket Co',
    cost: '0',
    studentDataShared: 'no',
  };
  const throttled = () => Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
  const noWait = () => ({ ...deps(), sleep: async () => {} });
  const requestUpdates = () =>
    ddb.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.SK === 'REQUEST');

  it('SOP 11: a 250 KB replacement link is refused before anything happens (400, nothing sent or written)', async () => {
    givenTask({ kind: 'replacement', team: 'dii', sopStep: 11 });

    const response = await recordDecision(
      postTaskEvent(
        {
          t: SECRET,
          ...found,
          resourceKind: 'web-service',
          resourceUrl: `https://new.example.com/${'a'.repeat(250_000)}`,
        },
        { json: true },
      ),
      deps(),
    );

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      errors: [{ field: 'resourceUrl', message: 'Website link must be at most 2048 characters' }],
    });
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    expect(writes()).toEqual([]);
  });

  it('a throttled request update is retried with backoff and lands: a plain success', async () => {
    givenTask({ kind: 'replacement', team: 'dii', sopStep: 11 });
    let calls = 0;
    ddb.on(UpdateCommand).callsFake((input: { Key: { SK: string } }) => {
      if (input.Key.SK === 'REQUEST' && calls++ < 2) throw throttled();
      return {};
    });
    const waits: number[] = [];

    const response = await recordDecision(postTaskEvent({ t: SECRET, ...found }, { json: true }), {
      ...deps(),
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      taskId: TASK_ID,
      decision: 'replacement-found',
      recorded: true,
    });
    expect(requestUpdates()).toHaveLength(3);
    expect(waits).toEqual([200, 800]);
    expect(requestPatch().replacementCount).toBe(1);
    expect(auditItems('FOLLOW_UP_FAILED')).toEqual([]);
  });

  it('an update that still fails after 3 attempts is not a silent success: JSON says complete: false, the page warns, operators see an error and an audit event', async () => {
    givenTask({ kind: 'replacement', team: 'dii', sopStep: 11 });
    ddb.on(UpdateCommand).callsFake((input: { Key: { SK: string } }) => {
      if (input.Key.SK === 'REQUEST') throw throttled();
      return {};
    });
    const { result: response, logs } = await captureLogs(() =>
      recordDecision(postTaskEvent({ t: SECRET, ...found }, { json: true }), noWait()),
    );

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      taskId: TASK_ID,
      decision: 'replacement-found',
      recorded: true,
      complete: false,
      warning: expect.stringMatching(
        /^Warning: the decision counts, but the request record could not be fully updated/,
      ),
    });
    expect(requestUpdates()).toHaveLength(3);
    expect(auditItems('DECISION_RECORDED')).toHaveLength(1);
    expect(auditItems('FOLLOW_UP_FAILED')).toEqual([
      expect.objectContaining({
        summary: expect.stringContaining('record decision facts'),
        detail: expect.objectContaining({ failed: ['record decision facts'] }),
      }),
    ]);
    expect(logs).toMatch(/"level":"ERROR","message":"Decision recorded but its follow-up writes failed/);
  });

  it('the same failure from the form: the page says the decision counts and the request page may lag', async () => {
    givenTask({ kind: 'replacement', team: 'dii', sopStep: 11 });
    ddb.on(UpdateCommand).callsFake((input: { Key: { SK: string } }) => {
      if (input.Key.SK === 'REQUEST') throw throttled();
      return {};
    });

    const response = await recordDecision(postTaskEvent({ t: SECRET, ...found }), noWait());

    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('Decision recorded');
    expect(response.body).toContain('the request record could not be fully updated');
  });

  it('a failure that no retry can cure (not transient) is reported after one attempt', async () => {
    givenTask({ kind: 'replacement', team: 'dii', sopStep: 11 });
    ddb.on(UpdateCommand).callsFake((input: { Key: { SK: string } }) => {
      if (input.Key.SK === 'REQUEST')
        throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
          name: 'ValidationException',
        });
      return {};
    });

    const response = await recordDecision(postTaskEvent({ t: SECRET, ...found }, { json: true }), noWait());

    expect(JSON.parse(response.body)).toMatchObject({ recorded: true, complete: false });
    expect(requestUpdates()).toHaveLength(1);
  });
});

describe('SOP 14: a licence key never leaves its own item', () => {
  const KEY = 'ABCD-EFGH-1234-9F3K';
  const licence = {
    decision: 'license-stored',
    decidedBy: 'Alex',
    licenseReference: 'LIC-77',
    seats: '30',
    expiresOn: '2027-11-30',
    licenseKey: KEY,
  };

  it('the key is stored apart; the output, the audit trail, the request, the email and the logs never see it', async () => {
    givenTask({ kind: 'license', team: 'aas', sopStep: 14 });

    const { result, logs } = await captureLogs(() => post(licence));

    expect(result.statusCode).toBe(200);
    expect(result.body).not.toContain(KEY);
    expect(sentOutputs()).toEqual([
      {
        decision: 'license-stored',
        comment: '',
        decidedBy: 'Alex',
        decidedAt: NOW.toISOString(),
        licenseReference: 'LIC-77',
        seats: 30,
        expiresOn: '2027-11-30',
      },
    ]);
    const items = ddb.commandCalls(PutCommand).map((c) => c.args[0].input.Item ?? {});
    const stored = items.filter((i) => JSON.stringify(i).includes(KEY));
    expect(stored).toEqual([
      {
        PK: licenseKeyKey(REQUEST_ID).PK,
        SK: 'LICENSE',
        entity: 'license-key',
        requestId: REQUEST_ID,
        licenseKey: KEY,
        taskId: TASK_ID,
        storedAt: NOW.toISOString(),
        storedBy: 'Alex',
      },
    ]);
    expect(JSON.stringify(sfnMock.calls().map((c) => c.args[0].input))).not.toContain(KEY);
    expect(JSON.stringify(auditItems())).not.toContain(KEY);
    expect(auditItems('DECISION_RECORDED')[0]).toMatchObject({ detail: { licenseKeyStored: true } });
    expect(JSON.stringify(ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input))).not.toContain(KEY);
    expect(requestPatch().license).toEqual({
      licenseReference: 'LIC-77',
      seats: 30,
      expiresOn: '2027-11-30',
      storedAt: NOW.toISOString(),
      licenseKeyLast4: '9F3K',
    });
    expect(JSON.stringify(sentEmails())).not.toContain(KEY);
    expect(logs).toContain('Decision recorded');
    expect(logs).not.toContain(KEY);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain(TOKEN);
  });

  it('a rejected licence form is shown again without the key', async () => {
    givenTask({ kind: 'license', team: 'aas', sopStep: 14 });

    const response = await post({ ...licence, seats: '0' });

    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Number of seats must be at least 1');
    expect(response.body).toContain('value="LIC-77"');
    expect(response.body).not.toContain(KEY);
    expect(writes()).toEqual([]);
  });
});

describe('a bad link or a bad decision gets a 4xx, and nothing is written or sent', () => {
  const nothingHappened = () => {
    expect(sfnMock.calls()).toHaveLength(0);
    expect(writes()).toEqual([]);
    expect(sesMock.calls()).toHaveLength(0);
  };

  it('a forged secret is 403', async () => {
    const response = await post({ t: 'B'.repeat(43), decision: 'sound', decidedBy: 'Mallory' });

    expect(response.statusCode).toBe(403);
    nothingHappened();
  });

  it('a missing secret is 403 (JSON)', async () => {
    const response = await recordDecision(
      postTaskEvent({ decision: 'sound', decidedBy: 'Mallory' }, { json: true }),
      deps(),
    );

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body)).toMatchObject({ error: 'This link is not valid', recorded: false });
    nothingHappened();
  });

  it('an unknown task is 404', async () => {
    const response = await post(
      { decision: 'sound', decidedBy: 'Sam' },
      { taskId: 'Unknown000000000000000' },
    );

    expect(response.statusCode).toBe(404);
    nothingHappened();
  });

  it('an expired link is 410', async () => {
    givenTask({ expiresAt: '2026-11-28T09:00:00.000Z' });

    const response = await post({ decision: 'sound', decidedBy: 'Sam' });

    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('This link has expired');
    nothingHappened();
  });

  it('a replayed link is 409 and says who decided and when', async () => {
    givenTask({
      status: 'DECIDED',
      decision: 'sound',
      decidedBy: 'Sam Lee',
      decidedAt: '2026-11-27T15:30:00.000Z',
    });

    const response = await post({ decision: 'not-sound', comment: 'changed my mind', decidedBy: 'Sam Lee' });

    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('Sam Lee recorded “Technically sound with district devices”');
    nothingHappened();
  });

  it('an invalid decision is 400 with the form shown again, values kept and errors named', async () => {
    const response = await post({ decision: 'not-sound', comment: '', decidedBy: 'Sam <b>Lee</b>' });

    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Explain this decision in the comment');
    expect(response.body).toContain('value="Sam &lt;b&gt;Lee&lt;/b&gt;"');
    expect(response.body).toContain('value="not-sound" checked');
    expect(response.body).toContain(`<input type="hidden" name="t" value="${SECRET}">`);
    nothingHappened();
  });

  it('an invalid decision is 400 with field errors for a JSON client', async () => {
    const response = await post({ decision: 'maybe', decidedBy: 'Sam' }, { json: true });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({
      errors: [{ field: 'decision', message: 'Choose a decision (sound, not-sound or ask)' }],
    });
    nothingHappened();
  });

  it.each([
    [
      'SOP 4: a DPA expiry in the past',
      { kind: 'dpa-signature', team: 'cybersecurity', sopStep: 4 },
      { decision: 'signed', dpaExpiresOn: '2026-01-31' },
      'dpaExpiresOn',
    ],
    [
      'SOP 13: a PO without its number',
      { kind: 'procurement', team: 'aas', sopStep: 13 },
      { decision: 'po-issued', amount: '10', quoteReference: 'Q' },
      'poNumber',
    ],
    [
      'SOP 14: zero seats',
      { kind: 'license', team: 'aas', sopStep: 14 },
      { decision: 'license-stored', licenseReference: 'L', seats: '0', expiresOn: '2027-01-01' },
      'seats',
    ],
    [
      'SOP 11: a replacement without its name',
      { kind: 'replacement', team: 'dii', sopStep: 11 },
      {
        decision: 'replacement-found',
        resourceKind: 'software',
        vendorName: 'V',
        cost: '0',
        studentDataShared: 'no',
      },
      'resourceName',
    ],
  ] as const)('%s is refused (400)', async (_case, task, fields, field) => {
    givenTask(task as Partial<TaskRecord>);

    const response = await post({ decidedBy: 'Sam', ...fields }, { json: true });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors.map((e: { field: string }) => e.field)).toEqual([field]);
    nothingHappened();
  });

  it('a body that is neither a form nor JSON is 400', async () => {
    const event = postTaskEvent({ t: SECRET, decision: 'sound', decidedBy: 'Sam' });
    event.headers = { 'Content-Type': 'text/plain', Accept: 'text/html' };

    const response = await handler(event, lambdaContext);

    expect(response.statusCode).toBe(400);
    nothingHappened();
  });
});

/** The task is pending on the first read and decided (sound, by `decidedBy`, now) on every later one. */
function givenTaskDecidedOnReread(decidedBy: string) {
  const pending = { ...taskKey(TASK_ID), ...taskRecord() };
  const decided = {
    ...pending,
    status: 'DECIDED',
    decision: 'sound',
    decidedBy,
    decidedAt: NOW.toISOString(),
  };
  ddb
    .on(GetCommand, { Key: taskKey(TASK_ID) })
    .resolvesOnce({ Item: pending })
    .resolves({ Item: decided });
}

describe('races and Step Functions answers', () => {
  it('losing the race for the claim is 409, and Step Functions hears nothing from the loser', async () => {
    givenTaskDecidedOnReread('Other Person');
    ddb
      .on(UpdateCommand, { ConditionExpression: CLAIM })
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const response = await post({ decision: 'not-sound', comment: 'Too slow', decidedBy: 'Sam' });

    expect(response.statusCode).toBe(409);
    expect(response.body).toContain('Other Person recorded');
    expect(sfnMock.calls()).toHaveLength(0);
    expect(auditItems()).toEqual([]);
  });

  it.each([
    ['TaskTimedOut', new TaskTimedOut({ message: 'Task Timed Out', $metadata: {} })],
    ['TaskDoesNotExist', new TaskDoesNotExist({ message: 'Task does not exist anymore', $metadata: {} })],
    ['InvalidToken', new InvalidToken({ message: 'Invalid token', $metadata: {} })],
  ])(
    '%s: the wait is over → 410, the task is marked timed out and the late decision audited',
    async (name, error) => {
      sfnMock.on(SendTaskSuccessCommand).rejects(error);

      const response = await post({ decision: 'sound', decidedBy: 'Sam' });

      expect(response.statusCode).toBe(410);
      expect(response.body).toContain('This step already timed out');
      expect(response.body).toContain('Nothing was recorded.');
      const marked = updatesWith('attribute_exists(PK)').filter((c) => c.args[0].input.Key?.SK === 'TASK');
      expect(marked[0]?.args[0].input.ExpressionAttributeValues).toMatchObject({ ':timedOut': 'TIMED_OUT' });
      expect(auditItems('DECISION_TOO_LATE')).toEqual([
        expect.objectContaining({
          sopStep: 10,
          actor: 'Sam',
          detail: expect.objectContaining({ decision: 'sound', stepFunctionsError: name, taskId: TASK_ID }),
        }),
      ]);
      expect(auditItems('DECISION_RECORDED')).toEqual([]);
      expect(sentEmails()).toEqual([]);
    },
  );

  it('Step Functions throttling → 503 "NOT recorded", the claim is released, nothing is audited as recorded', async () => {
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));

    const response = await post({ decision: 'sound', decidedBy: 'Sam' });

    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('Your decision was NOT recorded');
    expect(response.body).toContain(`href="${TASK_ID}?t=${SECRET}"`);
    const [release] = updatesWith(RELEASE);
    expect(release?.args[0].input).toMatchObject({
      Key: taskKey(TASK_ID),
      ExpressionAttributeValues: { ':pending': 'PENDING', ':at': NOW.toISOString(), ':teamPk': 'TEAM#dii' },
    });
    expect(auditItems('DECISION_RECORDED')).toEqual([]);
    expect(sentEmails()).toEqual([]);
    expect(requestPatch()).toEqual({});
  });

  it('a network failure reaching Step Functions is a 503 for a JSON client too', async () => {
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }));

    const response = await post({ decision: 'sound', decidedBy: 'Sam' }, { json: true });

    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body)).toMatchObject({ state: 'not-recorded', recorded: false });
    expect(updatesWith(RELEASE)).toHaveLength(1);
  });

  it('Step Functions throttled and the claim cannot be released → 202 "kept": the sweep delivers it, a retry is not asked for', async () => {
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    ddb.on(UpdateCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression === RELEASE)
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return {};
    });

    const page = await post({ decision: 'sound', decidedBy: 'Sam' });
    const json = await post({ decision: 'sound', decidedBy: 'Sam' }, { json: true });

    expect(page.statusCode).toBe(202);
    expect(page.body).toContain('Your decision is kept');
    expect(page.body).toContain('You do not need to submit it again');
    expect(page.body).not.toContain('NOT recorded');
    expect(json.statusCode).toBe(202);
    expect(JSON.parse(json.body)).toMatchObject({
      taskId: TASK_ID,
      state: 'delivery-pending',
      recorded: true,
      delivered: false,
    });
    expect(auditItems('DECISION_RECORDED')).toEqual([]);
    expect(sentEmails()).toEqual([]);
  });
});

describe('DynamoDB faults are 5xx pages and never a false success', () => {
  it('throttling while reading the task is a 500 and nothing is sent', async () => {
    ddb
      .on(GetCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

    const response = await handler(
      postTaskEvent({ t: SECRET, decision: 'sound', decidedBy: 'Sam' }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Nothing was recorded by this attempt.');
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('throttling on the claim is a 500 and Step Functions hears nothing', async () => {
    ddb
      .on(UpdateCommand, { ConditionExpression: CLAIM })
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));

    const response = await handler(
      postTaskEvent({ t: SECRET, decision: 'sound', decidedBy: 'Sam' }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(500);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('a claim whose answer was lost', () => {
  it('the claim landed (seen on re-read): the decision still reaches Step Functions and is recorded', async () => {
    givenTaskDecidedOnReread('Sam');
    ddb
      .on(UpdateCommand, { ConditionExpression: CLAIM })
      .rejects(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }));

    const response = await post({ decision: 'sound', decidedBy: 'Sam' });

    expect(response.statusCode).toBe(200);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    expect(auditItems('DECISION_RECORDED')).toHaveLength(1);
  });

  it('the claim did not land (the task is still pending): 500, nothing sent, the link still works', async () => {
    ddb
      .on(UpdateCommand, { ConditionExpression: CLAIM })
      .rejects(Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' }));

    const response = await handler(
      postTaskEvent({ t: SECRET, decision: 'sound', decidedBy: 'Sam' }),
      lambdaContext,
    );

    expect(response.statusCode).toBe(500);
    expect(response.body).toContain('Nothing was recorded by this attempt.');
    expect(sfnMock.calls()).toHaveLength(0);
    expect(auditItems()).toEqual([]);
  });
});

describe('configuration', () => {
  it('reads TABLE_NAME, MAIL_FROM and PUBLIC_BASE_URL and fails fast naming a missing one', () => {
    const env = { TABLE_NAME: TABLE, MAIL_FROM: 'no-reply@district.example', PUBLIC_BASE_URL: `${BASE}/` };
    expect(buildRecordDecisionDeps(env).publicBaseUrl).toBe(BASE);
    expect(() => buildRecordDecisionDeps({ ...env, PUBLIC_BASE_URL: undefined })).toThrow('PUBLIC_BASE_URL');
  });
});

describe('POST /tasks/{id} with sign-in (AUTH_MODE=sso): a member of the team, verified now, decides', () => {
  const dii = person('sam@district.example.org', ['dii']);
  const sso = () => ssoCaller(() => NOW);
  const postAs = async (kit: ReturnType<typeof sso>, fields: Record<string, string>, cookie?: string) =>
    recordDecision(postTaskEvent({ t: SECRET, ...fields }, cookie ? { cookie } : {}), deps(kit.deps));

  beforeEach(() => givenTable({ task: taskRecord({ kind: 'technical-review', team: 'dii' }) }));

  it('records the verified person as the actor, whatever name the form carries', async () => {
    const kit = sso();
    const { cookie, csrf } = await kit.signIn(dii);

    const response = await postAs(kit, { decision: 'sound', decidedBy: 'Someone Else', csrf }, cookie);

    expect(response.statusCode).toBe(200);
    expect(sentOutputs()).toEqual([expect.objectContaining({ decidedBy: `${dii.name} (${dii.email})` })]);
    expect(auditItems('DECISION_RECORDED')[0]).toMatchObject({
      detail: {
        identityVerified: true,
        actor: { sub: dii.sub, email: dii.email, name: dii.name, via: 'sso' },
      },
    });
  });

  it('refuses a post without the session CSRF token (403): nothing claimed, nothing sent', async () => {
    const kit = sso();
    const { cookie } = await kit.signIn(dii);

    await expect(postAs(kit, { decision: 'sound', csrf: 'forged' }, cookie)).rejects.toMatchObject({
      status: 403,
      reason: 'csrf',
    });
    expect(updatesWith(CLAIM)).toHaveLength(0);
    expect(sentOutputs()).toEqual([]);
  });

  it('refuses a post with no session (401): nothing claimed', async () => {
    await expect(postAs(sso(), { decision: 'sound', decidedBy: 'Sam' })).rejects.toMatchObject({
      status: 401,
    });
    expect(updatesWith(CLAIM)).toHaveLength(0);
  });

  it('refuses a person removed from the team since signing in (403, audited): the directory is asked again', async () => {
    const kit = sso();
    const { cookie, csrf } = await kit.signIn(dii);
    kit.directory.set(dii.username, []);

    await expect(postAs(kit, { decision: 'sound', csrf }, cookie)).rejects.toMatchObject({
      status: 403,
      reason: 'not-in-team',
    });
    expect(updatesWith(CLAIM)).toHaveLength(0);
    expect(auditItems('TASK_ACCESS_REFUSED')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ team: 'dii', taskId: TASK_ID }) }),
    ]);
  });
});
