/**
 * SOP 4 "work with the vendor to answer questions as needed" and SOP 3/7 re-routing, unit by unit:
 * the `ask` / `reroute` / `answered` decisions, the question email and its reply link, the reply
 * page and its answer, and the task page when the step comes back or the outcomes are used up.
 */

import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { assignTask } from '#lambdas/assign-task.ts';
import { recordAnswer } from '#lambdas/record-answer.ts';
import { recordDecision } from '#lambdas/record-decision.ts';
import { showReplyPage } from '#lambdas/reply-page.ts';
import { showTaskPage } from '#lambdas/task-page.ts';
import { dynamoDb, scheduler, sfn } from '#shared/core/aws/clients.ts';
import type { HttpEvent } from '#shared/core/http/edge.ts';
import { SesMailer } from '#shared/core/mail/ses-mailer.ts';
import { WorkflowStore } from '#shared/store.ts';
import { type DecisionContext, parseDecision } from '#shared/tasks/decisions/parse.ts';
import type { LinkDecideDeps, LinkPageDeps } from '#shared/tasks/link-endpoints.ts';
import type { AssignTaskDeps } from '#shared/tasks/task-assign.ts';
import type { AuditEvent, TaskRecord } from '#shared/workflow/records.ts';
import { MAX_QUESTIONS_PER_REQUEST, type TaskKind } from '#shared/workflow/task-kinds.ts';
import {
  auditItems,
  BASE,
  ddb,
  getTaskEvent,
  givenTable,
  NOW,
  postTaskEvent,
  REQUEST_ID,
  SECRET,
  sentEmails,
  sfnMock,
  TABLE,
  TEAM_EMAILS,
  TOKEN,
  taskRecord,
  writes,
} from '../../support/task-kit.ts';

process.env.TABLE_NAME = TABLE;
process.env.MAIL_FROM = 'no-reply@district.example';
process.env.PUBLIC_BASE_URL = BASE;

const ctx: DecisionContext = { decidedAt: NOW.toISOString() };
const schedulerMock = mockClient(SchedulerClient);
const store = () => new WorkflowStore({ tableName: TABLE, client: dynamoDb, now: () => NOW });

function errorsOf(kind: TaskKind, input: Record<string, unknown>, context = ctx): Record<string, string> {
  const result = parseDecision(kind, input, context);
  if (result.ok) throw new Error('expected field errors');
  return Object.fromEntries(result.errors.map((e) => [e.field, e.message]));
}

const QUESTION: TaskRecord['question'] = {
  askedBy: 'curriculum-review',
  question: 'Which grade levels will use it?',
  recipient: 'requester',
};
const replyTask = (overrides: Partial<TaskRecord> = {}) =>
  taskRecord({
    kind: 'answer',
    team: 'instructional-technology',
    sopStep: 8,
    question: QUESTION,
    ...overrides,
  });

function replyEvent(event: HttpEvent): HttpEvent {
  event.pathParameters = { replyId: event.pathParameters?.taskId ?? '' };
  return event;
}

function decisionAudit(detail: Record<string, unknown>, at = '2026-11-27T10:00:00.000Z'): AuditEvent {
  return {
    requestId: REQUEST_ID,
    at,
    sopStep: 8,
    type: 'DECISION_RECORDED',
    summary: 'x',
    actor: 'Sam',
    detail,
  };
}

/** The asking step assigned again (after the reply's wait), or at `at`. */
const reassigned = (at = '2026-11-28T09:00:00.000Z'): AuditEvent => ({
  requestId: REQUEST_ID,
  at,
  sopStep: 8,
  type: 'TASK_ASSIGNED',
  summary: 'Assigned',
  actor: 'workflow',
  detail: { kind: 'curriculum-review', taskId: 'TaskId0000000000000002' },
});
const questionSent = (): AuditEvent => ({
  requestId: REQUEST_ID,
  at: '2026-11-27T10:00:00.000Z',
  sopStep: 8,
  type: 'QUESTION_SENT',
  summary: 'Asked',
  actor: 'workflow',
  detail: { kind: 'answer', askedBy: 'curriculum-review', taskId: 'TaskId0000000000000001' },
});

