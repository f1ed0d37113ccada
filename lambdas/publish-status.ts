/**
 * Publishes the resource's status in the district registry (SOP 6, 16, 17), puts a
 * ResourceStatusChanged event and audits (shared/domain/publish-status.ts).
 *
 * Input: PublishStatusInput { requestId, status, sopStep, denial? }. Output: { resourceId, status }.
 * Env: TABLE_NAME, EVENT_BUS_NAME.
 */
import { eventBridge } from '#shared/aws/clients.ts';
import { eventBusName, now, store } from '#shared/deps.ts';
import { type PublishStatusDeps, publishStatus as publish } from '#shared/domain/publish-status.ts';
import { workflowStep } from '#shared/lambda.ts';

export type { PublishStatusDeps } from '#shared/domain/publish-status.ts';

const step = workflowStep(
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
