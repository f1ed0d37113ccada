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
 * REMINDER_FUNCTION_ARN, SCHEDULER_DLQ_ARN (the schedules' dead-letter queue).
 * IAM: dynamodb:GetItem, PutItem, UpdateItem, Query on the table; ses:SendEmail (MAIL_FROM identity);
 * scheduler:CreateSchedule on schedule/<group>/remind-*; iam:PassRole on the scheduler role.
 */

import { workflowStep } from '#shared/core/lambda.ts';
import { assignTaskDeps } from '#shared/deps.ts';
import { assignTask as assign } from '#shared/tasks/task-assign.ts';
import { assignTaskInputSchema } from '#shared/workflow/step-inputs.ts';

const step = workflowStep(assignTaskInputSchema, assign, assignTaskDeps);

export const assignTask = step.run;
export const handler = step.handler;
