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
import { workflowStep } from '#shared/lambda.ts';

export type { ProcurementHookDeps } from '#shared/domain/procurement.ts';

const step = workflowStep(
  hook,
  (): ProcurementHookDeps => ({
    store: store(),
    events: eventBridge,
    eventBusName: eventBusName(),
    now,
  }),
);

export const procurementHook = step.run;
export const handler = step.handler;
