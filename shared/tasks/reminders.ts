/**
 * remind-task's domain code (docs/design.md: "reminders and escalation are scheduled, not polled inside the
 * execution"): a one-time schedule made by assign-task (shared/tasks/reminder-schedules.ts) invokes
 * it; a task still pending gets a fresh link secret (the old links then answer "replaced by a newer
 * email") and the team is emailed again. With a step's final reminder, Technology Services (which the
 * SOP makes responsible for the process being completed) gets an escalation notice, when configured.
 * Both go through the outbox (docs/design.md "Outbox"): `reminder#<taskId>#<n>` and
 * `escalation#<taskId>`, so a retried invocation finds what its first attempt recorded and the outbox
 * sweep sends what a dead attempt left unsent.
 */

import * as z from 'zod/mini';
import { ConflictError, errorName } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import type { OutboxStore } from '../core/store/outbox.ts';
import { type PeopleStore, workGoesTo } from '../identity/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type { RequestRecord, TaskRecord, TeamEmails } from '../workflow/index.ts';
import { TASK_KINDS, TEAMS } from '../workflow/index.ts';
import { renderEscalationEmail } from './emails/escalation-email.ts';
import { type ReminderNumber, reminderTimes } from './reminder-schedules.ts';
import type { TaskStore } from './store.ts';
import { taskContext } from './task-context.ts';
import { hashSecret, isTaskId, newTaskSecret } from './task-links.ts';
import { teamTaskEmail } from './team-task-email.ts';

export interface RemindTaskDeps {
  store: Pick<TaskStore, 'getTask' | 'rotateTaskSecret' | 'restoreTaskSecret' | 'setTaskAssignee'> &
    Pick<RequestStore, 'requireRequest' | 'listAudit' | 'appendAudit'> &
    Pick<PeopleStore, 'getPerson'> &
    SendOnceDeps['outbox'] &
    Pick<OutboxStore, 'getEffect'>;
  mailer: Mailer;
  now: () => Date;
  publicBaseUrl: string;
  teamEmails: TeamEmails;
  /** Technology Services (SOP section 4): told with a step's final reminder. Optional. */
  escalationEmail?: string;
}

export type RemindTaskResult =
  | { reminded: true; reminder: ReminderNumber }
  | { reminded: false; reason: string };

/** remind-task's input, as the reminder schedule sends it (one schedule per reminder). */
export const remindTaskInputSchema = z.object({
  taskId: z
    .string({ error: 'taskId is required' })
    .check(z.refine((v) => isTaskId(v), 'taskId must be a task id (22 base64url characters)')),
  reminder: z.union([z.literal(1), z.literal(2)], { error: 'reminder must be 1 or 2' }),
});

export type RemindTaskInput = z.output<typeof remindTaskInputSchema>;

/**
 * Reminds the team of a pending task: a new link secret (only its hash is stored; the previous hashes
 * are kept so old links answer "replaced"), a reminder email carrying the new link, TASK_REMINDED.
 * A task no longer pending or past its deadline is left alone. If the email cannot be sent, the secret
 * is put back (the earlier link keeps working) and the error is rethrown so the invocation is retried.
 */