describe('the ask, reroute and answered decisions', () => {
  it('ask needs a question; with one possible recipient (every step but privacy) it is the requester', () => {
    expect(errorsOf('curriculum-review', { decision: 'ask', decidedBy: 'Sam' })).toEqual({
      question: 'Write your question',
    });
    const parsed = parseDecision(
      'technical-review',
      { decision: 'ask', question: 'Admin rights?', decidedBy: 'Sam' },
      ctx,
    );
    expect(parsed).toMatchObject({
      ok: true,
      value: { asks: true, output: { decision: 'ask', question: 'Admin rights?', recipient: 'requester' } },
    });
  });

  it('only Cybersecurity may ask the vendor, and then needs the vendor contact; not the DPA facts', () => {
    expect(
      errorsOf('curriculum-review', {
        decision: 'ask',
        question: 'Q?',
        recipient: 'vendor',
        decidedBy: 'Sam',
      }),
    ).toEqual({ recipient: 'Choose who should answer (requester)' });
    expect(
      errorsOf('privacy-review', { decision: 'ask', question: 'Q?', recipient: 'vendor', decidedBy: 'Sam' }),
    ).toEqual({ vendorContactEmail: "A question to the vendor needs the vendor's privacy contact email" });
    const parsed = parseDecision(
      'privacy-review',
      {
        decision: 'ask',
        question: 'Where is data stored?',
        recipient: 'vendor',
        vendorContactEmail: 'Privacy@Vendor.example',
        decidedBy: 'Sam',
      },
      ctx,
    );
    expect(parsed).toMatchObject({
      ok: true,
      value: { output: { recipient: 'vendor', vendorContactEmail: 'privacy@vendor.example' } },
    });
  });

  it('reroute is for the two approval reviews only, and must say why', () => {
    expect(errorsOf('administrative-review', { decision: 'reroute', decidedBy: 'Sam' })).toEqual({
      comment: 'Explain this decision in the comment',
    });
    expect(
      errorsOf('technical-review', { decision: 'reroute', comment: 'x', decidedBy: 'Sam' }),
    ).toHaveProperty('decision');
  });

  it('an outcome the request has used up is refused with the reason', () => {
    expect(
      errorsOf(
        'curriculum-review',
        { decision: 'ask', question: 'Q?', decidedBy: 'Sam' },
        { ...ctx, withheld: ['ask'] },
      ),
    ).toEqual({ decision: expect.stringMatching(/No more questions can be asked for this request/) });
  });

  it('an answer needs its text', () => {
    expect(errorsOf('answer', { decision: 'answered', decidedBy: 'Maria' })).toEqual({
      answer: 'Write your answer',
    });
  });
});

