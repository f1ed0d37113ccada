/**
 * SOP 13 as events for the district's purchasing system: PurchaseOrderRequested when the AAS task
 * opens, PurchaseOrderIssued when AAS records the PO (shared/domain/procurement.ts).
 *
 * Input: ProcurementHookInput { requestId, event, purchaseOrder? }. Output: { event }.
 * Env: TABLE_NAME, EVENT_BUS_NAME.
 */
import { eventBridge } from '#shared/aws/clients.ts';
import { eventBusName, now, store } from '#shared/deps.ts';
import { procurementHook as hook, type ProcurementHookDeps } from '#shared/domain/procurement.ts';
import type { ProcurementHookInput } from '#shared/domain/workflow.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export type { ProcurementHookDeps } from '#shared/domain/procurement.ts';

const defaultDeps = once(
  (): ProcurementHookDeps => ({ store: store(), events: eventBridge, eventBusName: eventBusName(), now }),
);

export async function procurementHook(
  input: unknown,
  deps: ProcurementHookDeps = defaultDeps(),
): Promise<{ event: ProcurementHookInput['event'] }> {
  return hook(input, deps);
}

export const handler = workflowHandler((input: ProcurementHookInput) => procurementHook(input));
