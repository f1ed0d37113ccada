import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { assignTask } from '#lambdas/assign-task.ts';
import { dynamoDb, scheduler } from '#shared/core/aws/clients.ts';
import { ConfigError, NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { personKey } from '#shared/core/store/keys.ts';
import { assignTaskDepsFor as buildAssignTaskDeps } from '#shared/deps.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { AssignTaskDeps } from '#shared/tasks/task-assign.ts';
import { hashSecret } from '#shared/tasks/task-links.ts';
import type { AuditEvent } from '#shared/workflow/records.ts';
import type { TaskKind } from '#shared/workflow/task-kinds.ts';
import input from '../../events/assign-task-privacy-review.json' with { type: 'json' };
import {
  auditItems,
  BASE,
  ddb,
  givenTable,
  NOW,
  REQUEST_ID,
  requestRecord,
  sentEmails,
  sesMock,
  TABLE,
  TEAM_EMAILS,
  TOKEN,
  writes,
} from '../../support/task-kit.ts';

const REMINDERS = {
  scheduleGroupName: 'software-request-renewals',
  schedulerRoleArn: 'arn:aws:iam::123456789012:role/reminder-scheduler',
  reminderFunctionArn: 'arn:aws:lambda:us-west-2:123456789012:function:remind-task',
  deadLetterArn: 'arn:aws:sqs:us-west-2:123456789012:software-request-scheduler-dlq',
};
const schedulerMock = mockClient(SchedulerClient);

function deps(): AssignTaskDeps {
  return {
    store: new WorkflowStore({ tableName: TABLE, client: dynamoDb, now: () => NOW }),
    mailer: new SesMailer({ from: 'no-reply@district.example' }),
    now: () => NOW,
    publicBaseUrl: BASE,
    teamEmails: TEAM_EMAILS,
    reminders: { scheduler, config: REMINDERS },
  };
}

function schedules() {
  return schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
}

function storedTask(): Record<string, unknown> {
  const put = ddb.commandCalls(PutCommand).find((c) => c.args[0].input.Item?.entity === 'task');
  if (!put) throw new Error('no task was stored');
  return put.args[0].input.Item as Record<string, unknown>;
}

const LINK = /https:\/\/requests\.district\.example\/tasks\/\S+/;

/** The emailed task link, parsed. */
function emailedLink(text = sentEmails()[0]?.text ?? ''): URL {
  const match = text.match(LINK);
  if (!match) throw new Error('no task link in the email');
  return new URL(match[0]);
}

beforeEach(() => {
  givenTable({});
  schedulerMock.reset();
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:::schedule/x' });
});

describe('SOP 3-4: a human step is assigned to its team with a secure link', () => {
  it('stores the task with the token and only the hash of the link secret', async () => {
    const result = await assignTask(input, deps());

    const item = storedTask();
    const link = emailedLink();
    const secret = link.searchParams.get('t')!;
    expect(item).toMatchObject({
      taskId: result.taskId,
      requestId: REQUEST_ID,
      kind: 'privacy-review',
      team: 'cybersecurity',
      sopStep: 4,
      taskToken: TOKEN,
      status: 'PENDING',
      secretHash: hashSecret(secret),
      createdAt: NOW.toISOString(),
      expiresAt: '2026-12-12T10:00:00.000Z',
      executionId: input.executionId,
    });
    expect(JSON.stringify(item)).not.toContain(secret);
    expect(result).toEqual({
      taskId: item.taskId,
      expiresAt: '2026-12-12T10:00:00.000Z',
      reminders: ['2026-12-05T10:00:00.000Z', '2026-12-10T10:00:00.000Z'],
    });
  });

  it('ids are 128-bit and secrets 256-bit random base64url, different every time', async () => {
    await assignTask(input, deps());
    await assignTask(input, deps());
    const ids = ddb
      .commandCalls(PutCommand)
      .flatMap((c) => (c.args[0].input.Item?.entity === 'task' ? [c.args[0].input.Item.taskId] : []));
    const secrets = sentEmails().map((e) => emailedLink(e.text).searchParams.get('t'));
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set(ids).size).toBe(2);
    expect(new Set(secrets).size).toBe(2);
  });

  it('emails the team a link with only the task id and the secret, never the token', async () => {
    const { taskId } = await assignTask(input, deps());

    const [email] = sentEmails();
    const link = emailedLink();
    expect(email?.to).toEqual(['ccs@district.example']);
    expect(`${link.origin}${link.pathname}`).toBe(`${BASE}/tasks/${taskId}`);
    expect([...link.searchParams.keys()]).toEqual(['t']);
    expect(email?.html).toContain(`href="${BASE}/tasks/${taskId}?t=${link.searchParams.get('t')}"`);
    for (const part of [email?.subject, email?.text, email?.html]) expect(part).not.toContain(TOKEN);
  });

  it('the email says what is asked, the SOP step, the deadline, the request id and the privacy facts', async () => {
    await assignTask(input, deps());

    const [email] = sentEmails();
    expect(email?.subject).toContain('SOP step 4');
    expect(email?.subject).toContain(REQUEST_ID);
    for (const fact of [
      "What is asked: Review the resource's privacy policy",
      'SOP TS-PE-535 step: 4',
      'Decide before: Saturday, December 12, 2026 at 10:00 AM UTC',
      `Request id: ${REQUEST_ID}`,
      'Resource: Math Blaster',
      'Website: https://mathblaster.example/app',
      'Vendor: Blaster Learning',
      'Student data shared: Yes',
      'Student data elements: name, grade level',
      'Student login required: Yes',
    ]) {
      expect(email?.text).toContain(fact);
    }
  });

  it('escapes a <script> resource name in the HTML email', async () => {
    const request = requestRecord();
    request.resource.name = '<script>alert(1)</script>';
    givenTable({ request });

    await assignTask(input, deps());

    const [email] = sentEmails();
    expect(email?.html).not.toContain('<script>');
    expect(email?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(email?.subject).toContain('<script>alert(1)</script>');
  });

  it('sets the request current step and activity', async () => {
    await assignTask(input, deps());

    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(update?.Key).toEqual({ PK: `REQUEST#${REQUEST_ID}`, SK: 'REQUEST' });
    expect(Object.values(update?.ExpressionAttributeValues ?? {})).toEqual(
      expect.arrayContaining([4, "Waiting for Cybersecurity (CCS): Review the resource's privacy policy"]),
    );
  });

  it('SOP 11 to 4: the resource the execution carries (a replacement) is the one the email names, and it is recorded', async () => {
    const replacement = {
      name: 'New Atlas',
      url: 'https://newatlas.example.com',
      usesWebsite: true,
      kind: 'web-service' as const,
      vendorName: 'Atlas Maps',
      cost: 0,
      studentDataShared: false,
    };

    await assignTask({ ...input, resource: replacement }, deps());

    const [email] = sentEmails();
    expect(email?.subject).toContain('New Atlas');
    expect(email?.text).toContain('Website: https://newatlas.example.com');
    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(Object.values(update?.ExpressionAttributeValues ?? {})).toContainEqual(replacement);
  });

  it('the same resource as the table: nothing extra is written', async () => {
    await assignTask({ ...input, resource: requestRecord().resource }, deps());

    const update = ddb.commandCalls(UpdateCommand)[0]?.args[0].input;
    expect(Object.values(update?.ExpressionAttributeNames ?? {})).not.toContain('resource');
  });

  it('a malformed resource in the payload is a ValidationError and writes nothing', async () => {
    await expect(assignTask({ ...input, resource: { name: 'x', cost: -1 } }, deps())).rejects.toThrow(
      /resource/,
    );
    expect(writes()).toEqual([]);
  });

  it('audits TASK_ASSIGNED with step, team, kind, task id and expiry, never the token or secret', async () => {
    const { taskId } = await assignTask(input, deps());

    const [audit] = auditItems('TASK_ASSIGNED') as unknown as AuditEvent[];
    expect(audit).toMatchObject({
      requestId: REQUEST_ID,
      sopStep: 4,
      detail: {
        sopStep: 4,
        team: 'cybersecurity',
        kind: 'privacy-review',
        taskId,
        expiresAt: '2026-12-12T10:00:00.000Z',
        stateName: 'PrivacyPolicyReview',
      },
    });
    const secret = emailedLink().searchParams.get('t')!;
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
    expect(JSON.stringify(audit)).not.toContain(secret);
  });
});

describe('reminders are scheduled, not polled inside the execution', () => {
  it('a 14-day wait gets a reminder on day 7 and a final one on day 12 (2 days before the deadline)', async () => {
    // Act
    const { taskId } = await assignTask(input, deps());

    // Assess
    expect(schedules()).toEqual([
      expect.objectContaining({
        Name: `remind-${taskId}-1`,
        GroupName: REMINDERS.scheduleGroupName,
        ScheduleExpression: 'at(2026-12-05T10:00:00)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: expect.objectContaining({
          Arn: REMINDERS.reminderFunctionArn,
          RoleArn: REMINDERS.schedulerRoleArn,
          Input: JSON.stringify({ taskId, reminder: 1 }),
          DeadLetterConfig: { Arn: REMINDERS.deadLetterArn },
        }),
      }),
      expect.objectContaining({
        Name: `remind-${taskId}-2`,
        ScheduleExpression: 'at(2026-12-10T10:00:00)',
        Target: expect.objectContaining({
          Input: JSON.stringify({ taskId, reminder: 2 }),
          DeadLetterConfig: { Arn: REMINDERS.deadLetterArn },
        }),
      }),
    ]);
  });

  it('schedule names are valid Scheduler names and the input carries no token or secret', async () => {
    await assignTask(input, deps());

    const secret = emailedLink().searchParams.get('t')!;
    for (const schedule of schedules()) {
      expect(schedule.Name).toMatch(/^[0-9a-zA-Z\-_.]{1,64}$/);
      expect(JSON.stringify(schedule)).not.toContain(TOKEN);
      expect(JSON.stringify(schedule)).not.toContain(secret);
    }
  });

  it('a 21-day wait (DPA signature) is reminded half-way (day 10.5) and on day 19', async () => {
    await assignTask({ ...input, kind: 'dpa-signature', timeoutSeconds: 21 * 86_400 }, deps());

    expect(schedules().map((s) => s.ScheduleExpression)).toEqual([
      'at(2026-12-08T22:00:00)',
      'at(2026-12-17T10:00:00)',
    ]);
  });

  it('a short wait (3 days) gets only the half-way reminder: the final one would come too soon after it', async () => {
    const { taskId } = await assignTask({ ...input, timeoutSeconds: 3 * 86_400 }, deps());

    expect(schedules().map((s) => [s.Name, s.ScheduleExpression])).toEqual([
      [`remind-${taskId}-1`, 'at(2026-11-29T22:00:00)'],
    ]);
  });

  it('a wait of under two hours gets no reminder at all', async () => {
    const result = await assignTask({ ...input, timeoutSeconds: 3600 }, deps());

    expect(schedules()).toEqual([]);
    expect(result.reminders).toEqual([]);
  });

  it('schedules are created only after the team was emailed and TASK_ASSIGNED audited', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));

    await expect(assignTask(input, deps())).rejects.toBeInstanceOf(TransientError);
    expect(schedules()).toEqual([]);
  });

  it('a Scheduler fault does not fail the step: the task stands, the other reminder is still tried', async () => {
    // Prepare: the first schedule is throttled
    schedulerMock
      .on(CreateScheduleCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({});

    // Act
    const result = await assignTask(input, deps());

    // Assess
    expect(result.reminders).toEqual(['2026-12-10T10:00:00.000Z']);
    expect(schedules()).toHaveLength(2);
    expect(sentEmails()).toHaveLength(1);
    expect(auditItems('TASK_ASSIGNED')).toHaveLength(1);
  });

  it('a schedule that already exists (a retried call) counts as scheduled', async () => {
    schedulerMock
      .on(CreateScheduleCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ConflictException' }));

    const result = await assignTask(input, deps());

    expect(result.reminders).toHaveLength(2);
  });
});

