/**
 * SOP 6 and 16: the staff transparency list of vetted resources (Approved / Not Approved), filtered by
 * name, vendor or website (case-insensitive) and status, in name order, a page at a time; and its JSON
 * shape. Every answer is bounded: at most PAGE_SIZE entries, found by reading at most READ_BUDGET
 * items, whatever the size of the registry (a Lambda response may not pass 6 MB); when the budget runs
 * out first, the page is shorter and `next` goes on from there.
 */
import { ValidationError } from '../errors.ts';
import type { RegistryEntry } from '../store/records.ts';
import type { WorkflowStore } from '../store/store.ts';
import { hostnameOf } from './hostname.ts';
import type { RegistryStatus } from './workflow.ts';

export const MAX_QUERY_LENGTH = 100;
/** Entries on one page (HTML or JSON). */
export const PAGE_SIZE = 50;
/** Items read for one page at most, in Queries of READ_BATCH. */
export const READ_BUDGET = 500;
const READ_BATCH = 100;

export const REGISTRY_STATUSES = ['APPROVED', 'NOT_APPROVED'] as const;

export interface RegistryDeps {
  store: Pick<WorkflowStore, 'registryPage'>;
}

export interface RegistrySearch {
  /** Search text, already trimmed. */
  q: string;
  status?: RegistryStatus;
  /** This page's cursor (the previous page's `next`) and the entry it names: the page starts after it. */
  cursor?: string;
  after?: Pick<RegistryEntry, 'resourceKey' | 'resourceName'>;
}

export interface RegistryPage {
  entries: RegistryEntry[];
  /** The cursor of the next page, when there may be more. */
  next?: string;
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

/** The search from the query string: q, status (APPROVED / NOT_APPROVED) and the page cursor. */
export function readRegistrySearch(query: Record<string, string | undefined>): RegistrySearch {
  const status = query.status?.trim() || undefined;
  if (status !== undefined && !(REGISTRY_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError([{ field: 'status', message: 'Status must be APPROVED or NOT_APPROVED' }]);
  }
  const cursor = query.cursor?.trim() || undefined;
  return {
    q: (query.q ?? '').trim(),
    ...(status ? { status: status as RegistryStatus } : {}),
    ...(cursor ? { cursor, after: decodeCursor(cursor) } : {}),
  };
}

/** One page of the registry entries matching the search, in name order. */
export async function searchRegistry(search: RegistrySearch, deps: RegistryDeps): Promise<RegistryPage> {
  if (search.q.length > MAX_QUERY_LENGTH) {
    throw new ValidationError([
      { field: 'q', message: `Search text must be at most ${MAX_QUERY_LENGTH} characters` },
    ]);
  }
  let after = search.after;
  const entries: RegistryEntry[] = [];
  for (let read = 0; read < READ_BUDGET; read += READ_BATCH) {
    const page = await deps.store.registryPage(READ_BATCH, after);
    for (const entry of page.entries) {
      after = entry;
      if (!matches(entry, search.q) || (search.status && entry.status !== search.status)) continue;
      entries.push(entry);
      if (entries.length < PAGE_SIZE) continue;
      const moreAfter = page.more || entry !== page.entries.at(-1);
      return { entries, ...(moreAfter ? { next: encodeCursor(entry) } : {}) };
    }
    if (!page.more) return { entries };
  }
  return { entries, ...(after ? { next: encodeCursor(after) } : {}) };
}

/** A page ends at an entry; the next starts after it. The cursor is that entry's key and name. */
function encodeCursor(entry: Pick<RegistryEntry, 'resourceKey' | 'resourceName'>): string {
  return Buffer.from(JSON.stringify([entry.resourceKey, entry.resourceName]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Pick<RegistryEntry, 'resourceKey' | 'resourceName'> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 2048)
    ) {
      return { resourceKey: value[0] as string, resourceName: value[1] as string };
    }
  } catch {
    // not base64url JSON: reported below
  }
  throw new ValidationError([
    { field: 'cursor', message: 'The page link is not valid; start again from the first page' },
  ]);
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
