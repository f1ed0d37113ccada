/**
 * Every human step of TS-PE-535 starts here (docs/design.md "Human tasks and links"): the state machine's
 * waitForTaskToken call stores the token with a random task id and a hashed 256-bit secret, records the
 * task as the request's current wait (step, activity, task; a stewardship wait keeps its task beside it
 * and leaves the request alone), emails the team a link carrying only id + secret (through the outbox,
 * key `task#<taskId>`), audits TASK_ASSIGNED, and schedules the reminders. Run again for the same wait (a
 * retry, or after a crash), it keeps that one task (retriedWait).
 */

import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { retryAfterEmail } from '../core/aws/transient.ts';
import { ConflictError, ValidationError } from '../core/errors.ts';
import { fieldOf, isOneOf, keysOf } from '../core/guards.ts';
import { logger } from '../core/logger.ts';
import type { Email, Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import type { OutboxStore } from '../core/store/outbox.ts';
import { type PeopleStore, workGoesTo } from '../identity/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type {
  Assignee,
  AssignTaskInput,
  QuestionToAsk,
  RequestRecord,
  TaskRecord,
  TeamEmails,
} from '../workflow/index.ts';
import {
  DEFAULT_SERVICE_LEVEL_DAYS,
  isStewardshipKind,
  type ServiceLevelDays,
  serviceLevelOf,
  TASK_KINDS,
  TEAMS,
} from '../workflow/index.ts';
import { renderQuestionEmail } from './emails/question-email.ts';
import { type ReminderSchedulerConfig, scheduleReminders } from './reminder-schedules.ts';
import type { TaskStore } from './store.ts';
import { taskContext } from './task-context.ts';
import { hashSecret, newTaskId, newTaskSecret, replyLink } from './task-links.ts';
import { teamTaskEmail } from './team-task-email.ts';

export interface AssignTaskDeps {
  store: Pick<RequestStore, 'requireRequest' | 'updateRequest' | 'appendAudit' | 'listAudit'> &
    Pick<TaskStore, 'createTask' | 'getTask' | 'retokenTask' | 'recordWaitTask' | 'getWaitTask'> &
    Pick<PeopleStore, 'getPerson'> &
    SendOnceDeps['outbox'] &
    Pick<OutboxStore, 'getEffect'>;
  mailer: Mailer;
  now: () => Date;
  publicBaseUrl: string;
  teamEmails: TeamEmails;
  /** One-time schedules that invoke remind-task before the deadline. */
  reminders: { scheduler: SchedulerClient; config: ReminderSchedulerConfig };
  /** Waits between attempts of the request write after the email (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** The district's service levels (SERVICE_LEVEL_DAYS); the defaults when absent. */
  serviceLevels?: ServiceLevelDays;
}

/** `input` was parsed by workflowStep with assignTaskInputSchema (shared/workflow/step-inputs.ts). */
export async function assignTask(
  input: AssignTaskInput,
  deps: AssignTaskDeps,
): Promise<{ taskId: string; expiresAt: string; reminders: string[] }> {
  const stored = await deps.store.requireRequest(input.requestId);
  const retried = await retriedWait(input, stored, deps);
  const kept = retried && (await finishRetriedWait(input, retried, stored, deps));
  if (kept) return kept;

  const question = questionOf(input, stored);
  const { task, secret } = newTask(input, deps.now(), question, deps.serviceLevels);
  const holder = question ? undefined : await continuingHolder(task, deps);
  if (holder) task.assignee = holder;
  await deps.store.createTask(task);
  // The request says which task its wait is before the link goes out, so a call of the same wait run
  // again (a retry, or after a crash) finds this task instead of emailing the team a second one. A
  // stewardship wait says it in an item of its own: the request's step, activity and current task are
  // its own workflow's (a renewal may be waiting too), and the review is Cybersecurity's business.
  if (isStewardshipKind(input.kind)) await deps.store.recordWaitTask(task);
  else {
    await deps.store.updateRequest(input.requestId, {
      ...waitingFor(input, task, stored),
      ...(input.executionId
        ? { currentTask: { taskId: task.taskId, kind: input.kind, executionId: input.executionId } }
        : {}),
    });
  }
  await sendLink(input, task, secret, stored, deps);
  // The audit event says the link went out (TASK_ASSIGNED means the team was told): retried in the
  // call, since a call run again without it sends the link again.
  await retryAfterEmail(() => auditAssignment(task, input, deps), deps.sleep);
  return report(task, deps);
}

/** An answer task's question (the asking step's), checked before anything is written. */
function questionOf(input: AssignTaskInput, request: RequestRecord): QuestionToAsk | undefined {
  if (input.kind !== 'answer') return undefined;
  if (!input.question || !input.askedBy) {
    throw new ValidationError([
      { field: 'question', message: 'An answer task needs its question and askedBy' },
    ]);
  }
  const question: QuestionToAsk = { askedBy: input.askedBy, ...input.question };
  recipientAddress(question, request);
  return question;
}

