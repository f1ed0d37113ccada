/**
 * Publishes the resource's status in the district registry (SOP 6, 16, 17), puts a
 * ResourceStatusChanged event and audits (shared/requests/publish-status.ts). When it ends an approval,
 * starts the deletion of students' data (the resource-stewardship machine).
 *
 * Input: PublishStatusInput { requestId, status, sopStep, denial? }. Output: { resourceId, status }.
 * Env: TABLE_NAME, EVENT_BUS_NAME, STEWARDSHIP_STATE_MACHINE_ARN.
 */

import { eventBridge, sfn } from '#shared/core/aws/clients.ts';
import { readStewardshipStateMachineArn } from '#shared/core/config.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { eventBusName, now, store } from '#shared/deps.ts';
import { type PublishStatusDeps, publishStatus as publish } from '#shared/requests/publish-status.ts';
import { startStewardship } from '#shared/stewardship/executions.ts';
import { publishStatusInputSchema } from '#shared/workflow/step-inputs.ts';

export type { PublishStatusDeps } from '#shared/requests/publish-status.ts';

const step = workflowStep(publishStatusInputSchema, publish, (): PublishStatusDeps => {
  const stewardship = { sfn, stateMachineArn: readStewardshipStateMachineArn() };
  return {
    store: store(),
    events: eventBridge,
    eventBusName: eventBusName(),
    now,
    startDeletion: (deletion) =>
      startStewardship({ kind: 'deletion-confirmation', ...deletion }, stewardship),
  };
});

export const publishStatus = step.run;
export const handler = step.handler;
