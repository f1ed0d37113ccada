/**
 * GET /registry/{resourceId} — one resource as staff see it (SOP 6, 16, 17): its status and why (the
 * denial's step and reason), the requests about it, the evidence that is public to staff (DPA on file
 * and its expiry, SSL grade and when it was measured), and the next renewal date. Built from the
 * registry entry alone, which never holds licence keys, vendor contacts or deciders' comments.
 */

import { NotFoundError } from '../core/errors.ts';
import type { RegistryEntry, RegistryStatus } from '../workflow/index.ts';
import { isCurrentVetting } from './registry.ts';
import { RESOURCE_ID_PATTERN } from './resource-identity.ts';
import type { RegistryStore } from './store.ts';

export interface RegistryResourceDeps {
  store: Pick<RegistryStore, 'getRegistryEntry'>;
  now: () => Date;
}

export interface RegistryResourceView {
  resourceId: string;
  resourceName: string;
  vendorName: string;
  url: string | null;
  hosts: string[];
  status: RegistryStatus;
  statusDate: string;
  source: 'workflow' | 'imported';
  /** Why it is Not Approved: the SOP step and reason. */
  why: { sopStep: number | null; reason: string } | null;
  /** The requests about it, newest first, each with its status page. */
  requests: { requestId: string; statusPage: string }[];
  evidence: {
    dpaOnFile: boolean;
    dpaExpiresOn: string | null;
    sslGrade: string | null;
    sslTestedAt: string | null;
  };
  renewalDueOn: string | null;
  notes: string | null;
  /** No longer approved: when the vendor was asked to delete the students' data, and when it confirmed. */
  deletion: { requestedOn: string | null; confirmedOn: string | null } | null;
  /** Approved with evidence on file and in date (a new request it covers reuses this vetting). */
  currentVetting: boolean;
}

export async function readRegistryResource(
  resourceId: string,
  deps: RegistryResourceDeps,
): Promise<{ view: RegistryResourceView; entry: RegistryEntry }> {
  const entry = RESOURCE_ID_PATTERN.test(resourceId)
    ? await deps.store.getRegistryEntry(resourceId)
    : undefined;
  if (!entry) throw new NotFoundError('No resource with this id in the registry');
  return { view: resourceView(entry, deps.now()), entry };
}

export function resourceView(entry: RegistryEntry, now: Date): RegistryResourceView {
  const requestIds = entry.requestIds ?? (entry.requestId ? [entry.requestId] : []);
  return {
    resourceId: entry.resourceId,
    resourceName: entry.resourceName,
    vendorName: entry.vendorName,
    url: entry.url ?? null,
    hosts: entry.hosts ?? [],
    status: entry.status,
    statusDate: entry.statusDate,
    source: entry.source,
    why:
      entry.status === 'NOT_APPROVED'
        ? {
            sopStep: entry.denial?.sopStep ?? entry.sopStep ?? null,
            reason: entry.denial?.reason ?? entry.reason ?? 'Not approved',
          }
        : null,
    requests: requestIds.map((requestId) => ({
      requestId,
      statusPage: `/requests/${encodeURIComponent(requestId)}`,
    })),
    evidence: {
      dpaOnFile: entry.dpaExpiresOn !== undefined,
      dpaExpiresOn: entry.dpaExpiresOn ?? null,
      sslGrade: entry.sslGrade ?? null,
      sslTestedAt: entry.sslTestedAt ?? null,
    },
    renewalDueOn: entry.renewalDueOn ?? null,
    notes: entry.notes ?? null,
    deletion: entry.deletion
      ? { requestedOn: entry.deletion.requestedOn ?? null, confirmedOn: entry.deletion.confirmedOn ?? null }
      : null,
    currentVetting: isCurrentVetting(entry, now),
  };
}
