/**
 * The recovery sweep (SOP 2 → 3): starts the workflow of every request stored more than a minute ago
 * whose workflow never started (its submission crashed before StartExecution and nobody submitted
 * again), named by the request id, and finishes what the submission left: SUBMITTED audit, recovery
 * audit, acknowledgement email (once). shared/domain/request-recovery.ts.
 *
 * Invoked by an EventBridge rule every 15 minutes on AWS (its event is ignored), and by the local
 * runtime at start and every few minutes.
 * Output: RecoveryResult { started, alreadyRunning, failed } (request ids).
 * Env: TABLE_NAME, STATE_MACHINE_ARN, MAIL_FROM, PUBLIC_BASE_URL.
 * IAM: dynamodb:GetItem, Query, PutItem, UpdateItem on request and idempotency items, Query on the
 * GSI2 UNSTARTED partition; states:StartExecution (software-request machine); ses:SendEmail.
 */
import { sfn } from '#shared/aws/clients.ts';
import { readStateMachineArn } from '#shared/config.ts';
import { mailer, publicBaseUrl, store } from '#shared/deps.ts';
import { type RecoveryDeps, startUnstartedRequests } from '#shared/domain/request-recovery.ts';
import { workflowStep } from '#shared/lambda.ts';

export type { RecoveryDeps } from '#shared/domain/request-recovery.ts';

const step = workflowStep(
  (_event: unknown, deps: RecoveryDeps) => startUnstartedRequests(deps),
  (): RecoveryDeps => ({
    store: store(),
    sfn,
    mailer: mailer(),
    stateMachineArn: readStateMachineArn(),
    publicBaseUrl: publicBaseUrl(),
  }),
);

export const recoverRequests = step.run;
export const handler = step.handler;
