/**
 * The recovery sweep. SOP 2 → 3: starts the workflow of every request stored more than a minute ago
 * whose workflow never started (its submission crashed before StartExecution and nobody submitted
 * again), named by the request id, and finishes what the submission left: SUBMITTED audit, recovery
 * audit, acknowledgement email (once). shared/recovery/request-recovery.ts.
 * SOP 4, 7-15: finishes every decision claimed more than a minute ago whose record-decision (or
 * record-answer) died before the end: SendTaskSuccess with the output the claim kept (or
 * DECISION_TOO_LATE when the step had stopped waiting), the facts, the DECISION_RECORDED audit event
 * and the requester's email (once). shared/recovery/decision-recovery.ts.
 * SOP 4 (student data incidents): starts the incident-review execution (resource-stewardship machine,
 * named by the incident) of every incident stored more than a minute ago whose review never started
 * (its report crashed before StartExecution and nobody sent it again), after the INCIDENT_REPORTED
 * audit event (once). shared/recovery/incident-recovery.ts.
 * Emails recorded in the outbox more than a minute ago and never marked sent (their sender died):
 * sent and marked. shared/recovery/outbox-recovery.ts.
 *
 * Invoked by an EventBridge rule every 15 minutes on AWS (its event is ignored), and by the local
 * runtime at start and every few minutes (its event's detail.restartedAt: what was written before the
 * restart is swept at once, without the minute's cut-off).
 * Output: { started, alreadyRunning, failed } (request ids), decisions: { delivered, followedUp,
 * tooLate, failed } (task ids), incidents: { started, failed } (incident ids) and outbox: { sent,
 * failed }.
 * Env: TABLE_NAME, STATE_MACHINE_ARN, STEWARDSHIP_STATE_MACHINE_ARN, MAIL_FROM, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, Query, PutItem, UpdateItem on request (and their outbox), task and incident
 * items, Query on the GSI2 UNSTARTED, UNDELIVERED and OUTBOX and the GSI1 INCIDENT_UNSTARTED
 * partitions; states:StartExecution (software-request and resource-stewardship machines);
 * states:SendTaskSuccess (every machine); ses:SendEmail.
 */
import { unparsedPayload, workflowStep } from '#shared/core/lambda.ts';
import { recoverySweepDeps } from '#shared/deps.ts';
import { type RecoverySweepDeps, restartedAtOf, runRecoverySweep } from '#shared/recovery/recovery-sweep.ts';

export type { RecoverySweepDeps } from '#shared/recovery/recovery-sweep.ts';

const step = workflowStep(
  unparsedPayload,
  // The local runtime's schedule says when it restarted (detail.restartedAt); AWS's says nothing.
  (event: unknown, deps: RecoverySweepDeps) =>
    runRecoverySweep(deps, { restartedAt: restartedAtOf(event, new Date()) }),
  recoverySweepDeps,
);

export const recoverRequests = step.run;
export const handler = step.handler;
