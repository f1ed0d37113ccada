/**
 * GET /requests/{requestId} — where a request is in TS-PE-535: JSON for API clients, the status page
 * for browsers. Read-only; shows no task tokens, link secrets, licence details or who acted.
 *
 * Env: TABLE_NAME (read on the first call, fail fast). IAM: dynamodb:GetItem, dynamodb:Query (table).
 */
import { store } from '#shared/deps.ts';
import { isRequestId } from '#shared/domain/request-id.ts';
import { toRequestView } from '#shared/domain/timeline.ts';
import { NotFoundError, ValidationError } from '#shared/errors.ts';
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  jsonResponse,
  wantsHtml,
} from '#shared/http/edge.ts';
import { once } from '#shared/once.ts';
import { renderRequestStatus, renderStatusError } from '#shared/pages/request-status.ts';
import type { WorkflowStore } from '#shared/store/store.ts';

export interface GetRequestDeps {
  store: Pick<WorkflowStore, 'getRequest' | 'listAudit'>;
}

/** Built on the first call (not at import) so tests can import this module without any env set. */
export const defaultDeps = once((): GetRequestDeps => ({ store: store() }));

export async function getRequest(
  event: HttpEvent,
  deps: GetRequestDeps = defaultDeps(),
): Promise<HttpResponse> {
  const requestId = event.pathParameters?.requestId ?? '';
  if (!isRequestId(requestId)) {
    throw new ValidationError([
      { field: 'requestId', message: 'A request number looks like SR-20260901-7K3M9QXA' },
    ]);
  }
  const record = await deps.store.getRequest(requestId);
  if (!record) throw new NotFoundError(`There is no request ${requestId}`);
  const view = toRequestView(record, await deps.store.listAudit(requestId));
  if (wantsHtml(event)) return htmlResponse(200, renderRequestStatus({ view, record }));
  return jsonResponse(200, view);
}

export const handler = httpHandler((event) => getRequest(event), { renderErrorPage: renderStatusError });