describe('each step emails the facts its team needs', () => {
  const cases: [TaskKind, string, string[]][] = [
    [
      'curriculum-review',
      'instech@district.example',
      [
        'Grade levels: 3, 4',
        'Content areas: Math',
        'TEKS addressed: 3.4A',
        'Student use vision: Daily fluency practice',
        'Common Core alignment: 3.OA.C.7',
        'Media release required: No',
      ],
    ],
    [
      'administrative-review',
      'dii@district.example',
      ['Resource kind: web-service', 'Cost: $1,200.00', 'Principal: Pat Morgan'],
    ],
    [
      'technical-review',
      'dii@district.example',
      ['Resource kind: web-service', 'Website: https://mathblaster.example/app'],
    ],
    [
      'procurement',
      'aas@district.example',
      [
        'Cost: $1,200.00',
        'Payment responsibility: Campus',
        'Budget code: 199-11-6399-00-101',
        'Principal: Pat Morgan',
        'Vendor: Blaster Learning',
      ],
    ],
    ['license', 'aas@district.example', ['Resource kind: web-service', 'PO number: PO-9']],
    [
      'installation',
      'dii@district.example',
      ['Resource: Math Blaster', 'Resource kind: web-service', 'Principal: Pat Morgan'],
    ],
    [
      'dpa-signature',
      'ccs@district.example',
      [
        'Vendor: Blaster Learning',
        'DPA sent to: privacy@blaster.example',
        'DPA sent at: Saturday, November 21, 2026 at 9:01 AM UTC',
      ],
    ],
  ];
  it.each(cases)('%s goes to %s with its facts', async (kind, to, facts) => {
    givenTable({
      request: requestRecord({
        purchaseOrder: { poNumber: 'PO-9', amount: 1200, quoteReference: 'Q', issuedAt: NOW.toISOString() },
      }),
    });

    await assignTask({ ...input, kind }, deps());

    const [email] = sentEmails();
    expect(email?.to).toEqual([to]);
    for (const fact of facts) expect(email?.text).toContain(fact);
  });

  it("SOP 11: the replacement task is DII's, Instructional Technology copied; its email says which resource is replaced and why", async () => {
    givenTable({
      audit: [
        {
          PK: `REQUEST#${REQUEST_ID}`,
          SK: 'AUDIT#2026-11-27T10:00:00.000Z#0001',
          requestId: REQUEST_ID,
          at: '2026-11-27T10:00:00.000Z',
          sopStep: 10,
          type: 'DECISION_RECORDED',
          summary: 'DII: Not technically sound with district devices',
          actor: 'Sam',
          detail: {
            kind: 'technical-review',
            decision: 'not-sound',
            comment: 'Needs Flash, which district Chromebooks block',
          },
        } as AuditEvent,
      ],
    });

    await assignTask({ ...input, kind: 'replacement' }, deps());

    const [email] = sentEmails();
    expect(email?.to).toEqual(['dii@district.example']);
    expect(email?.cc).toEqual(['instech@district.example']);
    expect(email?.text).toContain('Resource: Math Blaster');
    expect(email?.text).toContain('Why it is being replaced: Needs Flash, which district Chromebooks block');
  });
});