/** `input` was parsed by workflowStep with remindTaskInputSchema. */
export async function remindTask(input: RemindTaskInput, deps: RemindTaskDeps): Promise<RemindTaskResult> {
  const { taskId, reminder } = input;
  const now = deps.now();
  const task = await deps.store.getTask(taskId);
  const skip = whyNotRemind(task, reminder, now);
  if (skip || !task) return notReminded(taskId, reminder, skip ?? 'The task does not exist');

  const log = { taskId, requestId: task.requestId, kind: task.kind, reminder };
  const request = await deps.store.requireRequest(task.requestId);
  const context = await taskContext(task, deps.store);

  const secret = newTaskSecret();
  const newHash = hashSecret(secret);
  try {
    await deps.store.rotateTaskSecret(taskId, {
      fromHash: task.secretHash,
      toHash: newHash,
      reminder,
      at: now.toISOString(),
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    return notReminded(taskId, reminder, 'The task was decided, expired or reminded meanwhile');
  }

  const holder = await followAway(task, now, deps);
  try {
    const email = teamTaskEmail({ kind: task.kind, request, task, secret, context, reminder }, deps);
    // The person who has the task (or their delegate while they are away) is reminded by name too.
    if (holder && !email.to.includes(holder)) email.to.push(holder);
    // Recorded after the rotation, so the email it keeps carries the secret the task now holds.
    await sendOnce(outboxDeps(deps), task.requestId, reminderEffectKey(taskId, reminder), email);
  } catch (error) {
    // Recorded and not released: it went out, or the outbox sweep sends it; its link must keep working.
    const held = await deps.store
      .getEffect(task.requestId, reminderEffectKey(taskId, reminder))
      .catch(() => undefined);
    if (held && !held.released) throw error;
    // Without the email nobody holds the new secret: give the task its previous secret back.
    try {
      await deps.store.restoreTaskSecret(taskId, {
        currentHash: newHash,
        previousHash: task.secretHash,
        previousReminder: task.lastReminder,
        previousCount: task.previousSecretHashes?.length ?? 0,
      });
    } catch (restoreError) {
      logger.error('Reminder email failed and the previous link could not be restored', {
        ...log,
        errorName: errorName(restoreError),
      });
    }
    throw error;
  }

  await auditReminder(task, reminder, now, deps, log);
  logger.info('Task reminder sent', { ...log, sopStep: task.sopStep });
  if (deps.escalationEmail && isFinalReminder(task, reminder)) await escalate(task, request, deps, now);
  return { reminded: true, reminder };
}

/** A reminder's outbox key: one per task and reminder number. */
export const reminderEffectKey = (taskId: string, reminder: ReminderNumber) =>
  `reminder#${taskId}#${reminder}`;

const outboxDeps = (deps: RemindTaskDeps): SendOnceDeps => ({
  outbox: deps.store,
  mailer: deps.mailer,
  now: deps.now,
});

/** The email went out: a failed audit write is logged, not retried (a retry would meet "reminded"). */
async function auditReminder(
  task: TaskRecord,
  reminder: ReminderNumber,
  now: Date,
  deps: RemindTaskDeps,
  log: Record<string, unknown>,
): Promise<void> {
  const spec = TASK_KINDS[task.kind];
  try {
    const summary = `Reminder ${reminder} sent to ${TEAMS[spec.team]}: ${spec.title}`;
    await deps.store.appendAudit(taskEvent(task, now, 'TASK_REMINDED', summary, { reminder }));
  } catch (error) {
    logger.error('Reminder sent but not audited', { ...log, errorName: errorName(error) });
  }
}

/** The last reminder planned for this task (the only one for a short wait). */
function isFinalReminder(task: TaskRecord, reminder: ReminderNumber): boolean {
  const planned = reminderTimes(new Date(task.createdAt), new Date(task.expiresAt));
  return planned.at(-1)?.reminder === reminder;
}

/**
 * Tells Technology Services, which answers for the process being completed, that a team has not
 * decided. Best effort: the team's reminder is what matters and has already gone out.
 */
async function escalate(
  task: TaskRecord,
  request: RequestRecord,
  deps: RemindTaskDeps,
  now: Date,
): Promise<void> {
  const log = { taskId: task.taskId, requestId: task.requestId, kind: task.kind };
  try {
    // One per task: only a step's final reminder escalates.
    await sendOnce(
      outboxDeps(deps),
      task.requestId,
      `escalation#${task.taskId}`,
      renderEscalationEmail({
        to: deps.escalationEmail ?? '',
        kind: task.kind,
        request,
        assignedAt: task.createdAt,
        expiresAt: task.expiresAt,
        statusUrl: `${deps.publicBaseUrl}/requests/${task.requestId}`,
      }),
    );
    const summary = `Technology Services told that ${TEAMS[task.team]} has not decided: ${TASK_KINDS[task.kind].title}`;
    await deps.store.appendAudit(taskEvent(task, now, 'TASK_ESCALATED', summary));
  } catch (error) {
    logger.error('Escalation to Technology Services failed', { ...log, errorName: errorName(error) });
  }
}

function whyNotRemind(task: TaskRecord | undefined, reminder: ReminderNumber, now: Date): string | undefined {
  if (!task) return 'The task does not exist';
  if (task.status === 'DECIDED') return 'The task was already decided';
  if (task.status === 'TIMED_OUT') return 'The task already timed out';
  if (task.expiresAt <= now.toISOString()) return 'The task has expired';
  if ((task.lastReminder ?? 0) >= reminder) return `Reminder ${reminder} was already sent`;
  return undefined;
}

function notReminded(taskId: string, reminder: ReminderNumber, reason: string): RemindTaskResult {
  logger.info('No reminder sent', { taskId, reminder, reason });
  return { reminded: false, reason };
}

/** An audit event about this task: its step, team, kind, id and deadline in the detail. */
function taskEvent(task: TaskRecord, at: Date, type: string, summary: string, extra: object = {}) {
  return {
    requestId: task.requestId,
    at: at.toISOString(),
    sopStep: task.sopStep,
    type,
    summary,
    actor: 'workflow',
    detail: {
      sopStep: task.sopStep,
      team: task.team,
      kind: task.kind,
      taskId: task.taskId,
      ...extra,
      expiresAt: task.expiresAt,
    },
  };
}

/**
 * A task taken by someone who is now out of office goes to their delegate (a conditional write: not
 * if it changed hands meanwhile). The address the reminder also goes to: the holder's, or undefined.
 */
async function followAway(task: TaskRecord, now: Date, deps: RemindTaskDeps): Promise<string | undefined> {
  const holder = task.assignee;
  if (!holder) return undefined;
  const goesTo = workGoesTo(
    await deps.store.getPerson(holder.email),
    holder.email,
    now.toISOString().slice(0, 10),
  );
  if (goesTo === holder.email) return holder.email;
  const delegate = await deps.store.getPerson(goesTo);
  const to = { email: goesTo, name: delegate?.name ?? goesTo, since: now.toISOString() };
  try {
    await deps.store.setTaskAssignee(task.taskId, to, holder.email);
  } catch (error) {
    if (error instanceof ConflictError) return undefined;
    throw error;
  }
  const summary = `${holder.name} is out of office: the task goes to ${to.name} (${to.email})`;
  await deps.store.appendAudit(
    taskEvent(task, now, 'TASK_ASSIGNEE_CHANGED', summary, {
      from: holder.email,
      assignee: to.email,
      reason: 'away',
    }),
  );
  return goesTo;
}
