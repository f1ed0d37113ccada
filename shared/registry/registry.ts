/**
 * The district's resource registry (SOP 6 "Not Approved", SOP 16 "Active/Approved", SOP 17 renewal
 * result): one entry per resource, identified by its vendor and folded name (resource-identity.ts),
 * for staff transparency and for forwarding to the TXSPA database through the ResourceStatusChanged
 * event.
 */

import { hostnameOf } from '../core/text/hostname.ts';
import type {
  DeletionRecord,
  Denial,
  RegistryEntry,
  RegistryStatus,
  RequestRecord,
  ResourceStatusChangedDetail,
} from '../workflow/index.ts';
import { resourceIdOf } from './resource-identity.ts';

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

/**
 * The deletion a Not Approved entry carries: a new one when it ends an approval (the resource was
 * Approved until now), the one already asked while the resource stays Not Approved; none once Approved.
 */
export function deletionOf(
  existing: RegistryEntry | undefined,
  status: RegistryStatus,
  requestId: string,
): DeletionRecord | undefined {
  if (status === 'APPROVED') return undefined;
  if (existing?.status === 'APPROVED') {
    return { approvedOn: existing.statusDate, requestId: existing.requestId ?? requestId };
  }
  return existing?.deletion;
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
  const deletion = deletionOf(existing, status, request.requestId);
  const resource = request.resource;
  const dpaExpiresOn = signedDpaExpiry(request);
  const sslGrade = request.security?.ssl?.grade;
  const sslTestedAt = sslGrade ? request.security?.ssl?.testedAt : undefined;
  const renewalDueOn = status === 'APPROVED' ? existing?.renewalDueOn : undefined;
  const host = hostnameOf(resource.url);
  const requestIds = withRequest(existing, request.requestId);
  return {
    resourceId: resourceIdOf(resource),
    resourceName: resource.name,
    ...(resource.url ? { url: resource.url } : {}),
    ...(host ? { hosts: [host] } : {}),
    vendorName: resource.vendorName,
    status,
    statusDate,
    source: 'workflow',
    requestId: request.requestId,
    requestIds,
    sopStep,
    // The decider's comment stays on the request: every member of staff reads the registry.
    ...(denial
      ? { reason: registryReason(denial), denial: { sopStep: denial.sopStep, reason: denial.reason } }
      : {}),
    ...(dpaExpiresOn ? { dpaExpiresOn } : {}),
    ...(sslGrade ? { sslGrade } : {}),
    ...(sslTestedAt ? { sslTestedAt } : {}),
    ...(renewalDueOn ? { renewalDueOn } : {}),
    ...(deletion ? { deletion } : {}),
  };
}

/** Requests listed on a resource's page (the newest; each has its own status page). */
export const MAX_REQUEST_IDS = 20;

/** The entry's requests with this one first. */
export function withRequest(existing: RegistryEntry | undefined, requestId: string): string[] {
  const earlier = existing?.requestIds ?? (existing?.requestId ? [existing.requestId] : []);
  return [requestId, ...earlier.filter((id) => id !== requestId)].slice(0, MAX_REQUEST_IDS);
}

/** A signed DPA must run at least this much longer to be reused (SOP 17 renews it before it expires). */
export const DPA_MIN_REMAINING_DAYS = 30;
/** An SSL grade older than this is tested again: certificates and server settings change. */
export const SSL_PASS_MAX_AGE_DAYS = 90;

const DAY_MS = 86_400_000;

/**
 * Whether an entry's vetting is current, as far as the entry itself shows (the resource page says so):
 * Approved by a request whose evidence is on file (not imported), its signed DPA not expiring within
 * DPA_MIN_REMAINING_DAYS and its SSL pass younger than SSL_PASS_MAX_AGE_DAYS. A new request reuses it
 * only when that evidence also covers the request (shared/vetting/current-vetting.ts: its websites and
 * student data), checked against the vetting request's own record.
 */
export function isCurrentVetting(entry: RegistryEntry, now: Date): boolean {
  if (entry.status !== 'APPROVED' || entry.source === 'imported' || !entry.requestId) return false;
  if (entry.dpaExpiresOn && !isDpaCurrent(entry.dpaExpiresOn, now)) return false;
  return !entry.sslTestedAt || isSslPassCurrent(entry.sslTestedAt, now);
}

/** A signed DPA (expiry YYYY-MM-DD) still runs at least DPA_MIN_REMAINING_DAYS from `now`. */
export function isDpaCurrent(expiresOn: string, now: Date): boolean {
  const earliestExpiry = new Date(now.getTime() + DPA_MIN_REMAINING_DAYS * DAY_MS).toISOString().slice(0, 10);
  return expiresOn.slice(0, 10) >= earliestExpiry;
}

/** An SSL pass measured at `testedAt` is younger than SSL_PASS_MAX_AGE_DAYS. */
export function isSslPassCurrent(testedAt: string, now: Date): boolean {
  return now.getTime() - Date.parse(testedAt) < SSL_PASS_MAX_AGE_DAYS * DAY_MS;
}

/** The public event detail for an entry (no denial comment, no renewal bookkeeping). */
export function statusChangedDetail(entry: RegistryEntry): ResourceStatusChangedDetail {
  return {
    resourceId: entry.resourceId,
    resourceName: entry.resourceName,
    ...(entry.url ? { url: entry.url } : {}),
    vendorName: entry.vendorName,
    status: entry.status,
    statusDate: entry.statusDate,
    source: entry.source,
    ...(entry.requestId ? { requestId: entry.requestId } : {}),
    ...(entry.sopStep !== undefined ? { sopStep: entry.sopStep } : {}),
    ...(entry.reason ? { reason: entry.reason } : {}),
    ...(entry.dpaExpiresOn ? { dpaExpiresOn: entry.dpaExpiresOn } : {}),
    ...(entry.sslGrade ? { sslGrade: entry.sslGrade } : {}),
  };
}

export function statusLabel(status: RegistryStatus): string {
  return status === 'APPROVED' ? 'Active/Approved' : 'Not Approved';
}
