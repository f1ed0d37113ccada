/**
 * SOP 6 and 16: the staff transparency list of vetted resources (Approved / Not Approved), filtered by
 * name, vendor or website (case-insensitive), in name order; and its JSON shape.
 */
import { ValidationError } from '../errors.ts';
import type { RegistryEntry } from '../store/records.ts';
import type { WorkflowStore } from '../store/store.ts';
import { hostnameOf } from './hostname.ts';
import type { RegistryStatus } from './workflow.ts';

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

/** Case-insensitive match on the resource name, the vendor, or the website's address. */
export function matches(entry: RegistryEntry, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [
    entry.resourceName,
    entry.vendorName,
    entry.url ?? '',
    hostnameOf(entry.url) ?? '',
    entry.resourceKey,
  ]
    .map((s) => s.toLowerCase())
    .some((s) => s.includes(needle));
}

/** The registry entries matching the search text `q` (already trimmed), in name order. */
export async function searchRegistry(q: string, deps: RegistryDeps): Promise<RegistryEntry[]> {
  if (q.length > MAX_QUERY_LENGTH) {
    throw new ValidationError([
      { field: 'q', message: `Search text must be at most ${MAX_QUERY_LENGTH} characters` },
    ]);
  }
  return (await deps.store.listRegistry())
    .filter((e) => matches(e, q))
    .sort((a, b) => a.resourceName.localeCompare(b.resourceName, 'en', { sensitivity: 'base' }));
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
