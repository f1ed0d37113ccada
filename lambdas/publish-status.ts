/**
 * Publishes the resource's status in the district registry (SOP 6, 16, 17), puts a
 * ResourceStatusChanged event and audits (shared/domain/publish-status.ts).
 *
 * Input: PublishStatusInput { requestId, status, sopStep, denial? }. Output: { resourceKey, status }.
 * Env: TABLE_NAME, EVENT_BUS_NAME.
 */
import { eventBridge } from '#shared/aws/clients.ts';
import { eventBusName, now, store } from '#shared/deps.ts';
import { type PublishStatusDeps, publishStatus as publish } from '#shared/domain/publish-status.ts';
import type { PublishStatusInput, RegistryStatus } from '#shared/domain/workflow.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export type { PublishStatusDeps } from '#shared/domain/publish-status.ts';

const defaultDeps = once(
  (): PublishStatusDeps => ({ store: store(), events: eventBridge, eventBusName: eventBusName(), now }),
);

export async function publishStatus(
  input: unknown,
  deps: PublishStatusDeps = defaultDeps(),
): Promise<{ resourceKey: string; status: RegistryStatus }> {
  return publish(input, deps);
}

export const handler = workflowHandler((input: PublishStatusInput) => publishStatus(input));
