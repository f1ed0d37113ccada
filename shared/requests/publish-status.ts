/**
 * Publishes the resource's status in the district registry: SOP 6 Not Approved (with the step and
 * reason), SOP 16 Active/Approved, SOP 17 the renewal's result. Writes the registry entry, then puts a
 * ResourceStatusChanged event for integrations (e.g. forwarding to the TXSPA database), then audits.
 * A retry rewrites the same entry and may put the event again (consumers get it at least once).
 * The entry is the resource's own (vendor + name, after a replacement the replacement's): a denial
 * changes no other resource's entry, and a decision older than the one already published is not
 * written (conditional on the decision time: two requests about one resource may finish in any order).
 *
 * This is the one place a resource turns from Approved to Not Approved (a denial at SOP 6, a lapsed or
 * refused renewal at SOP 17, a revoked approval): the written entry then carries a deletion, and the
 * vendor is asked to delete the students' data (startDeletion, shared/stewardship). The execution is
 * named by the resource and the ended approval, so a retry — or a later denial while the deletion was
 * never asked because of a crash — starts it once.
 */

import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { putEvent } from '../core/aws/eventbridge.ts';
import { logger } from '../core/logger.ts';
import type { RegistryStore } from '../registry/index.ts';
import {
  buildRegistryEntry,
  keepsApprovedEntry,
  resourceIdOf,
  statusChangedDetail,
  statusLabel,
  withRequest,
} from '../registry/index.ts';
import type { PublishStatusInput, RegistryEntry, RegistryStatus, ReusedVetting } from '../workflow/index.ts';
import { DETAIL_TYPES, EVENT_SOURCE, invalid } from '../workflow/index.ts';
import type { RequestStore } from './store.ts';

/** What asks the vendor to delete the students' data of an ended approval (idempotent per approval). */
export type DeletionStart = (deletion: {
  resourceId: string;
  requestId: string;
  approvedOn: string;
}) => Promise<void>;

export interface PublishStatusDeps {
  store: Pick<RequestStore, 'requireRequest' | 'appendAudit'> &
    Pick<RegistryStore, 'getRegistryEntry' | 'putRegistryEntry' | 'setRegistryRequests'>;
  events: EventBridgeClient;
  eventBusName: string;
  now: () => Date;
  startDeletion: DeletionStart;
}

export async function publishStatus(
  input: PublishStatusInput,
  deps: PublishStatusDeps,
): Promise<{ resourceId: string; status: RegistryStatus }> {
  const { requestId, status, sopStep, denial } = input;
  if (status === 'NOT_APPROVED' && !denial) {
    throw invalid('denial', 'A Not Approved status needs the denial (SOP step and reason)');
  }
  if (status === 'APPROVED' && denial) throw invalid('denial', 'An Approved status has no denial');

  const request = await deps.store.requireRequest(requestId);
  const existing = await deps.store.getRegistryEntry(resourceIdOf(request.resource));
  if (existing && keepsApprovedEntry({ existing, status, sopStep, requestId })) {
    await listOnApprovedEntry(existing, requestId, deps, {
      sopStep,
      type: 'STATUS_KEPT',
      summary: `The registry keeps ${existing.resourceName} as Approved (${existing.requestId ? `request ${existing.requestId}` : 'imported'}): this denial at SOP step ${sopStep} concerns this request only`,
      detail: { resourceId: existing.resourceId, approvedBy: existing.requestId ?? 'imported' },
    });
    logger.info('Registry entry kept', { sopStep, resourceId: existing.resourceId });
    return { resourceId: existing.resourceId, status: existing.status };
  }
  const reused = request.security?.reusedVetting;
  if (status === 'APPROVED' && reused)
    return listUnderReusedVetting(requestId, sopStep, reused, existing, deps);
  const statusDate = deps.now();
  const entry = buildRegistryEntry({
    request,
    status,
    sopStep,
    existing,
    statusDate: statusDate.toISOString(),
    ...(denial ? { denial } : {}),
  });
  const written = await deps.store.putRegistryEntry(entry);
  if (written === 'superseded') {
    const current = await deps.store.getRegistryEntry(entry.resourceId);
    await deps.store.appendAudit({
      requestId,
      sopStep,
      type: 'STATUS_SUPERSEDED',
      summary: `Not published as ${statusLabel(status)}: the registry already has a later decision about ${entry.resourceName}${current?.requestId ? ` (request ${current.requestId})` : ''}`,
      actor: 'workflow',
      detail: { resourceId: entry.resourceId, status, current: current?.status ?? null },
    });
    logger.info('Registry entry superseded', { sopStep, resourceId: entry.resourceId });
    return { resourceId: entry.resourceId, status: current?.status ?? status };
  }
  await putEvent(
    { client: deps.events, eventBusName: deps.eventBusName },
    {
      source: EVENT_SOURCE,
      detailType: DETAIL_TYPES.resourceStatusChanged,
      detail: statusChangedDetail(entry),
      time: statusDate,
    },
  );
  await deps.store.appendAudit({
    requestId,
    sopStep,
    type: 'STATUS_PUBLISHED',
    summary: `Published in the resource registry as ${statusLabel(status)}${entry.reason ? ` (${entry.reason})` : ''}`,
    actor: 'workflow',
    detail: { resourceId: entry.resourceId, status },
  });
  logger.info('Status published', { sopStep, status, resourceId: entry.resourceId });
  // Not yet asked (a new deletion, or one a crash left unasked): ask it now. A deletion already asked
  // stays as it is.
  if (entry.deletion && !entry.deletion.requestedOn) {
    const { requestId: askedOf, approvedOn } = entry.deletion;
    await deps.startDeletion({ resourceId: entry.resourceId, requestId: askedOf, approvedOn });
    logger.info('Deletion of student data started', { resourceId: entry.resourceId, approvedOn });
  }
  return { resourceId: entry.resourceId, status };
}