describe('assign-task for a question: the recipient gets a reply link', () => {
  const deps = (): AssignTaskDeps => ({
    store: store(),
    mailer: new SesMailer({ from: 'no-reply@district.example' }),
    now: () => NOW,
    publicBaseUrl: BASE,
    teamEmails: TEAM_EMAILS,
    reminders: {
      scheduler,
      config: {
        scheduleGroupName: 'g',
        schedulerRoleArn: 'arn:aws:iam::1:role/r',
        reminderFunctionArn: 'arn:aws:lambda:us-west-2:1:function:f',
        deadLetterArn: 'arn:aws:sqs:us-west-2:1:q',
      },
    },
  });
  const input = (question: Record<string, unknown>, askedBy = 'curriculum-review') => ({
    taskToken: TOKEN,
    requestId: REQUEST_ID,
    kind: 'answer',
    timeoutSeconds: 604800,
    askedBy,
    question: { decision: 'ask', comment: '', decidedBy: 'Sam', decidedAt: NOW.toISOString(), ...question },
  });

  beforeEach(() => {
    givenTable({});
    schedulerMock.reset();
    schedulerMock.on(CreateScheduleCommand).resolves({});
  });

  it("emails the requester the question with a /replies/ link; the task is the asking team's; no reminders", async () => {
    await assignTask(input({ question: 'Which grade levels?', recipient: 'requester' }), deps());

    const [email] = sentEmails();
    expect(email?.to).toEqual(['dana.reyes@district.example']);
    expect(email?.text).toContain('Which grade levels?');
    expect(email?.text).toMatch(/https:\/\/requests\.district\.example\/replies\/[A-Za-z0-9_-]{22}\?t=/);
    expect(email?.text).not.toContain('/tasks/');
    const task = ddb.commandCalls(PutCommand).find((c) => c.args[0].input.Item?.entity === 'task')?.args[0]
      .input.Item;
    expect(task).toMatchObject({
      kind: 'answer',
      team: 'instructional-technology',
      sopStep: 8,
      question: { askedBy: 'curriculum-review', question: 'Which grade levels?', recipient: 'requester' },
    });
    expect(task).not.toHaveProperty('question.decidedBy');
    expect(auditItems('QUESTION_SENT')).toHaveLength(1);
    expect(schedulerMock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('a question to the vendor goes to the vendor contact the privacy review gave', async () => {
    await assignTask(
      input(
        { question: 'Do you share data?', recipient: 'vendor', vendorContactEmail: 'privacy@v.example' },
        'privacy-review',
      ),
      deps(),
    );

    expect(sentEmails()[0]?.to).toEqual(['privacy@v.example']);
  });
});

describe('GET /replies/{id}: the reply page follows the task link rules', () => {
  const deps = (): LinkPageDeps => ({ store: store(), now: () => NOW, caller: { mode: 'link' } });

  it('shows the question and an answer form, and changes nothing', async () => {
    givenTable({ task: replyTask() });

    const response = await showReplyPage(replyEvent(getTaskEvent()), deps());

    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' });
    expect(response.body).toContain('Which grade levels will use it?');
    expect(response.body).toContain('<textarea id="answer" name="answer"');
    expect(response.body).toContain('<input type="hidden" name="decision" value="answered">');
    expect(writes()).toEqual([]);
  });

  it('a team task link does not open as a reply, nor a reply link as a team task (404)', async () => {
    givenTable({});
    expect((await showReplyPage(replyEvent(getTaskEvent()), deps())).statusCode).toBe(404);
    givenTable({ task: replyTask() });
    expect((await showTaskPage(getTaskEvent(), deps())).statusCode).toBe(404);
  });

  it('wrong secret 403, already answered 409, expired 410', async () => {
    givenTable({ task: replyTask() });
    expect((await showReplyPage(replyEvent(getTaskEvent({ t: 'forged' })), deps())).statusCode).toBe(403);
    givenTable({ task: replyTask({ status: 'DECIDED', decision: 'answered', decidedBy: 'Maria' }) });
    expect((await showReplyPage(replyEvent(getTaskEvent()), deps())).statusCode).toBe(409);
    givenTable({ task: replyTask({ expiresAt: '2026-11-28T09:00:00.000Z' }) });
    expect((await showReplyPage(replyEvent(getTaskEvent()), deps())).statusCode).toBe(410);
  });

  it('once the review was assigned again (the wait timed out), the link answers 410 before its expiry', async () => {
    givenTable({ task: replyTask(), audit: [reassigned()] });

    const response = await showReplyPage(replyEvent(getTaskEvent()), deps());

    expect(response.statusCode).toBe(410);
    expect(response.body).toContain('This reply link has expired');
    expect(response.body).not.toContain('<textarea');
    expect(writes()).toEqual([]);
    // the asking step's own earlier assignment and this question's audit event do not end the wait
    givenTable({ task: replyTask(), audit: [reassigned('2026-11-26T10:00:00.000Z'), questionSent()] });
    expect((await showReplyPage(replyEvent(getTaskEvent()), deps())).statusCode).toBe(200);
  });
});

describe('POST /replies/{id}: the answer', () => {
  const deps = (): LinkDecideDeps => ({
    store: store(),
    sfn,
    mailer: new SesMailer({ from: 'no-reply@district.example' }),
    now: () => NOW,
    publicBaseUrl: BASE,
    caller: { mode: 'link' },
  });
  const post = (fields: Record<string, string>) =>
    recordAnswer(replyEvent(postTaskEvent({ t: SECRET, decision: 'answered', ...fields })), deps());

  it('goes to Step Functions and the audit trail (naming the step that asked); nobody else is emailed', async () => {
    givenTable({ task: replyTask() });

    const response = await post({ answer: 'Grades 3 to 5.', decidedBy: 'Maria Lopez' });

    expect(response.statusCode).toBe(200);
    const [call] = ddb
      .commandCalls(PutCommand)
      .filter((c) => c.args[0].input.Item?.type === 'DECISION_RECORDED');
    expect(call?.args[0].input.Item).toMatchObject({
      actor: 'Maria Lopez',
      detail: { kind: 'answer', askedBy: 'curriculum-review', answer: 'Grades 3 to 5.' },
    });
    const outputs = sfnMock
      .commandCalls(SendTaskSuccessCommand)
      .map((c) => JSON.parse(c.args[0].input.output ?? ''));
    expect(outputs).toEqual([expect.objectContaining({ decision: 'answered', answer: 'Grades 3 to 5.' })]);
    expect(sentEmails()).toEqual([]);
  });

  it('once the review was assigned again, an answer is 410: no claim, no audit event, nothing sent', async () => {
    givenTable({ task: replyTask(), audit: [questionSent(), reassigned()] });

    const response = await post({ answer: 'Too late.', decidedBy: 'Maria Lopez' });

    expect(response.statusCode).toBe(410);
    expect(writes()).toEqual([]);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
    // a wrong secret is still 403: the refusal says nothing about the link
    expect((await post({ t: 'forged', answer: 'x', decidedBy: 'Eve' })).statusCode).toBe(403);
  });

  it('Step Functions throttled and the claim cannot be given back → 202 "kept": the answer reaches the team by the sweep, no resend asked', async () => {
    givenTable({ task: replyTask() });
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: {} }));
    // The release of the claim (shared/tasks/store.ts releaseTask) fails too.
    ddb.on(UpdateCommand).callsFake((input: { ConditionExpression?: string }) => {
      if (input.ConditionExpression === '#status = :decided AND decidedAt = :at')
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return {};
    });

    const response = await post({ answer: 'Grades 3 to 5.', decidedBy: 'Maria Lopez' });

    expect(response.statusCode).toBe(202);
    expect(response.body).toContain('Thank you: your answer is kept');
    expect(response.body).toContain('reaches the Instructional Technology team within minutes');
    expect(response.body).toContain('You do not need to send it again');
    expect(sentEmails()).toEqual([]);
  });

  it('a reply link cannot decide a team task (404), and a team link cannot answer here', async () => {
    givenTable({});
    expect((await post({ answer: 'x', decidedBy: 'Eve' })).statusCode).toBe(404);
    givenTable({ task: replyTask() });
    const asTeam = await recordDecision(
      postTaskEvent({ t: SECRET, decision: 'answered', answer: 'x', decidedBy: 'Eve' }),
      deps(),
    );
    expect(asTeam.statusCode).toBe(404);
    expect(writes()).toEqual([]);
  });
});

