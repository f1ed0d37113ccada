/**
 * Every human step of TS-PE-535 starts here (DESIGN.md "Human tasks and links"): the state machine's
 * waitForTaskToken call stores the token with a random task id and a hashed 256-bit secret, sets the
 * request's current step, emails the team a link carrying only id + secret, audits TASK_ASSIGNED, and
 * schedules the reminders.
 */
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import * as z from 'zod/mini';
import type { TeamEmails } from '../config.ts';
import { ValidationError } from '../errors.ts';
import { logger } from '../logger.ts';
import type { Email, Mailer } from '../mail/mailer.ts';
import { renderQuestionEmail } from '../mail/question-email.ts';
import { renderTaskEmail } from '../mail/task-email.ts';
import type { RequestRecord, TaskRecord } from '../store/records.ts';
import type { WorkflowStore } from '../store/store.ts';
import { parsePayload, requestIdField } from './outcome.ts';
import { type ReminderSchedulerConfig, scheduleReminders } from './reminder-schedules.ts';
import { workflowResourceSchema } from './request-schema.ts';
import { taskContext } from './task-context.ts';
import { ASKING_KINDS, copiedTeams, TASK_KINDS, type TaskKind, TEAMS } from './task-kinds.ts';
import { hashSecret, newTaskId, newTaskSecret, replyLink, taskLink } from './task-links.ts';
import type { AssignTaskInput, QuestionToAsk } from './workflow.ts';

export interface AssignTaskDeps {
  store: Pick<WorkflowStore, 'requireRequest' | 'createTask' | 'updateRequest' | 'appendAudit' | 'listAudit'>;
  mailer: Mailer;
  now: () => Date;
  publicBaseUrl: string;
  teamEmails: TeamEmails;
  /** One-time schedules that invoke remind-task before the deadline. */
  reminders: { scheduler: SchedulerClient; config: ReminderSchedulerConfig };
}

const assignTaskInputSchema = z.object({
  taskToken: z
    .string({ error: 'taskToken is required' })
    .check(z.minLength(1, 'taskToken is required'), z.maxLength(8192, 'taskToken is too long')),
  requestId: requestIdField,
  kind: z.enum(Object.keys(TASK_KINDS) as TaskKind[], {
    error: `kind must be one of ${Object.keys(TASK_KINDS).join(', ')}`,
  }),
  timeoutSeconds: z
    .int({ error: 'timeoutSeconds must be a positive whole number of seconds' })
    .check(z.gt(0, 'timeoutSeconds must be a positive whole number of seconds')),
  executionId: z.optional(z.string({ error: 'executionId must be a string' })),
  stateName: z.optional(z.string({ error: 'stateName must be a string' })),
  resource: z.optional(workflowResourceSchema),
  askedBy: z.optional(z.enum(ASKING_KINDS, { error: `askedBy must be one of ${ASKING_KINDS.join(', ')}` })),
  // The asking step's whole `ask` decision: only these fields are kept.
  question: z.optional(
    z.object({
      question: z
        .string({ error: 'question.question is required' })
        .check(z.minLength(1, 'question.question is required')),
      recipient: z.enum(['requester', 'vendor'], { error: 'question.recipient must be requester or vendor' }),
      vendorContactEmail: z.optional(z.string({ error: 'question.vendorContactEmail must be a string' })),
    }),
  ),
});

/** Validates the Payload a waitForTaskToken state sends; ValidationError names each bad field. */
export function parseAssignTaskInput(input: unknown): AssignTaskInput {
  return parsePayload(assignTaskInputSchema, input);
}

