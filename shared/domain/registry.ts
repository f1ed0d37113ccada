/**
 * The district's resource registry (SOP 6 "Not Approved", SOP 16 "Active/Approved", SOP 17 renewal
 * result): one entry per resource, keyed by its normalised name or domain, for staff transparency and
 * for forwarding to the TXSPA database through the ResourceStatusChanged event.
 */

import { normaliseResourceKey } from '../store/keys.ts';
import type { RegistryEntry, RequestRecord } from '../store/records.ts';
import type { ResourceStatusChangedDetail } from './events.ts';
import type { Denial, RegistryStatus } from './workflow.ts';

/** The registry's reason for a Not Approved status. */
export function registryReason(denial: Denial): string {
  // SOP 17 is the annual renewal: staff should read that an approval lapsed, not that a request was denied.
  if (denial.sopStep === 17) return `Annual renewal lapsed (SOP step 17): ${denial.reason}`;
  return `Denied at SOP step ${denial.sopStep}: ${denial.reason}`;
}

/** The DPA expiry that counts: only a signed DPA has one. */
export function signedDpaExpiry(request: RequestRecord): string | undefined {
  const dpa = request.security?.dpa;
  return dpa?.decision === 'signed' && dpa.expiresOn ? dpa.expiresOn : undefined;
}

/**
 * The entry publish-status writes. The renewal date of an existing entry for the same resource is
 * kept while the resource stays Approved (schedule-renewal sets a new one); a Not Approved resource
 * has no renewal due, so it leaves the renewals-due list.
 */
/** Security findings (SOP 6, and the annual renewal of the DPA and SSL grade) are about the resource. */
const RESOURCE_WIDE_STEPS = new Set([6, 17]);

/**
 * A denial at curriculum, administrative or technical review (SOP 7, 9, 11) or a closed request answers
 * one request, not the resource: when another request already got the resource Approved, staff keep
 * seeing Approved. Security denials always publish Not Approved.
 */
export function keepsApprovedEntry(options: {
  existing?: RegistryEntry;
  status: RegistryStatus;
  sopStep: number;
  requestId: string;
}): boolean {
  const { existing, status, sopStep, requestId } = options;
  return (
    status === 'NOT_APPROVED' &&
    !RESOURCE_WIDE_STEPS.has(sopStep) &&
    existing?.status === 'APPROVED' &&
    existing.requestId !== requestId
  );
}

export function buildRegistryEntry(options: {
  request: RequestRecord;
  status: RegistryStatus;
  sopStep: number;
  denial?: Denial;
  existing?: RegistryEntry;
  statusDate: string;
}): RegistryEntry {
  const { request, status, sopStep, denial, existing, statusDate } = options;
  const resource = request.resource;
  const dpaExpiresOn = signedDpaExpiry(request);
  const sslGrade = request.security?.ssl?.grade;
  const renewalDueOn = status === 'APPROVED' ? existing?.renewalDueOn : undefined;
  return {
    resourceKey: normaliseResourceKey(resource),
    resourceName: resource.name,
    ...(resource.url ? { url: resource.url } : {}),
    vendorName: resource.vendorName,
    status,
    statusDate,
    requestId: request.requestId,
    sopStep,
    ...(denial ? { reason: registryReason(denial), denial } : {}),
    ...(dpaExpiresOn ? { dpaExpiresOn } : {}),
    ...(sslGrade ? { sslGrade } : {}),
    ...(renewalDueOn ? { renewalDueOn } : {}),
  };
}

/** The public event detail for an entry (no denial comment, no renewal bookkeeping). */
export function statusChangedDetail(entry: RegistryEntry): ResourceStatusChangedDetail {
  return {
    resourceKey: entry.resourceKey,
    resourceName: entry.resourceName,
    ...(entry.url ? { url: entry.url } : {}),
    vendorName: entry.vendorName,
    status: entry.status,
    statusDate: entry.statusDate,
    requestId: entry.requestId,
    sopStep: entry.sopStep,
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.dpaExpiresOn ? { dpaExpiresOn: entry.dpaExpiresOn } : {}),
    ...(entry.sslGrade ? { sslGrade: entry.sslGrade } : {}),
  };
}

export function statusLabel(status: RegistryStatus): string {
  return status === 'APPROVED' ? 'Active/Approved' : 'Not Approved';
}