describe('the task page when the step comes back, or its outcomes are used up', () => {
  const deps = (): LinkPageDeps => ({ store: store(), now: () => NOW, caller: { mode: 'link' } });
  const curriculum = () =>
    taskRecord({ kind: 'curriculum-review', team: 'instructional-technology', sopStep: 8 });

  it('shows the question the team asked and the answer', async () => {
    givenTable({
      task: curriculum(),
      audit: [
        decisionAudit({
          kind: 'curriculum-review',
          decision: 'ask',
          question: 'Which grades?',
          recipient: 'requester',
        }),
        decisionAudit(
          { kind: 'answer', askedBy: 'curriculum-review', decision: 'answered', answer: 'Grades 3 to 5.' },
          '2026-11-27T12:00:00.000Z',
        ),
      ],
    });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    expect(page).toContain('<dt>Your question</dt><dd>Which grades?</dd>');
    expect(page).toContain('<dt>Answer</dt><dd>Grades 3 to 5.</dd>');
  });

  it('says when no answer came before the reply link expired', async () => {
    givenTable({
      task: curriculum(),
      audit: [decisionAudit({ kind: 'curriculum-review', decision: 'ask', question: 'Which grades?' })],
    });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    expect(page).toContain('<dt>Answer</dt><dd>No answer arrived before the reply link expired</dd>');
  });

  it(`offers no question after ${MAX_QUESTIONS_PER_REQUEST}, and no re-routing after one, and refuses them`, async () => {
    const audit = [
      ...Array.from({ length: MAX_QUESTIONS_PER_REQUEST }, () =>
        decisionAudit({ kind: 'privacy-review', decision: 'ask', question: 'Q?' }),
      ),
      decisionAudit({ kind: 'administrative-review', decision: 'reroute', comment: 'Classroom' }),
    ];
    givenTable({ task: curriculum(), audit });

    const page = (await showTaskPage(getTaskEvent(), deps())).body;

    expect(page).not.toContain('value="ask"');
    expect(page).not.toContain('value="reroute"');
    expect(page).not.toContain('name="question"');
    expect(page).toContain('No more questions can be asked for this request');
    const refused = await recordDecision(
      postTaskEvent({ t: SECRET, decision: 'reroute', comment: 'Back', decidedBy: 'Sam' }),
      {
        store: store(),
        sfn,
        mailer: new SesMailer({ from: 'no-reply@district.example' }),
        now: () => NOW,
        publicBaseUrl: BASE,
        caller: { mode: 'link' },
      },
    );
    expect(refused.statusCode).toBe(400);
    expect(writes()).toEqual([]);
  });
});