/**
 * An approval that reused a current vetting (shared/vetting/current-vetting.ts) rests on the evidence of
 * the request the entry names: the entry stays that request's (its annual renewal keeps the evidence
 * current) and lists this request too. Should the entry no longer be Approved (its renewal lapsed
 * meanwhile), this approval does not overwrite that: the evidence it reused no longer holds.
 */
async function listUnderReusedVetting(
  requestId: string,
  sopStep: number,
  reused: ReusedVetting,
  existing: RegistryEntry | undefined,
  deps: PublishStatusDeps,
): Promise<{ resourceId: string; status: RegistryStatus }> {
  if (existing?.status === 'APPROVED') {
    await listOnApprovedEntry(existing, requestId, deps, {
      sopStep,
      type: 'STATUS_PUBLISHED',
      summary: `Listed in the resource registry under ${existing.resourceName}, Active/Approved with the security vetting of ${existing.requestId ? `request ${existing.requestId}` : 'an imported entry'}`,
      detail: { resourceId: existing.resourceId, status: 'APPROVED', reusedFrom: reused.requestId },
    });
    logger.info('Approval listed under a reused vetting', { sopStep, resourceId: existing.resourceId });
    return { resourceId: existing.resourceId, status: 'APPROVED' };
  }
  const why = existing
    ? `the registry lists ${existing.resourceName} as Not Approved since ${existing.statusDate.slice(0, 10)}${existing.reason ? ` (${existing.reason})` : ''}`
    : 'the registry no longer has the entry';
  await deps.store.appendAudit({
    requestId,
    sopStep,
    type: 'STATUS_NOT_PUBLISHED',
    summary: `Not published as Active/Approved: ${why}, so the security vetting of request ${reused.requestId} this request reused no longer holds. Cybersecurity should vet the resource again.`,
    actor: 'workflow',
    detail: {
      resourceId: reused.resourceId,
      reusedFrom: reused.requestId,
      current: existing?.status ?? null,
    },
  });
  logger.warn('Reused vetting no longer holds; approval not published', {
    sopStep,
    resourceId: reused.resourceId,
  });
  return { resourceId: reused.resourceId, status: existing?.status ?? 'NOT_APPROVED' };
}

/** The entry stays as it is; the resource's page lists this request among those about it, and the trail says why. */
async function listOnApprovedEntry(
  existing: RegistryEntry,
  requestId: string,
  deps: PublishStatusDeps,
  audit: { sopStep: number; type: string; summary: string; detail: Record<string, unknown> },
): Promise<void> {
  await deps.store.setRegistryRequests(
    existing.resourceId,
    existing.statusDate,
    withRequest(existing, requestId),
  );
  await deps.store.appendAudit({ requestId, actor: 'workflow', ...audit });
}
