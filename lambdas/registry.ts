/**
 * GET /registry?q=… — SOP 6 and 16: the staff transparency list of vetted resources (Approved /
 * Not Approved), as JSON or an HTML table, filtered by name, vendor or website (case-insensitive).
 *
 * Env: TABLE_NAME (read on the first call, fail fast). IAM: dynamodb:Query (table and its GSI1 index).
 */
import { dynamoDb } from '#shared/aws/clients.ts';
import { readTableName } from '#shared/config.ts';
import type { RegistryStatus } from '#shared/domain/workflow.ts';
import { ValidationError } from '#shared/errors.ts';
import {
  type HttpEvent,
  type HttpResponse,
  htmlResponse,
  httpHandler,
  jsonResponse,
  wantsHtml,
} from '#shared/http/edge.ts';
import { once } from '#shared/once.ts';
import { renderRegistry, renderRegistryError } from '#shared/pages/registry.ts';
import type { RegistryEntry } from '#shared/store/records.ts';
import { WorkflowStore } from '#shared/store/store.ts';

export const MAX_QUERY_LENGTH = 100;

export interface RegistryDeps {
  store: Pick<WorkflowStore, 'listRegistry'>;
}

export interface RegistryItem {
  resourceName: string;
  url: string | null;
  vendorName: string;
  status: RegistryStatus;
  statusDate: string;
  reason: string | null;
  dpaExpiresOn: string | null;
  sslGrade: string | null;
  renewalDueOn: string | null;
  requestId: string;
}

/** Built on the first call (not at import) so tests can import this module without any env set. */
export const defaultDeps = once(
  (): RegistryDeps => ({ store: new WorkflowStore({ tableName: readTableName(), client: dynamoDb }) }),
);

function hostOf(url: string | undefined): string {
  if (!url) return '';
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Case-insensitive match on the resource name, the vendor, or the website's address. */
export function matches(entry: RegistryEntry, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [entry.resourceName, entry.vendorName, entry.url ?? '', hostOf(entry.url), entry.resourceKey]
    .map((s) => s.toLowerCase())
    .some((s) => s.includes(needle));
}

export function toRegistryItem(e: RegistryEntry): RegistryItem {
  return {
    resourceName: e.resourceName,
    url: e.url ?? null,
    vendorName: e.vendorName,
    status: e.status,
    statusDate: e.statusDate,
    reason: e.reason ?? null,
    dpaExpiresOn: e.dpaExpiresOn ?? null,
    sslGrade: e.sslGrade ?? null,
    renewalDueOn: e.renewalDueOn ?? null,
    requestId: e.requestId,
  };
}

export async function registry(event: HttpEvent, deps: RegistryDeps = defaultDeps()): Promise<HttpResponse> {
  const q = (event.queryStringParameters?.q ?? '').trim();
  if (q.length > MAX_QUERY_LENGTH) {
    throw new ValidationError([
      { field: 'q', message: `Search text must be at most ${MAX_QUERY_LENGTH} characters` },
    ]);
  }
  const entries = (await deps.store.listRegistry())
    .filter((e) => matches(e, q))
    .sort((a, b) => a.resourceName.localeCompare(b.resourceName, 'en', { sensitivity: 'base' }));
  if (wantsHtml(event)) return htmlResponse(200, renderRegistry({ entries, q }));
  return jsonResponse(200, entries.map(toRegistryItem));
}

export const handler = httpHandler((event) => registry(event), {
  renderErrorPage: (view) => renderRegistryError(view.errors?.[0]?.message ?? view.message),
});
