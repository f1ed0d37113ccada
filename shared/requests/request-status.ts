/** Where a request is in TS-PE-535, as the status page and the JSON API show it (read-only). */

import { NotFoundError, ValidationError } from '../core/errors.ts';
import type { RequestRecord } from '../workflow/index.ts';
import { isRequestId } from '../workflow/index.ts';
import type { RequestStore } from './store.ts';
import { type RequestView, toRequestView } from './timeline.ts';

export interface GetRequestDeps {
  store: Pick<RequestStore, 'getRequest' | 'listAudit'>;
}

export async function readRequestStatus(
  requestId: string,
  deps: GetRequestDeps,
): Promise<{ view: RequestView; record: RequestRecord }> {
  if (!isRequestId(requestId)) {
    throw new ValidationError([
      { field: 'requestId', message: 'A request number looks like SR-20260901-7K3M9QXA' },
    ]);
  }
  const record = await deps.store.getRequest(requestId);
  if (!record) throw new NotFoundError(`There is no request ${requestId}`);
  // A request that reused a current vetting is renewed with the earlier request: show that renewal.
  const renewedWith = record.status === 'APPROVED' ? record.renewal?.renewedWith : undefined;
  const [events, renewedBy] = await Promise.all([
    deps.store.listAudit(requestId),
    renewedWith ? deps.store.getRequest(renewedWith) : undefined,
  ]);
  return { view: toRequestView(record, events, renewedBy), record };
}
