/**
 * The events this product puts on its EventBridge bus for the district's integrations: the resource
 * registry feed (SOP 6, 16, 17; e.g. forwarded to the TXSPA database) and the purchasing hooks (SOP 13).
 * Consumers match on `source` and `detail-type`; the detail shapes below are the public contract.
 * Delivery is at least once (a retried step may put the same event again): consumers key on
 * requestId + detail-type (+ status).
 */
import type { RegistryStatus } from './statuses.ts';

export const EVENT_SOURCE = 'district.software-requests';

export const DETAIL_TYPES = {
  resourceStatusChanged: 'ResourceStatusChanged',
  purchaseOrderRequested: 'PurchaseOrderRequested',
  purchaseOrderIssued: 'PurchaseOrderIssued',
} as const;

/** SOP 6 / 16 / 17: a resource's registry status changed. */
export interface ResourceStatusChangedDetail {
  /** The resource's identity (vendor + folded name): GET /registry/{resourceId}. */
  resourceId: string;
  resourceName: string;
  url?: string;
  vendorName: string;
  status: RegistryStatus;
  statusDate: string;
  source: 'workflow' | 'imported';
  requestId?: string;
  sopStep?: number;
  reason?: string;
  dpaExpiresOn?: string;
  sslGrade?: string;
}

/** SOP 13: AAS should request vendor quotes; a purchasing system can open the requisition. */
export interface PurchaseOrderRequestedDetail {
  requestId: string;
  resourceName: string;
  vendorName: string;
  /** USD. */
  cost: number;
  paymentResponsibility: string;
  budgetCode: string;
  principal: string;
}

/** SOP 13: AAS issued the purchase order. Never carries licence details. */
export interface PurchaseOrderIssuedDetail {
  requestId: string;
  resourceName: string;
  vendorName: string;
  poNumber: string;
  amount: number;
  quoteReference: string;
}
