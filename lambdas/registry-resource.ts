/**
 * GET /registry/{resourceId} — one resource's page (SOP 6, 16, 17): status, why, the requests about it,
 * the evidence public to staff and the next renewal (shared/registry/registry-resource.ts). JSON for
 * `accept: application/json`, HTML otherwise.
 *
 * Env: TABLE_NAME (read on the first call, fail fast). IAM: dynamodb:GetItem (RESOURCE# entries).
 */

import { type HttpEvent, type HttpResponse, httpHandler, pageUnlessJson } from '#shared/core/http/edge.ts';
import { readDeps } from '#shared/deps.ts';
import { renderRegistryResource, renderRegistryResourceError } from '#shared/registry/pages/registry.ts';
import { type RegistryResourceDeps, readRegistryResource } from '#shared/registry/registry-resource.ts';

export type { RegistryResourceDeps } from '#shared/registry/registry-resource.ts';

export async function registryResource(
  event: HttpEvent,
  deps: RegistryResourceDeps = readDeps(),
): Promise<HttpResponse> {
  const { view } = await readRegistryResource(event.pathParameters?.resourceId ?? '', deps);
  return pageUnlessJson(event, () => renderRegistryResource(view), view);
}

export const handler = httpHandler((event) => registryResource(event), {
  renderErrorPage: (view) => renderRegistryResourceError(view.message),
});
