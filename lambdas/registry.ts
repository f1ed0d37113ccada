/**
 * GET /registry?q=…&status=…&cursor=… — SOP 6 and 16: the staff transparency list of vetted resources,
 * found by any word prefix of the resource or vendor name, a page at a time, as JSON `{ items, next }`
 * or an HTML table (shared/registry/registry-list.ts).
 *
 * Env: TABLE_NAME (read on the first call, fail fast). IAM: dynamodb:Query (RSEARCH# partitions) and
 * dynamodb:BatchGetItem (RESOURCE# entries).
 */

import { type HttpEvent, type HttpResponse, httpHandler, pageUnlessJson } from '#shared/core/http/edge.ts';
import { readDeps } from '#shared/deps.ts';
import { renderRegistry, renderRegistryError } from '#shared/registry/pages/registry.ts';
import {
  type RegistryDeps,
  readRegistrySearch,
  searchRegistry,
  toRegistryItem,
} from '#shared/registry/registry-list.ts';

export type { RegistryDeps, RegistryItem } from '#shared/registry/registry-list.ts';

export async function registry(event: HttpEvent, deps?: RegistryDeps): Promise<HttpResponse> {
  // Bad input is a 400 before anything else is needed.
  const search = readRegistrySearch(event.queryStringParameters ?? {});
  const page = await searchRegistry(search, deps ?? readDeps());
  return pageUnlessJson(event, () => renderRegistry({ ...page, ...search }), {
    items: page.entries.map(toRegistryItem),
    next: page.next ?? null,
  });
}

export const handler = httpHandler((event) => registry(event), {
  renderErrorPage: (view) => renderRegistryError(view.errors?.[0]?.message ?? view.message),
});
