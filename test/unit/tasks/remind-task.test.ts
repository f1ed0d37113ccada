/**
 * remind-task: the scheduled reminder of a human step (SOP 4, 7-15). A pending task gets a new link
 * (the earlier links then answer "replaced"), the team is emailed again, TASK_REMINDED is audited.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler, remindTask } from '#lambdas/remind-task.ts';
import { dynamoDb } from '#shared/core/aws/clients.ts';
import { ConfigError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { personKey } from '#shared/core/store/keys.ts';
import { remindTaskDepsFor as buildRemindTaskDeps } from '#shared/deps.ts';
import { WorkflowStore } from '#shared/store.ts';
import { renderTaskOutcome } from '#shared/tasks/pages/task-page.ts';
import type { RemindTaskDeps } from '#shared/tasks/reminders.ts';
import { hashSecret } from '#shared/tasks/task-links.ts';
import { checkLink } from '#shared/tasks/task-service.ts';
import type { AuditEvent, TaskRecord } from '#shared/workflow/records.ts';
import {
  auditItems,
  BASE,
  captureLogs,
  ddb,
  givenTable,
  lambdaContext,
  NOW,
  REQUEST_ID,
  requestRecord,
  SECRET,
  sentEmails,
  sesMock,
  TABLE,
  TASK_ID,
  TEAM_EMAILS,
  TOKEN,
  taskRecord,
  writes,
} from '../../support/task-kit.ts';

function deps(): RemindTaskDeps {
  return {
    store: new WorkflowStore({ tableName: TABLE, client: dynamoDb, now: () => NOW }),
    mailer: new SesMailer({ from: 'no-reply@district.example' }),
    now: () => NOW,
    publicBaseUrl: BASE,
    teamEmails: TEAM_EMAILS,
  };
}

const LINK = /https:\/\/requests\.district\.example\/tasks\/\S+/;

function emailedSecret(): string {
  const match = (sentEmails()[0]?.text ?? '').match(LINK);
  if (!match) throw new Error('no task link in the email');
  return new URL(match[0]).searchParams.get('t') ?? '';
}

const rotation = () =>
  ddb.commandCalls(UpdateCommand).find((c) => c.args[0].input.UpdateExpression?.includes('lastReminder = :n'))
    ?.args[0].input;
const throttled = (name: string) => Object.assign(new Error('slow down'), { name });

beforeEach(() => givenTable({}));

describe('SOP 4, 7-15: a pending human step is reminded with a fresh link', () => {
  it('rotates the link secret: the new hash replaces the old one, which is kept as "previous"', async () => {
    // Act
    const result = await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    // Assess
    expect(result).toEqual({ reminded: true, reminder: 1 });
    const secret = emailedSecret();
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(SECRET);
    expect(rotation()).toMatchObject({
      Key: { PK: `TASK#${TASK_ID}`, SK: 'TASK' },
      ConditionExpression: expect.stringContaining('#status = :pending AND secretHash = :fromHash'),
      ExpressionAttributeValues: expect.objectContaining({
        ':to': hashSecret(secret),
        ':fromHash': hashSecret(SECRET),
        ':from': [hashSecret(SECRET)],
        ':n': 1,
      }),
    });
    // Only the outbox's record of the email carries it (docs/design.md "Outbox"), until the mark removes it.
    const outboxRecord = (w: Record<string, unknown>) =>
      String((w.Item as { SK?: unknown } | undefined)?.SK ?? '').startsWith('OUTBOX#');
    expect(JSON.stringify(writes().filter((w) => !outboxRecord(w)))).not.toContain(secret);
    expect(writes().filter(outboxRecord)).toEqual([
      expect.objectContaining({ Item: expect.objectContaining({ SK: `OUTBOX#reminder#${TASK_ID}#1` }) }),
    ]);
    expect(writes()).toContainEqual(
      expect.objectContaining({
        Key: { PK: `REQUEST#${REQUEST_ID}`, SK: `OUTBOX#reminder#${TASK_ID}#1` },
        UpdateExpression: expect.stringMatching(/REMOVE .*email/),
      }),
    );
  });

  it('emails the team again: "Reminder: decision due by …", the new link, earlier links no longer work', async () => {
    await remindTask({ taskId: TASK_ID, reminder: 2 }, deps());

    const [email] = sentEmails();
    expect(sentEmails()).toHaveLength(1);
    expect(email?.to).toEqual(['dii@district.example']);
    expect(email?.subject).toMatch(/^Reminder: decision due by Friday, December 11, 2026 at 10:00 AM UTC/);
    expect(email?.subject).toContain(REQUEST_ID);
    expect(email?.text).toContain('links in earlier emails about this step no longer work');
    expect(email?.text).toContain(`${BASE}/tasks/${TASK_ID}?t=${emailedSecret()}`);
    expect(email?.html).toContain(`href="${BASE}/tasks/${TASK_ID}?t=${emailedSecret()}"`);
    for (const part of [email?.subject, email?.text, email?.html]) expect(part).not.toContain(TOKEN);
  });

  it('audits TASK_REMINDED with step, kind, team and reminder number, never the secret or token', async () => {
    await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    const [audit] = auditItems('TASK_REMINDED') as unknown as AuditEvent[];
    expect(audit).toMatchObject({
      requestId: REQUEST_ID,
      sopStep: 10,
      actor: 'workflow',
      summary: 'Reminder 1 sent to DII: Verify the resource is technically sound with district devices',
      detail: { sopStep: 10, kind: 'technical-review', team: 'dii', taskId: TASK_ID, reminder: 1 },
    });
    expect(JSON.stringify(audit)).not.toContain(emailedSecret());
    expect(JSON.stringify(audit)).not.toContain(TOKEN);
  });

  it('escapes a <script> resource name in the reminder email', async () => {
    const request = requestRecord();
    request.resource.name = '<script>alert(1)</script>';
    givenTable({ request });

    await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    const [email] = sentEmails();
    expect(email?.html).not.toContain('<script>');
    expect(email?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('never logs the new secret', async () => {
    const { logs } = await captureLogs(() => remindTask({ taskId: TASK_ID, reminder: 1 }, deps()));

    expect(logs).toContain('Task reminder sent');
    expect(logs).not.toContain(emailedSecret());
  });

  it('runs behind the Lambda handler wrapper (Scheduler input is the event)', async () => {
    process.env.TABLE_NAME = TABLE;
    process.env.MAIL_FROM = 'no-reply@district.example';
    process.env.PUBLIC_BASE_URL = BASE;
    process.env.TEAM_EMAILS = JSON.stringify(TEAM_EMAILS);

    const result = await handler({ taskId: TASK_ID, reminder: 1 }, lambdaContext);

    expect(result).toEqual({ reminded: true, reminder: 1 });
  });
});

describe('the old link after a reminder', () => {
  const rotated = (overrides: Partial<TaskRecord> = {}) =>
    taskRecord({
      secretHash: hashSecret('new-secret'),
      previousSecretHashes: [hashSecret(SECRET)],
      ...overrides,
    });

  it('an earlier link answers 410 "replaced by a newer reminder email"; the new link opens the form', () => {
    const old = checkLink(rotated(), SECRET, NOW);
    const current = checkLink(rotated(), 'new-secret', NOW);

    expect(old.state).toBe('replaced');
    expect(current.state).toBe('open');
    const page = renderTaskOutcome(old as Exclude<typeof old, { state: 'open' }>);
    expect(page.status).toBe(410);
    expect(page.title).toBe('This link was replaced by a newer reminder email');
    expect(page.message).toContain('Nothing was recorded');
  });

  it('a forged secret is still 403, and an earlier link of a decided or expired task says so', () => {
    expect(checkLink(rotated(), 'forged', NOW).state).toBe('forbidden');
    expect(checkLink(rotated({ status: 'DECIDED' }), SECRET, NOW).state).toBe('decided');
    expect(checkLink(rotated({ expiresAt: '2026-11-01T00:00:00.000Z' }), SECRET, NOW).state).toBe('expired');
  });
});

describe('nothing to remind', () => {
  it.each([
    ['decided', { status: 'DECIDED' as const }, 'The task was already decided'],
    ['timed out', { status: 'TIMED_OUT' as const }, 'The task already timed out'],
    ['past its deadline', { expiresAt: '2026-11-28T09:59:59.000Z' }, 'The task has expired'],
    ['already reminded with this number', { lastReminder: 2 }, 'Reminder 2 was already sent'],
  ])('a task %s is left alone: no write, no email', async (_, overrides, reason) => {
    givenTable({ task: taskRecord(overrides) });

    const result = await remindTask({ taskId: TASK_ID, reminder: 2 }, deps());

    expect(result).toEqual({ reminded: false, reason });
    expect(writes()).toEqual([]);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('an unknown task is left alone', async () => {
    givenTable({ task: null });

    const result = await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    expect(result).toEqual({ reminded: false, reason: 'The task does not exist' });
    expect(writes()).toEqual([]);
  });

  it('a task decided between the read and the rotation (condition fails) is left alone, no email', async () => {
    ddb
      .on(UpdateCommand)
      .rejects(
        new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
      );

    const result = await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    expect(result).toEqual({
      reminded: false,
      reason: 'The task was decided, expired or reminded meanwhile',
    });
    expect(sesMock.calls()).toHaveLength(0);
  });

  it.each([
    [{}, 'taskId'],
    [{ taskId: 'not-a-task-id', reminder: 1 }, 'taskId'],
    [{ taskId: TASK_ID, reminder: 3 }, 'reminder'],
    [{ taskId: TASK_ID, reminder: '1' }, 'reminder'],
  ])('bad input %j is a ValidationError naming %s, nothing read or written', async (bad, field) => {
    const error = await remindTask(bad, deps()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toContain(field);
    expect(ddb.calls()).toHaveLength(0);
  });
});

describe('AWS faults are retried (TransientError) and lose no link', () => {
  it('DynamoDB throttling on the read is a TransientError; nothing sent', async () => {
    ddb.reset();
    ddb.rejects(throttled('ProvisionedThroughputExceededException'));

    await expect(remindTask({ taskId: TASK_ID, reminder: 1 }, deps())).rejects.toBeInstanceOf(TransientError);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('DynamoDB throttling on the rotation is a TransientError; nothing sent', async () => {
    ddb.on(UpdateCommand).rejects(throttled('ThrottlingException'));

    await expect(remindTask({ taskId: TASK_ID, reminder: 1 }, deps())).rejects.toBeInstanceOf(TransientError);
    expect(sesMock.calls()).toHaveLength(0);
  });

  it('SES throttling is a TransientError, the previous secret is restored and nothing is audited', async () => {
    sesMock.on(SendEmailCommand).rejects(throttled('Throttling'));

    await expect(remindTask({ taskId: TASK_ID, reminder: 1 }, deps())).rejects.toBeInstanceOf(TransientError);

    const restore = ddb
      .commandCalls(UpdateCommand)
      .map((c) => c.args[0].input)
      .find((i) => i.UpdateExpression?.startsWith('SET secretHash = :previous'));
    const newHash = rotation()?.ExpressionAttributeValues?.[':to'];
    expect(restore).toMatchObject({
      Key: { PK: `TASK#${TASK_ID}`, SK: 'TASK' },
      ConditionExpression: 'secretHash = :current',
      ExpressionAttributeValues: { ':current': newHash, ':previous': hashSecret(SECRET) },
    });
    expect(auditItems('TASK_REMINDED')).toEqual([]);
  });

  it('an audit write failing after the email went out is logged, not retried (it would email twice)', async () => {
    ddb.on(UpdateCommand).resolves({});
    ddb.on(PutCommand).callsFake((input: { Item: { SK: string } }) => {
      if (input.Item.SK.startsWith('AUDIT#')) throw throttled('ThrottlingException');
      return {};
    });

    const { result, logs } = await captureLogs(() => remindTask({ taskId: TASK_ID, reminder: 1 }, deps()));

    expect(result).toEqual({ reminded: true, reminder: 1 });
    expect(sentEmails()).toHaveLength(1);
    expect(logs).toContain('Reminder sent but not audited');
  });
});

describe("SOP section 4: Technology Services is told with a step's final reminder", () => {
  const TECH = 'technology-services@district.example';
  const withEscalation = (): RemindTaskDeps => ({ ...deps(), escalationEmail: TECH });

  it('the final reminder (day 12 of 14) also sends Technology Services a notice without the task link', async () => {
    const result = await remindTask({ taskId: TASK_ID, reminder: 2 }, withEscalation());

    expect(result).toEqual({ reminded: true, reminder: 2 });
    const [team, escalation] = sentEmails();
    expect(team?.to).toEqual(['dii@district.example']);
    expect(escalation?.to).toEqual([TECH]);
    expect(escalation?.subject).toBe(
      `Escalation: DII has not decided SOP step 10 for ${requestRecord().resource.name} (${REQUEST_ID}), due Friday, December 11, 2026 at 10:00 AM UTC`,
    );
    expect(escalation?.text).toContain(`Status: ${BASE}/requests/${REQUEST_ID}`);
    for (const part of [escalation?.text, escalation?.html]) {
      expect(part).not.toContain('/tasks/');
      expect(part).not.toContain(TOKEN);
    }
    expect(auditItems('TASK_ESCALATED')).toEqual([
      expect.objectContaining({
        requestId: REQUEST_ID,
        sopStep: 10,
        detail: expect.objectContaining({ team: 'dii' }),
      }),
    ]);
  });

  it('the halfway reminder does not escalate', async () => {
    await remindTask({ taskId: TASK_ID, reminder: 1 }, withEscalation());
    expect(sentEmails().map((e) => e.to)).toEqual([['dii@district.example']]);
    expect(auditItems('TASK_ESCALATED')).toEqual([]);
  });

  it('without ESCALATION_EMAIL nobody else is emailed', async () => {
    await remindTask({ taskId: TASK_ID, reminder: 2 }, deps());
    expect(sentEmails()).toHaveLength(1);
  });

  it('a failed escalation email is logged; the reminder itself stands', async () => {
    sesMock.on(SendEmailCommand, { Destination: { ToAddresses: [TECH] } }).rejects(throttled('Throttling'));

    const result = await remindTask({ taskId: TASK_ID, reminder: 2 }, withEscalation());

    expect(result).toEqual({ reminded: true, reminder: 2 });
    expect(auditItems('TASK_REMINDED')).toHaveLength(1);
    expect(auditItems('TASK_ESCALATED')).toEqual([]);
  });
});

describe('configuration is read once and fails fast with the variable name', () => {
  const env = {
    TABLE_NAME: TABLE,
    MAIL_FROM: 'no-reply@district.example',
    PUBLIC_BASE_URL: `${BASE}/`,
    TEAM_EMAILS: JSON.stringify(TEAM_EMAILS),
  };

  it('reads every variable it needs', () => {
    expect(buildRemindTaskDeps(env)).toMatchObject({ publicBaseUrl: BASE, teamEmails: TEAM_EMAILS });
  });

  it('ESCALATION_EMAIL is optional, and must be an email address when set', () => {
    expect(buildRemindTaskDeps(env)).not.toHaveProperty('escalationEmail');
    expect(buildRemindTaskDeps({ ...env, ESCALATION_EMAIL: 'ts@district.example' })).toMatchObject({
      escalationEmail: 'ts@district.example',
    });
    expect(() => buildRemindTaskDeps({ ...env, ESCALATION_EMAIL: 'not-an-address' })).toThrow(
      'ESCALATION_EMAIL',
    );
  });

  it.each(Object.keys(env))('missing %s', (name) => {
    expect(() => buildRemindTaskDeps({ ...env, [name]: undefined })).toThrow(ConfigError);
    expect(() => buildRemindTaskDeps({ ...env, [name]: undefined })).toThrow(name);
  });
});

describe('a reminder follows the person who has the task, and their out-of-office', () => {
  const since = '2026-11-20T09:00:00.000Z';
  const taken = () => taskRecord({ assignee: { email: 'pat@district.example.org', name: 'Pat', since } });
  const givenPerson = (email: string, item: Record<string, unknown>) =>
    ddb.on(GetCommand, { Key: personKey(email) }).resolves({ Item: { ...personKey(email), ...item } });

  it('reminds the person who took the task by name, besides the team', async () => {
    givenTable({ task: taken() });
    givenPerson('pat@district.example.org', { email: 'pat@district.example.org', name: 'Pat' });

    await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    expect(sentEmails()[0]?.to).toContain('pat@district.example.org');
  });

  it('gives the task of someone away to their delegate, conditionally, and reminds the delegate', async () => {
    givenTable({ task: taken() });
    givenPerson('pat@district.example.org', {
      email: 'pat@district.example.org',
      name: 'Pat',
      away: { delegateTo: 'lee@district.example.org', until: '2099-01-01' },
    });
    givenPerson('lee@district.example.org', { email: 'lee@district.example.org', name: 'Lee' });

    await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    const handover = ddb
      .commandCalls(UpdateCommand)
      .find((c) => c.args[0].input.UpdateExpression === 'SET assignee = :to')?.args[0].input;
    expect(handover).toMatchObject({
      ConditionExpression: '#status = :pending AND assignee.email = :from',
      ExpressionAttributeValues: expect.objectContaining({
        ':from': 'pat@district.example.org',
        ':to': expect.objectContaining({ email: 'lee@district.example.org', name: 'Lee' }),
      }),
    });
    expect(sentEmails()[0]?.to).toContain('lee@district.example.org');
    expect(sentEmails()[0]?.to).not.toContain('pat@district.example.org');
    expect(auditItems('TASK_ASSIGNEE_CHANGED')).toHaveLength(1);
  });

  it('leaves a task with someone whose time away has ended', async () => {
    givenTable({ task: taken() });
    givenPerson('pat@district.example.org', {
      email: 'pat@district.example.org',
      name: 'Pat',
      away: { delegateTo: 'lee@district.example.org', until: '2020-01-01' },
    });

    await remindTask({ taskId: TASK_ID, reminder: 1 }, deps());

    expect(sentEmails()[0]?.to).toContain('pat@district.example.org');
    expect(auditItems('TASK_ASSIGNEE_CHANGED')).toEqual([]);
  });
});
