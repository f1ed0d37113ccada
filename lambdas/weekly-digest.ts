/**
 * The weekly digest (SOP section 4: Technology Services ensures the process is completed): overdue
 * tasks with their links, the week's service-level misses, requests waiting on a vendor; each team
 * gets its own overdue tasks. Invoked every hour (an EventBridge rule in AWS, the local runtime's
 * scheduled runs locally; its event is ignored); sends once per ISO week (shared/reports/digest.ts).
 *
 * Env: TABLE_NAME, MAIL_FROM, PUBLIC_BASE_URL, TEAM_EMAILS, ESCALATION_EMAIL.
 * IAM: the table (shared/core/store/access.ts); ses:SendEmail.
 */
import { unparsedPayload, workflowStep } from '#shared/core/lambda.ts';
import { digestDeps } from '#shared/deps.ts';
import { type DigestDeps, sendWeeklyDigest } from '#shared/reports/digest.ts';

const step = workflowStep(
  unparsedPayload,
  (_event: unknown, deps: DigestDeps) => sendWeeklyDigest(deps),
  digestDeps,
);

export const sendDigest = step.run;
export const handler = step.handler;
