/**
 * Reminder schedules for human steps (docs/design.md: "reminders and escalation are scheduled, not polled inside the
 * execution"). assign-task creates one-time EventBridge Scheduler schedules that invoke remind-task:
 * one at half the wait, and a final one 2 days before expiry when that is at least a day later.
 * remind-task gives the pending task a fresh link secret (the old links then answer "replaced by a
 * newer email") and emails the team again.
 */

import type { CreateScheduleCommandInput, SchedulerClient } from '@aws-sdk/client-scheduler';
import { createScheduleOnce } from '../core/aws/scheduler.ts';
import { errorName } from '../core/errors.ts';
import { logger } from '../core/logger.ts';
import { atExpression } from '../renewal/index.ts';
import type { TaskRecord } from '../workflow/index.ts';
import { REMINDER_SCHEDULE_PREFIX } from '../workflow/index.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The final reminder goes this long before the deadline. */
export const FINAL_REMINDER_BEFORE_MS = 2 * DAY_MS;
/** No reminder sooner than this after assignment (a short wait gets none). */
const MIN_FIRST_REMINDER_MS = HOUR_MS;
/** The final reminder is skipped unless it comes at least this long after the halfway one. */
const MIN_GAP_MS = DAY_MS;

export type ReminderNumber = 1 | 2;

export interface PlannedReminder {
  reminder: ReminderNumber;
  at: Date;
}

/** Whole seconds (Scheduler `at()` has no milliseconds), rounded down. */
const wholeSeconds = (ms: number) => new Date(Math.floor(ms / 1000) * 1000);

/**
 * When to remind: at half the wait, and 2 days before expiry when that is at least a day after the
 * halfway one. A 14-day wait: days 7 and 12; 21 days: days 10.5 and 19; 3 days: day 1.5 only.
 */
export function reminderTimes(assignedAt: Date, expiresAt: Date): PlannedReminder[] {
  const start = assignedAt.getTime();
  const end = expiresAt.getTime();
  const half = wholeSeconds(start + (end - start) / 2);
  if (half.getTime() - start < MIN_FIRST_REMINDER_MS) return [];
  const planned: PlannedReminder[] = [{ reminder: 1, at: half }];
  const final = wholeSeconds(end - FINAL_REMINDER_BEFORE_MS);
  if (final.getTime() - half.getTime() >= MIN_GAP_MS) planned.push({ reminder: 2, at: final });
  return planned;
}

/** `remind-<taskId>-<n>`: 31 characters of [0-9a-zA-Z-_] (task ids are 22 base64url characters). */
export function reminderScheduleName(taskId: string, reminder: ReminderNumber): string {
  return `${REMINDER_SCHEDULE_PREFIX}${taskId}-${reminder}`;
}

export interface ReminderSchedulerConfig {
  scheduleGroupName: string;
  /** The remind-task Lambda. */
  reminderFunctionArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  schedulerRoleArn: string;
  /** SQS queue for reminders Scheduler could not deliver (SCHEDULER_DLQ_ARN). */
  deadLetterArn?: string;
}

export function reminderScheduleInput(
  task: Pick<TaskRecord, 'taskId' | 'kind' | 'sopStep' | 'requestId'>,
  planned: PlannedReminder,
  config: ReminderSchedulerConfig,
): CreateScheduleCommandInput & { Name: string } {
  return {
    Name: reminderScheduleName(task.taskId, planned.reminder),
    GroupName: config.scheduleGroupName,
    Description: `TS-PE-535 step ${task.sopStep}: reminder ${planned.reminder} for the ${task.kind} task of request ${task.requestId}`,
    ScheduleExpression: atExpression(planned.at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: config.reminderFunctionArn,
      RoleArn: config.schedulerRoleArn,
      Input: JSON.stringify({ taskId: task.taskId, reminder: planned.reminder }),
      RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
      ...(config.deadLetterArn ? { DeadLetterConfig: { Arn: config.deadLetterArn } } : {}),
    },
  };
}

/**
 * Creates the task's reminder schedules, each on its own: a failure is logged and the others are
 * still tried. Returns the reminders that are scheduled (a name that already exists counts).
 */
export async function scheduleReminders(
  task: Pick<TaskRecord, 'taskId' | 'kind' | 'sopStep' | 'requestId' | 'createdAt' | 'expiresAt'>,
  deps: { scheduler: SchedulerClient; config: ReminderSchedulerConfig },
): Promise<PlannedReminder[]> {
  const scheduled: PlannedReminder[] = [];
  for (const planned of reminderTimes(new Date(task.createdAt), new Date(task.expiresAt))) {
    try {
      await createScheduleOnce(deps.scheduler, reminderScheduleInput(task, planned, deps.config));
      scheduled.push(planned);
    } catch (error) {
      logger.error('Reminder not scheduled: the team gets no reminder for this step', {
        taskId: task.taskId,
        requestId: task.requestId,
        kind: task.kind,
        reminder: planned.reminder,
        errorName: errorName(error),
      });
    }
  }
  return scheduled;
}
