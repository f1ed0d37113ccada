/**
 * Scheduled every `sslCheckDays` (issue 22 item 2): starts one resource-watch SSL spot check per
 * Approved resource whose websites were SSL-tested (shared/watch/spot-checks.ts).
 *
 * Env: TABLE_NAME, WATCH_STATE_MACHINE_ARN.
 * IAM: the registry (shared/core/store/access.ts); states:StartExecution on the resource-watch machine.
 */
import { workflowStep } from '#shared/core/lambda.ts';
import { spotCheckDeps } from '#shared/deps.ts';
import { startSslSpotChecks } from '#shared/watch/spot-checks.ts';
import { watchScheduleInputSchema } from '#shared/workflow/step-inputs.ts';

const step = workflowStep(watchScheduleInputSchema, startSslSpotChecks, spotCheckDeps);

export const startSpotChecks = step.run;
export const handler = step.handler;