export async function assignTask(
  rawInput: unknown,
  deps: AssignTaskDeps,
): Promise<{ taskId: string; expiresAt: string; reminders: string[] }> {
  const input = parseAssignTaskInput(rawInput);
  if (input.kind === 'answer') return sendQuestion(input, deps);
  const spec = TASK_KINDS[input.kind];
  const team = TEAMS[spec.team];
  const stored = await deps.store.requireRequest(input.requestId);
  // The execution says which resource is under review: after a replacement its state is ahead of
  // the table until record-decision's follow-up write lands, so the email uses (and records) it.
  const resourceChanged =
    input.resource && JSON.stringify(input.resource) !== JSON.stringify(stored.resource);
  const request = input.resource ? { ...stored, resource: input.resource } : stored;
  const context = await taskContext(input.kind, input.requestId, deps.store);

  const now = deps.now();
  const { task, secret } = newTask(input, now);
  const { taskId, expiresAt } = task;

  await deps.store.createTask(task);
  await deps.store.updateRequest(input.requestId, {
    currentStep: spec.sopStep,
    currentActivity: `Waiting for ${team}: ${spec.title}`,
    ...(resourceChanged ? { resource: request.resource } : {}),
  });
  // The email goes before the audit event: TASK_ASSIGNED means the team was told. If sending fails,
  // the state machine retries the whole call and the unsent task simply expires.
  await deps.mailer.send(
    renderTaskEmail({
      to: deps.teamEmails[spec.team],
      cc: copiedTeams(input.kind, deps.teamEmails),
      kind: input.kind,
      request,
      expiresAt,
      link: taskLink(deps.publicBaseUrl, taskId, secret),
      context,
    }),
  );
  await deps.store.appendAudit({
    requestId: input.requestId,
    at: now.toISOString(),
    sopStep: spec.sopStep,
    type: 'TASK_ASSIGNED',
    summary: `Assigned to ${team}: ${spec.title}`,
    actor: 'workflow',
    detail: {
      sopStep: spec.sopStep,
      team: spec.team,
      kind: input.kind,
      taskId,
      expiresAt,
      ...(input.stateName ? { stateName: input.stateName } : {}),
    },
  });
  // Reminders last, and best effort: a failure is logged, never thrown. Thrown, it would make the
  // state machine retry the whole call, which creates a second task and emails the team twice; and a
  // reminder scheduled before a later step failed would remind of a task that the retry replaced.
  const reminders = await scheduleReminders(task, deps.reminders);
  logger.info('Task assigned', {
    requestId: input.requestId,
    taskId,
    kind: input.kind,
    sopStep: spec.sopStep,
    reminders: reminders.length,
  });
  return { taskId, expiresAt, reminders: reminders.map((r) => r.at.toISOString()) };
}

/**
 * SOP 4 "work with the vendor to answer questions as needed": an AwaitXAnswer state's call. The
 * question goes to the requester or the vendor with a reply link; the task is the asking team's (its
 * team and SOP step), waiting for the answer. No reminders: they would go to the team.
 */
async function sendQuestion(
  input: AssignTaskInput,
  deps: AssignTaskDeps,
): Promise<{ taskId: string; expiresAt: string; reminders: string[] }> {
  if (!input.question || !input.askedBy) {
    throw new ValidationError([
      { field: 'question', message: 'An answer task needs its question and askedBy' },
    ]);
  }
  const question: QuestionToAsk = { askedBy: input.askedBy, ...input.question };
  const asking = TASK_KINDS[question.askedBy];
  const request = await deps.store.requireRequest(input.requestId);
  const to = recipientAddress(question, request);
  const now = deps.now();
  const { task, secret } = newTask(input, now, question);
  await deps.store.createTask(task);
  await deps.store.updateRequest(input.requestId, {
    currentStep: asking.sopStep,
    currentActivity: `Waiting for the ${question.recipient} to answer a question from ${TEAMS[asking.team]}`,
  });
  const email: Email = renderQuestionEmail({
    to,
    question,
    request,
    expiresAt: task.expiresAt,
    link: replyLink(deps.publicBaseUrl, task.taskId, secret),
  });
  await deps.mailer.send(email);
  await deps.store.appendAudit({
    requestId: input.requestId,
    at: now.toISOString(),
    sopStep: asking.sopStep,
    type: 'QUESTION_SENT',
    summary: `${TEAMS[asking.team]} asked the ${question.recipient} a question`,
    actor: 'workflow',
    detail: {
      sopStep: asking.sopStep,
      kind: input.kind,
      askedBy: question.askedBy,
      recipient: question.recipient,
      question: question.question,
      taskId: task.taskId,
      expiresAt: task.expiresAt,
    },
  });
  logger.info('Question sent', {
    requestId: input.requestId,
    taskId: task.taskId,
    askedBy: question.askedBy,
  });
  return { taskId: task.taskId, expiresAt: task.expiresAt, reminders: [] };
}

function recipientAddress(question: QuestionToAsk, request: RequestRecord): string {
  if (question.recipient === 'requester') return request.submitted.requesterEmail;
  const vendor = question.vendorContactEmail ?? request.security?.privacyReview?.vendorContactEmail;
  if (!vendor) {
    throw new ValidationError([
      { field: 'question.vendorContactEmail', message: "A question to the vendor needs the vendor's email" },
    ]);
  }
  return vendor;
}

/** A pending task for this waitForTaskToken call, and its link secret (only its hash is stored). */
function newTask(
  input: AssignTaskInput,
  now: Date,
  question?: QuestionToAsk,
): { task: TaskRecord; secret: string } {
  // A question's task is the asking step's: its team waits, at its SOP step.
  const spec = TASK_KINDS[question ? question.askedBy : input.kind];
  const taskId = newTaskId();
  const secret = newTaskSecret();
  const task: TaskRecord = {
    taskId,
    requestId: input.requestId,
    kind: input.kind,
    team: spec.team,
    sopStep: spec.sopStep,
    taskToken: input.taskToken,
    secretHash: hashSecret(secret),
    status: 'PENDING',
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + input.timeoutSeconds * 1000).toISOString(),
    ...(input.executionId ? { executionId: input.executionId } : {}),
    ...(question ? { question } : {}),
  };
  return { task, secret };
}
