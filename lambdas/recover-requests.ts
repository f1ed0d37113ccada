/**
 * The recovery sweep. SOP 2 → 3: starts the workflow of every request stored more than a minute ago
 * whose workflow never started (its submission crashed before StartExecution and nobody submitted
 * again), named by the request id, and finishes what the submission left: SUBMITTED audit, recovery
 * audit, acknowledgement email (once). shared/recovery/request-recovery.ts.
 * SOP 4, 7-15: finishes every decision claimed more than a minute ago whose record-decision (or
 * record-answer) died before the end: SendTaskSuccess with the output the claim kept (or
 * DECISION_TOO_LATE when the step had stopped waiting), the facts, the DECISION_RECORDED audit event
 * and the requester's email (once). shared/recovery/decision-recovery.ts.
 * Emails recorded in the outbox more than a minute ago and never marked sent (their sender died):
 * sent and marked. shared/recovery/outbox-recovery.ts.
 *
 * Invoked by an EventBridge rule every 15 minutes on AWS (its event is ignored), and by the local
 * runtime at start and every few minutes (its event's detail.restartedAt: what was written before the
 * restart is swept at once, without the minute's cut-off).
 * Output: { started, alreadyRunning, failed } (request ids) and decisions: { delivered, followedUp,
 * tooLate, failed } (task ids).
 * Env: TABLE_NAME, STATE_MACHINE_ARN, MAIL_FROM, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, Query, PutItem, UpdateItem on request (and their outbox) and task items,
 * Query on the GSI2 UNSTARTED, UNDELIVERED and OUTBOX partitions; states:StartExecution (software-request machine);
 * states:SendTaskSuccess (both machines); ses:SendEmail.
 */
import { unparsedPayload, workflowStep } from '#shared/core/lambda.ts';
import { workflowStartDeps } from '#shared/deps.ts';
import { type RecoverySweepDeps, restartedAtOf, runRecoverySweep } from '#shared/recovery/recovery-sweep.ts';

export type { RecoverySweepDeps } from '#shared/recovery/recovery-sweep.ts';

const step = workflowStep(
  unparsedPayload,
  // The local runtime's schedule says when it restarted (detail.restartedAt); AWS's says nothing.
  (event: unknown, deps: RecoverySweepDeps) =>
    runRecoverySweep(deps, { restartedAt: restartedAtOf(event, new Date()) }),
  workflowStartDeps,
);

export const recoverRequests = step.run;
export const handler = step.handler;
