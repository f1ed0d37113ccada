/**
 * Publishes the resource's status in the district registry (SOP 6, 16, 17), puts a
 * ResourceStatusChanged event and audits (shared/requests/publish-status.ts).
 *
 * Input: PublishStatusInput { requestId, status, sopStep, denial? }. Output: { resourceId, status }.
 * Env: TABLE_NAME, EVENT_BUS_NAME.
 */

import { eventBridge } from '#shared/core/aws/clients.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { eventBusName, now, store } from '#shared/deps.ts';
import { type PublishStatusDeps, publishStatus as publish } from '#shared/requests/publish-status.ts';
import { publishStatusInputSchema } from '#shared/workflow/step-inputs.ts';

export type { PublishStatusDeps } from '#shared/requests/publish-status.ts';

const step = workflowStep(
  publishStatusInputSchema,
  publish,
  (): PublishStatusDeps => ({
    store: store(),
    events: eventBridge,
    eventBusName: eventBusName(),
    now,
  }),
);

export const publishStatus = step.run;
export const handler = step.handler;
