/**
 * Every human step of TS-PE-535 (SOP 3-4, 7-15) starts here: the state machine calls this function
 * with `lambda:invoke.waitForTaskToken` and waits until record-decision answers with SendTaskSuccess.
 * Stores the task token with a random task id and the SHA-256 of a 256-bit link secret, sets the
 * request's current step, emails the team a link carrying only id + secret, and audits TASK_ASSIGNED.
 *
 * Last, it creates the step's reminder schedules (EventBridge Scheduler, one-time, invoking
 * remind-task at half the wait and 2 days before the deadline); a failure there is logged, not thrown.
 *
 * Input: AssignTaskInput { taskToken, requestId, kind, timeoutSeconds, executionId?, stateName? }.
 * Output: { taskId, expiresAt, reminders } (ignored by Step Functions).
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL, TEAM_EMAILS, SCHEDULE_GROUP_NAME, SCHEDULER_ROLE_ARN,
 * REMINDER_FUNCTION_ARN.
 * IAM: dynamodb:GetItem, PutItem, UpdateItem, Query on the table; ses:SendEmail (MAIL_FROM identity);
 * scheduler:CreateSchedule on schedule/<group>/remind-*; iam:PassRole on the scheduler role.
 */
import { scheduler } from '#shared/aws/clients.ts';
import { readPublicBaseUrl, readTeamEmails } from '#shared/config.ts';
import { type Env, mailerFor, now, storeFor } from '#shared/deps.ts';
import { type AssignTaskDeps, assignTask as assign } from '#shared/domain/task-assign.ts';
import type { AssignTaskInput } from '#shared/domain/workflow.ts';
import { requireEnv } from '#shared/env.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export function buildAssignTaskDeps(env: Env = process.env): AssignTaskDeps {
  return {
    store: storeFor(env),
    mailer: mailerFor(env),
    now,
    publicBaseUrl: readPublicBaseUrl(env),
    teamEmails: readTeamEmails(env),
    reminders: {
      scheduler,
      config: {
        scheduleGroupName: requireEnv('SCHEDULE_GROUP_NAME', env),
        schedulerRoleArn: requireEnv('SCHEDULER_ROLE_ARN', env),
        reminderFunctionArn: requireEnv('REMINDER_FUNCTION_ARN', env),
      },
    },
  };
}

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once((): AssignTaskDeps => buildAssignTaskDeps());

export async function assignTask(
  input: unknown,
  deps: AssignTaskDeps = defaultDeps(),
): Promise<{ taskId: string; expiresAt: string; reminders: string[] }> {
  return assign(input, deps);
}

export const handler = workflowHandler((input: AssignTaskInput) => assignTask(input));
