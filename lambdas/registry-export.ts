/**
 * GET /registry.csv?q=…&status=… — SOP 6 and 16 "upload status to the TXSPA Database": the registry (same
 * search as the list) as CSV in the import's columns (shared/registry/registry-export.ts). When a list
 * outgrows one response, a `Link: <…>; rel="next"` header gives the rest.
 *
 * Env: TABLE_NAME (read on the first call, fail fast). IAM: dynamodb:Query (RSEARCH# partitions) and
 * dynamodb:BatchGetItem (RESOURCE# entries).
 */

import { csvResponse, type HttpEvent, type HttpResponse, httpHandler } from '#shared/core/http/edge.ts';
import { readDeps } from '#shared/deps.ts';
import { exportRegistry } from '#shared/registry/registry-export.ts';
import { type RegistryDeps, readRegistrySearch } from '#shared/registry/registry-list.ts';

export async function registryExport(event: HttpEvent, deps?: RegistryDeps): Promise<HttpResponse> {
  const query = event.queryStringParameters ?? {};
  const search = readRegistrySearch(query);
  const out = await exportRegistry(search, deps ?? readDeps());
  const next = new URLSearchParams();
  if (search.q) next.set('q', search.q);
  if (search.status) next.set('status', search.status);
  if (out.next) next.set('cursor', out.next);
  return csvResponse(
    out.csv,
    `registry${out.next || search.cursor ? '-part' : ''}.csv`,
    out.next ? { Link: `</registry.csv?${next.toString()}>; rel="next"` } : {},
  );
}

export const handler = httpHandler((event) => registryExport(event));
