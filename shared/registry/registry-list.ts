/**
 * SOP 6 and 16: the staff transparency list of vetted resources (Approved / Not Approved), found by any
 * word prefix of the resource or vendor name (case- and accent-insensitive) and by status, in name
 * order, a page at a time; and its JSON shape.
 *
 * Every answer is bounded whatever the size of the registry: one Query of the search index (one
 * status bucket, PAGE_SIZE items; or both buckets, PAGE_SIZE / 2 each, merged) and one BatchGetItem of
 * the entries found, so at most 2 × PAGE_SIZE items are read. An index item whose entry disagrees
 * (written before a crash, or by an older decision: shared/registry/store.ts) is skipped; a page may
 * then be shorter, and `next` goes on from where it stopped.
 */

import { ValidationError } from '../core/errors.ts';
import { isOneOf } from '../core/guards.ts';
import { REGISTRY_STATUSES, type RegistryEntry, type RegistryStatus } from '../workflow/index.ts';
import { lookupPrefix, matchesWords, sortKeyOf, wordsOf } from './resource-identity.ts';
import type { RegistryStore } from './store.ts';
import { bucketOf, type RegistryBucket, type RegistryIndexHit } from './store.ts';

export const MAX_QUERY_LENGTH = 100;
/** Entries on one page (HTML or JSON). */
export const PAGE_SIZE = 50;

export interface RegistryDeps {
  store: Pick<RegistryStore, 'registrySearchPage' | 'getRegistryEntries'>;
}

export interface RegistrySearch {
  /** Search text, already trimmed. */
  q: string;
  status?: RegistryStatus;
  /** This page's cursor (the previous page's `next`): the page starts after the index key it names. */
  cursor?: string;
  after?: string;
  /** The page before this one, when the browser came from it (for the HTML page's Previous link). */
  prev?: string;
}

export interface RegistryPage {
  entries: RegistryEntry[];
  /** The cursor of the next page, when there may be more. */
  next?: string;
  /** DynamoDB items read for this page (index items + entries): the bench reports it. */
  itemsRead: number;
}

export interface RegistryItem {
  resourceId: string;
  resourceName: string;
  url: string | null;
  vendorName: string;
  status: RegistryStatus;
  statusDate: string;
  source: 'workflow' | 'imported';
  reason: string | null;
  dpaExpiresOn: string | null;
  sslGrade: string | null;
  renewalDueOn: string | null;
  requestId: string | null;
  notes: string | null;
  /** Vetted again after its privacy policy changed (issue 22): "Under review" since, and why. */
  underReview: { since: string; reason: string } | null;
}

/** The search from the query string: q, status (APPROVED / NOT_APPROVED) and the page cursor. */
export function readRegistrySearch(query: Record<string, string | undefined>): RegistrySearch {
  const status = query.status?.trim() || undefined;
  if (status !== undefined && !isOneOf(REGISTRY_STATUSES, status)) {
    throw new ValidationError([{ field: 'status', message: 'Status must be APPROVED or NOT_APPROVED' }]);
  }
  const q = (query.q ?? '').trim();
  if (q.length > MAX_QUERY_LENGTH) {
    throw new ValidationError([
      { field: 'q', message: `Search text must be at most ${MAX_QUERY_LENGTH} characters` },
    ]);
  }
  const cursor = query.cursor?.trim() || undefined;
  const prev = query.prev?.trim() || undefined;
  if (prev) decodeCursor(prev);
  return {
    q,
    ...(status ? { status } : {}),
    ...(cursor ? { cursor, after: decodeCursor(cursor) } : {}),
    ...(cursor && prev ? { prev } : {}),
  };
}

/**
 * One page of the registry entries matching the search, in name order. The longest search word picks
 * the index partition (the most selective); the other words are checked on the index item's words.
 */
export async function searchRegistry(
  search: RegistrySearch,
  deps: RegistryDeps,
  pageSize: number = PAGE_SIZE,
): Promise<RegistryPage> {
  const words = wordsOf(search.q);
  const chars = (w: string) => Array.from(w).length;
  const key = words.reduce((a, b) => (chars(b) > chars(a) ? b : a), '');
  const prefix = lookupPrefix(key);
  const buckets: RegistryBucket[] = search.status ? [bucketOf(search.status)] : ['A', 'N'];
  const perBucket = Math.floor(pageSize / buckets.length);
  const pages = await Promise.all(
    buckets.map(async (bucket) => ({
      bucket,
      ...(await deps.store.registrySearchPage(bucket, prefix, perBucket, search.after)),
    })),
  );
  // Merged, the hits are in name order up to the first bucket that has more: past it, that bucket's
  // next hits (not read yet) could come first.
  const bound = pages
    .filter((p) => p.more)
    .map((p) => p.hits.at(-1)?.sortKey)
    .filter((k): k is string => k !== undefined)
    .sort()[0];
  const hits: { hit: RegistryIndexHit; bucket: RegistryBucket }[] = pages
    .flatMap((p) => p.hits.map((hit) => ({ hit, bucket: p.bucket })))
    .filter(({ hit }) => bound === undefined || hit.sortKey <= bound)
    .sort((a, b) => (a.hit.sortKey < b.hit.sortKey ? -1 : a.hit.sortKey > b.hit.sortKey ? 1 : 0));
  const found = hits.filter(({ hit }) => matchesWords(hit.words.split(' '), words));
  const entries = await deps.store.getRegistryEntries(found.map(({ hit }) => hit.resourceId));
  const byId = new Map(entries.map((e) => [e.resourceId, e]));
  const page: RegistryEntry[] = [];
  for (const { hit, bucket } of found) {
    const entry = byId.get(hit.resourceId);
    // The entry is the truth: an index item left in the other status bucket is skipped.
    if (entry && bucketOf(entry.status) === bucket) page.push(entry);
  }
  const last = hits.at(-1)?.hit.sortKey;
  const itemsRead = pages.reduce((n, p) => n + p.hits.length, 0) + entries.length;
  return { entries: page, ...(bound !== undefined && last ? { next: encodeCursor(last) } : {}), itemsRead };
}

/** The cursor of a page that ends at this entry. */
export function cursorAfter(
  entry: Pick<RegistryEntry, 'resourceId' | 'resourceName' | 'vendorName'>,
): string {
  return encodeCursor(
    sortKeyOf({ name: entry.resourceName, vendorName: entry.vendorName }, entry.resourceId),
  );
}

/** A page ends at an index key; the next starts after it. */
function encodeCursor(sortKey: string): string {
  return Buffer.from(sortKey, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const sortKey = /^[A-Za-z0-9_-]{1,1400}$/.test(cursor)
    ? Buffer.from(cursor, 'base64url').toString('utf8')
    : '';
  if (sortKey.length > 0 && sortKey.includes('\u0001') && !sortKey.includes('\ufffd')) return sortKey;
  throw new ValidationError([
    { field: 'cursor', message: 'The page link is not valid; start again from the first page' },
  ]);
}

/** The entry as the JSON list shows it: every field named, an absent one as null. */
export function toRegistryItem(e: RegistryEntry): RegistryItem {
  const { resourceId, resourceName, vendorName, status, statusDate, source } = e;
  return {
    resourceId,
    resourceName,
    url: e.url ?? null,
    vendorName,
    status,
    statusDate,
    source,
    reason: e.reason ?? null,
    dpaExpiresOn: e.dpaExpiresOn ?? null,
    sslGrade: e.sslGrade ?? null,
    renewalDueOn: e.renewalDueOn ?? null,
    requestId: e.requestId ?? null,
    notes: e.notes ?? null,
    underReview: e.underReview ?? null,
  };
}
