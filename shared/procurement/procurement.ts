/**
 * SOP 13 "AAS team will request quote(s) from vendors and issue PO", as events for the district's
 * purchasing system: PurchaseOrderRequested (cost, payment responsibility, budget code, principal) when
 * the AAS task opens, PurchaseOrderIssued (PO number, amount, quote) when AAS records the PO.
 * Licence details never travel in these events.
 */

import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { putEvent } from '../core/aws/eventbridge.ts';
import { logger } from '../core/logger.ts';
import type { RequestStore } from '../requests/index.ts';
import type { ProcurementHookInput } from '../workflow/index.ts';
import {
  DETAIL_TYPES,
  EVENT_SOURCE,
  invalid,
  type PurchaseOrderIssuedDetail,
  type PurchaseOrderRequestedDetail,
} from '../workflow/index.ts';

const SOP_STEP = 13;

export interface ProcurementHookDeps {
  store: Pick<RequestStore, 'requireRequest' | 'appendAudit'>;
  events: EventBridgeClient;
  eventBusName: string;
  now: () => Date;
}

export async function procurementHook(
  input: ProcurementHookInput,
  deps: ProcurementHookDeps,
): Promise<{ event: ProcurementHookInput['event'] }> {
  const payload = input;
  const { requestId, event, purchaseOrder } = payload;
  if (event === 'PurchaseOrderIssued' && !purchaseOrder) {
    throw invalid(
      'purchaseOrder',
      'PurchaseOrderIssued needs the purchase order (poNumber, amount, quoteReference)',
    );
  }
  if (event === 'PurchaseOrderRequested' && purchaseOrder) {
    throw invalid('purchaseOrder', 'PurchaseOrderRequested comes before a purchase order exists');
  }

  const request = await deps.store.requireRequest(requestId);
  const bus = { client: deps.events, eventBusName: deps.eventBusName };
  const time = deps.now();

  if (event === 'PurchaseOrderRequested') {
    const detail: PurchaseOrderRequestedDetail = {
      requestId,
      resourceName: request.resource.name,
      vendorName: request.resource.vendorName,
      cost: request.resource.cost,
      paymentResponsibility: request.submitted.paymentResponsibility,
      budgetCode: request.submitted.budgetCode,
      principal: request.submitted.principal,
    };
    await putEvent(bus, {
      source: EVENT_SOURCE,
      detailType: DETAIL_TYPES.purchaseOrderRequested,
      detail,
      time,
    });
    await deps.store.appendAudit({
      requestId,
      sopStep: SOP_STEP,
      type: 'PO_REQUESTED',
      summary: 'AAS asked to request vendor quote(s) and issue the purchase order',
      actor: 'workflow',
      detail: { cost: detail.cost, budgetCode: detail.budgetCode },
    });
  } else if (purchaseOrder) {
    const detail: PurchaseOrderIssuedDetail = {
      requestId,
      resourceName: request.resource.name,
      vendorName: request.resource.vendorName,
      poNumber: purchaseOrder.poNumber,
      amount: purchaseOrder.amount,
      quoteReference: purchaseOrder.quoteReference,
    };
    await putEvent(bus, { source: EVENT_SOURCE, detailType: DETAIL_TYPES.purchaseOrderIssued, detail, time });
    await deps.store.appendAudit({
      requestId,
      sopStep: SOP_STEP,
      type: 'PO_ISSUED',
      summary: `Purchase order ${purchaseOrder.poNumber} issued`,
      actor: 'workflow',
      detail: { ...purchaseOrder },
    });
  }
  logger.info('Procurement event put', { sopStep: SOP_STEP, event });
  return { event };
}