describe('bad input is refused with the field named, and nothing is written or sent', () => {
  it.each([
    [{ ...input, kind: 'coffee-review' }, 'kind'],
    [{ ...input, taskToken: undefined }, 'taskToken'],
    [{ ...input, taskToken: '' }, 'taskToken'],
    [{ ...input, timeoutSeconds: 0 }, 'timeoutSeconds'],
    [{ ...input, timeoutSeconds: 1.5 }, 'timeoutSeconds'],
    [{ ...input, timeoutSeconds: '60' }, 'timeoutSeconds'],
    [{ ...input, requestId: ' ' }, 'requestId'],
    // An incident review shows the incident it names (two can be open on one resource), and only it names one.
    [{ ...input, kind: 'incident-review' }, 'incidentId'],
    [{ ...input, kind: 'incident-review', incidentId: ' ' }, 'incidentId'],
    [{ ...input, kind: 'incident-review', incidentId: 42 }, 'incidentId'],
    [{ ...input, incidentId: 'inc-abcdefghijkl' }, 'incidentId'],
  ])('%# %j → %s', async (bad, field) => {
    const error = await assignTask(bad, deps()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toEqual([field]);
    expect(ddb.calls()).toHaveLength(0);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('says why an incidentId is refused: missing on an incident review, or on another kind', async () => {
    const messages = async (bad: Record<string, unknown>) =>
      ((await assignTask(bad, deps()).catch((e: unknown) => e)) as ValidationError).errors.map(
        (e) => e.message,
      );

    expect(await messages({ ...input, kind: 'incident-review' })).toEqual([
      'incidentId is required for an incident-review task (the incident it reviews)',
    ]);
    expect(await messages({ ...input, incidentId: 'inc-abcdefghijkl' })).toEqual([
      'incidentId is only for an incident-review task',
    ]);
  });

  it('an unknown request is NotFoundError and nothing is written or sent', async () => {
    givenTable({ request: null });

    await expect(assignTask(input, deps())).rejects.toBeInstanceOf(NotFoundError);
    expect(writes()).toEqual([]);
    expect(sesMock.calls()).toHaveLength(0);
  });
});

describe('AWS faults are retried by the state machine', () => {
  it('DynamoDB throttling is a TransientError and no email goes out', async () => {
    ddb
      .on(PutCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(assignTask(input, deps())).rejects.toBeInstanceOf(TransientError);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('SES throttling is a TransientError and TASK_ASSIGNED is not audited', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejects(Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' }));

    await expect(assignTask(input, deps())).rejects.toBeInstanceOf(TransientError);
    expect(auditItems('TASK_ASSIGNED')).toEqual([]);
  });

  it('a read of the request goes to the table named by TABLE_NAME', async () => {
    await assignTask(input, deps());
    expect(ddb.commandCalls(GetCommand)[0]?.args[0].input.TableName).toBe(TABLE);
  });
});

describe('configuration is read once and fails fast with the variable name', () => {
  const env = {
    TABLE_NAME: TABLE,
    MAIL_FROM: 'no-reply@district.example',
    PUBLIC_BASE_URL: `${BASE}/`,
    TEAM_EMAILS: JSON.stringify(TEAM_EMAILS),
    SCHEDULE_GROUP_NAME: REMINDERS.scheduleGroupName,
    SCHEDULER_ROLE_ARN: REMINDERS.schedulerRoleArn,
    REMINDER_FUNCTION_ARN: REMINDERS.reminderFunctionArn,
    SCHEDULER_DLQ_ARN: REMINDERS.deadLetterArn,
  };

  it('reads every variable it needs', () => {
    expect(buildAssignTaskDeps(env)).toMatchObject({
      publicBaseUrl: BASE,
      teamEmails: TEAM_EMAILS,
      reminders: { config: REMINDERS },
    });
  });

  it.each([
    'TABLE_NAME',
    'MAIL_FROM',
    'PUBLIC_BASE_URL',
    'TEAM_EMAILS',
    'SCHEDULE_GROUP_NAME',
    'SCHEDULER_ROLE_ARN',
    'REMINDER_FUNCTION_ARN',
  ])('missing %s', (name) => {
    expect(() => buildAssignTaskDeps({ ...env, [name]: undefined })).toThrow(ConfigError);
    expect(() => buildAssignTaskDeps({ ...env, [name]: undefined })).toThrow(name);
  });

  it('SCHEDULER_DLQ_ARN is required (no schedule without a dead-letter queue) and must be an SQS ARN', () => {
    expect(() => buildAssignTaskDeps({ ...env, SCHEDULER_DLQ_ARN: undefined })).toThrow('SCHEDULER_DLQ_ARN');
    expect(() => buildAssignTaskDeps({ ...env, SCHEDULER_DLQ_ARN: 'https://sqs.example/queue' })).toThrow(
      'SCHEDULER_DLQ_ARN',
    );
  });
});

describe('with sign-in, a team task goes on with the person who decided the team last', () => {
  const decidedBy = (email: string, via: 'sso' | 'link'): AuditEvent => ({
    requestId: REQUEST_ID,
    at: '2026-11-27T10:00:00.000Z',
    sopStep: 4,
    type: 'DECISION_RECORDED',
    summary: 'Cybersecurity asked the requester a question',
    actor: email,
    detail: { kind: 'privacy-review', decision: 'ask', actor: { sub: 's', email, name: 'Pat', via } },
  });
  const givenPerson = (email: string, item: Record<string, unknown>) =>
    ddb.on(GetCommand, { Key: personKey(email) }).resolves({ Item: { ...personKey(email), email, ...item } });

  it('gives the new privacy review to the reviewer who asked, and emails them besides the team', async () => {
    givenTable({ audit: [decidedBy('pat@district.example.org', 'sso')] });
    givenPerson('pat@district.example.org', { name: 'Pat' });

    await assignTask(input, deps());

    expect(storedTask().assignee).toEqual({
      email: 'pat@district.example.org',
      name: 'Pat',
      since: NOW.toISOString(),
    });
    expect(sentEmails()[0]?.to).toEqual([TEAM_EMAILS.cybersecurity, 'pat@district.example.org']);
  });

  it('gives it to their delegate while they are out of office', async () => {
    givenTable({ audit: [decidedBy('pat@district.example.org', 'sso')] });
    givenPerson('pat@district.example.org', {
      name: 'Pat',
      away: { delegateTo: 'lee@district.example.org', until: '2099-12-31' },
    });
    givenPerson('lee@district.example.org', { name: 'Lee' });

    await assignTask(input, deps());

    expect(storedTask().assignee).toMatchObject({ email: 'lee@district.example.org', name: 'Lee' });
  });

  it('leaves it with the team when the last decision came through an emailed link (no verified person)', async () => {
    givenTable({ audit: [decidedBy('pat@district.example.org', 'link')] });

    await assignTask(input, deps());

    expect(storedTask().assignee).toBeUndefined();
    expect(sentEmails()[0]?.to).toEqual([TEAM_EMAILS.cybersecurity]);
  });
});