/** The request's current step and activity while it waits for this task. */
function waitingFor(input: AssignTaskInput, task: TaskRecord, stored: RequestRecord): Partial<RequestRecord> {
  const question = task.question;
  if (question) {
    const asking = TASK_KINDS[question.askedBy];
    return {
      currentStep: asking.sopStep,
      currentActivity: `Waiting for the ${question.recipient} to answer a question from ${TEAMS[asking.team]}`,
    };
  }
  const spec = TASK_KINDS[input.kind];
  // The execution says which resource is under review: after a replacement its state is ahead of
  // the table until record-decision's follow-up write lands, so the email uses (and records) it.
  const resourceChanged =
    input.resource && JSON.stringify(input.resource) !== JSON.stringify(stored.resource);
  return {
    currentStep: spec.sopStep,
    currentActivity: `Waiting for ${TEAMS[spec.team]}: ${spec.title}`,
    ...(resourceChanged && input.resource ? { resource: input.resource } : {}),
  };
}

/** The link email: the team's task email, or the question to the requester or vendor (SOP 4). */
async function sendLink(
  input: AssignTaskInput,
  task: TaskRecord,
  secret: string,
  stored: RequestRecord,
  deps: AssignTaskDeps,
): Promise<void> {
  const question = task.question;
  if (question) {
    const email: Email = renderQuestionEmail({
      to: recipientAddress(question, stored),
      question,
      request: stored,
      expiresAt: task.expiresAt,
      link: replyLink(deps.publicBaseUrl, task.taskId, secret),
    });
    await sendLinkOnce(task, email, deps);
    return;
  }
  const request = input.resource ? { ...stored, resource: input.resource } : stored;
  const context = await taskContext(task, deps.store);
  const email = teamTaskEmail({ kind: input.kind, request, task, secret, context }, deps);
  // The person the task went to (continuity, or their delegate) is told by name, besides the team.
  if (task.assignee && !email.to.includes(task.assignee.email)) email.to.push(task.assignee.email);
  await sendLinkOnce(task, email, deps);
}

/** The link email's outbox key: one per task (a wait run again keeps its task, and its email). */
export const linkEffectKey = (taskId: string) => `task#${taskId}`;

/**
 * Through the outbox (shared/core/mail/send-once.ts): recorded before it is sent, marked after, sent by
 * the recovery sweep if this call dies in between. The recorded email carries the link's secret until
 * it is sent (the mark removes it).
 */
async function sendLinkOnce(task: TaskRecord, email: Email, deps: AssignTaskDeps): Promise<void> {
  await sendOnce(
    { outbox: deps.store, mailer: deps.mailer, now: deps.now },
    task.requestId,
    linkEffectKey(task.taskId),
    email,
  );
}

/**
 * A team's next task of a request goes to the person who signed in and decided its last one (after a
 * question, the reviewer who asked gets the answer back), or to their delegate while they are away.
 * Undefined when nobody signed in decided for the team (link mode, or a first task).
 */
async function continuingHolder(task: TaskRecord, deps: AssignTaskDeps): Promise<Assignee | undefined> {
  const audit = await deps.store.listAudit(task.requestId);
  const kinds = keysOf(TASK_KINDS);
  const last = audit.findLast((e) => {
    const kind = e.detail?.kind;
    return e.type === 'DECISION_RECORDED' && isOneOf(kinds, kind) && TASK_KINDS[kind].team === task.team;
  });
  const actor = last?.detail?.actor;
  const email = fieldOf(actor, 'via') === 'sso' ? fieldOf(actor, 'email') : undefined;
  if (typeof email !== 'string') return undefined;
  const goesTo = workGoesTo(await deps.store.getPerson(email), email, task.createdAt.slice(0, 10));
  const person = await deps.store.getPerson(goesTo);
  return person ? { email: person.email, name: person.name, since: task.createdAt } : undefined;
}

/**
 * The same wait, called again: Step Functions retries a waitForTaskToken call that failed (or was cut
 * off) with a new token, and the request already names this execution's task of this kind as its
 * wait, still pending. A later wait of the same kind can only come after that task was decided or the
 * request moved on to another wait. A stewardship wait's task is kept under its execution and kind
 * instead (TaskStore.recordWaitTask): the request's one slot is its own workflow's, and two incident
 * reviews on one resource at once would take it from each other, so that a retry of the first would
 * miss its task and email the team a second one.
 */
async function retriedWait(
  input: AssignTaskInput,
  request: RequestRecord,
  deps: AssignTaskDeps,
): Promise<TaskRecord | undefined> {
  if (!input.executionId) return undefined;
  const taskId = isStewardshipKind(input.kind)
    ? await deps.store.getWaitTask(input.requestId, input.executionId, input.kind)
    : currentTaskOf(input, request);
  const task = taskId ? await deps.store.getTask(taskId) : undefined;
  return task?.status === 'PENDING' ? task : undefined;
}

/** The request's current wait, when it is this execution's wait of this kind. */
function currentTaskOf(input: AssignTaskInput, request: RequestRecord): string | undefined {
  const current = request.currentTask;
  if (!current || current.kind !== input.kind || current.executionId !== input.executionId) return undefined;
  return current.taskId;
}

