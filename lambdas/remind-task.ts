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
import { readPublicBaseUrl, readTeamEmails } from '#shared/config.ts';
import { type Env, mailerFor, now, storeFor } from '#shared/deps.ts';
import {
  type RemindTaskDeps,
  type RemindTaskInput,
  type RemindTaskResult,
  remindTask as remind,
} from '#shared/domain/reminders.ts';
import { emailEnv } from '#shared/env.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export function buildRemindTaskDeps(env: Env = process.env): RemindTaskDeps {
  return {
    store: storeFor(env),
    mailer: mailerFor(env),
    now,
    publicBaseUrl: readPublicBaseUrl(env),
    teamEmails: readTeamEmails(env),
    ...(env.ESCALATION_EMAIL?.trim() ? { escalationEmail: emailEnv('ESCALATION_EMAIL', env) } : {}),
  };
}

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once((): RemindTaskDeps => buildRemindTaskDeps());

export async function remindTask(
  input: unknown,
  deps: RemindTaskDeps = defaultDeps(),
): Promise<RemindTaskResult> {
  return remind(input, deps);
}

// Invoked by EventBridge Scheduler (not Step Functions); the same wrapper gives logger context and
// correlation id, and errors keep their names (a TransientError is retried by Lambda/Scheduler).
export const handler = workflowHandler((input: RemindTaskInput & { requestId?: string }) =>
  remindTask(input),
);
