/**
 * SOP 13 as events for the district's purchasing system: PurchaseOrderRequested when the AAS task
 * opens, PurchaseOrderIssued when AAS records the PO (shared/procurement/procurement.ts).
 *
 * Input: ProcurementHookInput { requestId, event, purchaseOrder? }. Output: { event }.
 * Env: TABLE_NAME, EVENT_BUS_NAME.
 */

import { eventBridge } from '#shared/core/aws/clients.ts';
import { workflowStep } from '#shared/core/lambda.ts';
import { eventBusName, now, store } from '#shared/deps.ts';
import { procurementHook as hook, type ProcurementHookDeps } from '#shared/procurement/procurement.ts';
import { procurementHookInputSchema } from '#shared/workflow/step-inputs.ts';

export type { ProcurementHookDeps } from '#shared/procurement/procurement.ts';

const step = workflowStep(
  procurementHookInputSchema,
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