/**
 * The task takes the new token. When its audit event is there, or its link email is in the outbox
 * (sent, or recorded for the recovery sweep to send), the link stays and nothing is sent again; the
 * audit event is written if missing. Only a call that died before recording the email issues the link
 * again with a new secret (an earlier link then answers "replaced"). Never two pending tasks for one
 * wait; the team gets the email twice only when a call died between SES's acceptance and the mark.
 * Undefined when the task was decided meanwhile.
 */
async function finishRetriedWait(
  input: AssignTaskInput,
  task: TaskRecord,
  stored: RequestRecord,
  deps: AssignTaskDeps,
): Promise<{ taskId: string; expiresAt: string; reminders: string[] } | undefined> {
  const audited = (await deps.store.listAudit(input.requestId)).some(
    (e) => e.detail?.taskId === task.taskId && (e.type === 'TASK_ASSIGNED' || e.type === 'QUESTION_SENT'),
  );
  // The link email in the outbox (sent, or recorded for the sweep to send) keeps its secret: nothing
  // is sent again. Only a call that died before recording it issues the link anew.
  const recorded = audited
    ? undefined
    : await deps.store.getEffect(input.requestId, linkEffectKey(task.taskId));
  const secret = audited || (recorded && !recorded.released) ? undefined : newTaskSecret();
  try {
    await deps.store.retokenTask(
      task.taskId,
      input.taskToken,
      secret ? { fromHash: task.secretHash, toHash: hashSecret(secret) } : undefined,
    );
  } catch (error) {
    // Decided (or its link reissued) since it was read: its old token is dead, so the wait gets a new
    // task, as for a wait whose task was already decided.
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
  if (secret) await sendLink(input, task, secret, stored, deps);
  if (!audited) await retryAfterEmail(() => auditAssignment(task, input, deps), deps.sleep);
  logger.warn('Retried assignment: the wait keeps its task, which now answers the new token', {
    requestId: input.requestId,
    taskId: task.taskId,
    kind: input.kind,
    linkSentAgain: secret !== undefined,
  });
  return report(task, deps);
}

/** TASK_ASSIGNED (a team's task) or QUESTION_SENT (a question's reply link). */
async function auditAssignment(
  task: TaskRecord,
  input: AssignTaskInput,
  deps: AssignTaskDeps,
): Promise<void> {
  const question = task.question;
  if (question) {
    const asking = TASK_KINDS[question.askedBy];
    await deps.store.appendAudit({
      requestId: task.requestId,
      at: task.createdAt,
      sopStep: asking.sopStep,
      type: 'QUESTION_SENT',
      summary: `${TEAMS[asking.team]} asked the ${question.recipient} a question`,
      actor: 'workflow',
      detail: {
        sopStep: asking.sopStep,
        kind: task.kind,
        askedBy: question.askedBy,
        recipient: question.recipient,
        question: question.question,
        taskId: task.taskId,
        expiresAt: task.expiresAt,
      },
    });
    return;
  }
  const spec = TASK_KINDS[task.kind];
  const team = TEAMS[spec.team];
  await deps.store.appendAudit({
    requestId: task.requestId,
    at: task.createdAt,
    sopStep: spec.sopStep,
    type: 'TASK_ASSIGNED',
    summary: `Assigned to ${team}: ${spec.title}`,
    actor: 'workflow',
    detail: {
      sopStep: spec.sopStep,
      team: spec.team,
      kind: task.kind,
      taskId: task.taskId,
      expiresAt: task.expiresAt,
      ...(input.stateName ? { stateName: input.stateName } : {}),
    },
  });
}

/**
 * Reminders last, and best effort: a failure is logged, never thrown. Thrown, it would make the state
 * machine retry the whole call. Schedule names are per task: a retried call finds them there. A
 * question's task has none: they would go to the team.
 */
async function report(
  task: TaskRecord,
  deps: AssignTaskDeps,
): Promise<{ taskId: string; expiresAt: string; reminders: string[] }> {
  const reminders = task.question ? [] : await scheduleReminders(task, deps.reminders);
  logger.info(task.question ? 'Question sent' : 'Task assigned', {
    requestId: task.requestId,
    taskId: task.taskId,
    kind: task.kind,
    sopStep: task.sopStep,
    reminders: reminders.length,
  });
  return {
    taskId: task.taskId,
    expiresAt: task.expiresAt,
    reminders: reminders.map((r) => r.at.toISOString()),
  };
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
  levels: ServiceLevelDays = DEFAULT_SERVICE_LEVEL_DAYS,
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
    ...(input.incidentId ? { incidentId: input.incidentId } : {}),
  };
  const days = serviceLevelOf(input.kind, levels);
  if (days !== undefined) {
    task.serviceLevelDays = days;
    task.dueBy = new Date(
      Math.min(now.getTime() + days * 86_400_000, Date.parse(task.expiresAt)),
    ).toISOString();
  }
  return { task, secret };
}
