/**
 * Reminders for the human steps of TS-PE-535 (SOP 4, 7-15): a one-time EventBridge Scheduler schedule
 * that assign-task created (half-way through the wait, and 2 days before the deadline) invokes this
 * function. A task still pending gets a new 256-bit link secret (only its hash is stored; earlier
 * links then answer "replaced by a newer reminder email"), the team is emailed again with the new link
 * and the deadline, and TASK_REMINDED is audited. A task already decided, timed out or expired, or
 * already reminded with this number, is left alone.
 *
 * Input: { taskId, reminder: 1 | 2 }. Output: { reminded: true, reminder } or { reminded: false, reason }.
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL, TEAM_EMAILS, ESCALATION_EMAIL (optional: Technology
 * Services, told with each step's final reminder).
 * IAM: dynamodb:GetItem, PutItem, UpdateItem, Query on the table; ses:SendEmail (MAIL_FROM identity).
 */

import { workflowStep } from '#shared/core/lambda.ts';
import { remindTaskDeps } from '#shared/deps.ts';
import { remindTask as remind, remindTaskInputSchema } from '#shared/tasks/reminders.ts';

// Invoked by EventBridge Scheduler (not Step Functions); the same wrapper gives logger context and
// correlation id, and errors keep their names (a TransientError is retried by Lambda/Scheduler).
const step = workflowStep(remindTaskInputSchema, remind, remindTaskDeps);

export const remindTask = step.run;
export const handler = step.handler;
