/**
 * SOP 3: the request is assigned to the Cybersecurity team to begin security vetting — unless the
 * district already holds a current vetting of the same resource. Districts keep the registry so that
 * this work is not repeated: when the resource's registry entry is Approved and the evidence of the
 * request that vetted it still covers this request, steps 3–6 are recorded as satisfied by that earlier
 * request (linked in the audit trail and on the status page) and the request goes on to step 7.
 *
 * Evidence covers a request when (each checked against the earlier request's own record, not the
 * registry's summary of it):
 *  - the entry is Approved and was published by a request (an imported entry has no evidence on file);
 *  - same vendor and resource (the entry's identity is the vendor + folded name);
 *  - every website of this request was among the websites the earlier vetting tested, and when any was
 *    tested, the last SSL test passed (grade A or better) less than SSL_PASS_MAX_AGE_DAYS ago;
 *  - when this request shares student data: a signed DPA not expiring within DPA_MIN_REMAINING_DAYS,
 *    covering every student data element this request names.
 * Otherwise the request is vetted as usual, and the audit trail says which evidence fell short.
 *
 * The check runs again when a replacement restarts vetting (SOP 11 → 4): an already Approved
 * replacement is the quickest one to vet.
 */

import { logger } from '../core/logger.ts';
import { hostnameOf } from '../core/text/hostname.ts';
import type { RegistryStore } from '../registry/index.ts';
import {
  DPA_MIN_REMAINING_DAYS,
  foldText,
  isDpaCurrent,
  isSslPassCurrent,
  resourceIdOf,
  SSL_PASS_MAX_AGE_DAYS,
} from '../registry/index.ts';
import { type ReportCounts, reportReuse } from '../reports/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type {
  CheckCurrentVettingInput,
  CheckCurrentVettingOutput,
  RegistryEntry,
  RequestRecord,
  ReusedVetting,
  WorkflowResource,
} from '../workflow/index.ts';
import { truncate } from '../workflow/index.ts';

/** The reason returned to the state machine (the audit trail keeps it whole) stays small in its history. */
export const REASON_MAX_CHARACTERS = 500;

export type VettingCoverage = { covered: true; evidence: ReusedVetting } | { covered: false; reason: string };

const folded = (values: readonly string[] | undefined) => new Set((values ?? []).map(foldText));

/** The websites (host names) the earlier vetting, or its last renewal, SSL-tested. */
function testedWebsites(earlier: RequestRecord): string[] {
  const ssl = earlier.security?.ssl;
  if (!ssl) return [];
  if (ssl.hosts?.length) return ssl.hosts.map((h) => h.host);
  // Records from before several hosts per resource: the one website the request named.
  const host = hostnameOf(earlier.resource.url);
  return host ? [host] : [];
}

/**
 * Whether the earlier request's evidence covers a new request for `resource` (pure: the handler reads
 * the entry and the earlier request). `studentDataElements`: what the new request says it shares.
 */
export function vettingCoverage(options: {
  resource: WorkflowResource;
  studentDataElements: readonly string[] | undefined;
  entry: RegistryEntry;
  earlier: RequestRecord | undefined;
  now: Date;
}): VettingCoverage {
  const { resource, entry, earlier, now } = options;
  const name = `${entry.resourceName} (${entry.vendorName})`;
  if (entry.status !== 'APPROVED')
    return { covered: false, reason: `${name} is Not Approved in the registry` };
  if (!entry.requestId)
    return {
      covered: false,
      reason: `${name} was imported into the registry: no vetting evidence is on file`,
    };
  if (earlier?.status !== 'APPROVED')
    return { covered: false, reason: `request ${entry.requestId}, which vetted ${name}, is not approved` };
  if (earlier.renewal?.status === 'LAPSED')
    return { covered: false, reason: `the annual renewal of request ${entry.requestId} lapsed` };
  if (
    foldText(earlier.resource.vendorName) !== foldText(resource.vendorName) ||
    resourceIdOf(earlier.resource) !== resourceIdOf(resource)
  )
    return { covered: false, reason: `request ${entry.requestId} vetted another resource or vendor` };

  const from = `request ${entry.requestId}`;
  const tested = testedWebsites(earlier);
  const host = resource.usesWebsite ? hostnameOf(resource.url) : undefined;
  if (host && !tested.includes(host))
    return { covered: false, reason: `the website ${host} was not tested in the vetting of ${from}` };
  const ssl = earlier.security?.ssl;
  if (tested.length > 0) {
    if (!ssl?.passed) return { covered: false, reason: `the last SSL test in ${from} did not pass` };
    if (!isSslPassCurrent(ssl.testedAt, now))
      return {
        covered: false,
        reason: `the last SSL pass (${ssl.testedAt.slice(0, 10)}, in ${from}) is ${SSL_PASS_MAX_AGE_DAYS} days old or older`,
      };
  }

  const dpa = earlier.security?.dpa;
  const dpaExpiresOn = dpa?.decision === 'signed' ? dpa.expiresOn : undefined;
  if (resource.studentDataShared) {
    if (!dpaExpiresOn)
      return { covered: false, reason: `this request shares student data and ${from} has no signed DPA` };
    if (!isDpaCurrent(dpaExpiresOn, now))
      return {
        covered: false,
        reason: `the signed DPA of ${from} expires on ${dpaExpiresOn.slice(0, 10)}, within ${DPA_MIN_REMAINING_DAYS} days`,
      };
    const covered = folded(earlier.submitted.studentDataElements);
    const missing = (options.studentDataElements ?? []).filter((e) => !covered.has(foldText(e)));
    if (missing.length > 0)
      return {
        covered: false,
        reason: `the DPA of ${from} does not cover the student data ${missing.map((m) => `"${m}"`).join(', ')}`,
      };
  }

  return {
    covered: true,
    evidence: {
      requestId: entry.requestId,
      resourceId: entry.resourceId,
      approvedAt: entry.statusDate,
      ...(resource.studentDataShared && dpaExpiresOn ? { dpaExpiresOn } : {}),
      ...(tested.length > 0 && ssl?.grade ? { sslGrade: ssl.grade } : {}),
      ...(tested.length > 0 && ssl ? { sslTestedAt: ssl.testedAt } : {}),
      websites: tested,
    },
  };
}

/** The audit trail's record of each vetting step the earlier request satisfied. */
export function reusedStepSummaries(
  evidence: ReusedVetting,
  resource: WorkflowResource,
): { sopStep: number; summary: string }[] {
  const from = `request ${evidence.requestId}`;
  const dpa = evidence.dpaExpiresOn
    ? `its signed DPA runs until ${evidence.dpaExpiresOn.slice(0, 10)}`
    : 'no student data is shared, so no DPA is needed';
  const ssl = evidence.sslTestedAt
    ? `SSL grade ${evidence.sslGrade ?? 'A or better'} on ${evidence.websites.join(', ')}, tested ${evidence.sslTestedAt.slice(0, 10)}`
    : undefined;
  return [
    {
      sopStep: 3,
      summary: `${resource.name} (${resource.vendorName}) is Active/Approved in the registry with a current security vetting: steps 3–6 are satisfied by ${from}`,
    },
    { sopStep: 4, summary: `Privacy policy review satisfied by ${from}: ${dpa}` },
    ...(ssl ? [{ sopStep: 5, summary: `SSL server test satisfied by ${from}: ${ssl}` }] : []),
    { sopStep: 6, summary: `Security vetting complete: satisfied by ${from}` },
  ];
}

export interface CheckCurrentVettingDeps {
  store: Pick<
    RequestStore,
    'requireRequest' | 'getRequest' | 'updateRequest' | 'setRequestSecurity' | 'appendAudit'
  > &
    Pick<RegistryStore, 'getRegistryEntry'>;
  now: () => Date;
  /** The reports' counts (shared/reports); none in tests that do not look at them. */
  reports?: ReportCounts;
}

/** `input` was parsed by workflowStep with checkCurrentVettingInputSchema (shared/workflow/step-inputs.ts). */
export async function checkCurrentVetting(
  input: CheckCurrentVettingInput,
  deps: CheckCurrentVettingDeps,
): Promise<CheckCurrentVettingOutput> {
  const { requestId, sopStep, summary, resource } = input;
  const entry = await deps.store.getRegistryEntry(resourceIdOf(resource));
  // The two requests are read only when an Approved entry could cover this one: most requests name a
  // resource the registry does not have yet.
  const earlierId =
    entry?.status === 'APPROVED' && entry.requestId !== requestId ? entry.requestId : undefined;
  const [request, earlier] = earlierId
    ? await Promise.all([deps.store.requireRequest(requestId), deps.store.getRequest(earlierId)])
    : [undefined, undefined];
  const coverage =
    entry && entry.requestId !== requestId
      ? vettingCoverage({
          resource,
          studentDataElements: request?.submitted.studentDataElements,
          entry,
          earlier,
          now: deps.now(),
        })
      : undefined;

  if (!coverage?.covered) {
    await deps.store.updateRequest(requestId, { currentStep: sopStep, currentActivity: summary });
    await deps.store.appendAudit({ requestId, sopStep, type: 'STEP', summary, actor: 'workflow' });
    if (coverage && entry?.status === 'APPROVED')
      await deps.store.appendAudit({
        requestId,
        at: new Date(deps.now().getTime() + 1).toISOString(),
        sopStep,
        type: 'VETTING_NOT_REUSED',
        summary: `The registry's Approved entry for ${entry.resourceName} does not cover this request (${coverage.reason}): vetted as usual`,
        actor: 'workflow',
        detail: { resourceId: entry.resourceId, approvedBy: entry.requestId ?? 'imported' },
      });
    logger.info('Security vetting begins', { sopStep, registryEntry: entry?.status ?? 'none' });
    const reason = coverage?.covered === false ? coverage.reason : 'no registry entry';
    return { reused: false, reason: truncate(reason, REASON_MAX_CHARACTERS) };
  }

  const evidence = coverage.evidence;
  await deps.store.setRequestSecurity(requestId, 'reusedVetting', evidence);
  // One time per step, a millisecond apart, so the trail lists them in step order.
  const at = deps.now().getTime();
  for (const [i, step] of reusedStepSummaries(evidence, resource).entries())
    await deps.store.appendAudit({
      requestId,
      at: new Date(at + i).toISOString(),
      ...step,
      type: 'VETTING_REUSED',
      actor: 'workflow',
      detail: { reusedFrom: evidence.requestId, resourceId: evidence.resourceId },
    });
  await deps.store.updateRequest(requestId, {
    currentStep: 6,
    currentActivity: `Security vetting satisfied by request ${evidence.requestId}`,
  });
  logger.info('Security vetting reused', { sopStep, reusedFrom: evidence.requestId });
  if (deps.reports) await reportReuse(deps.reports, requestId, deps.now().toISOString());
  return {
    reused: true,
    reusedFrom: evidence.requestId,
    reason: `Satisfied by request ${evidence.requestId}`,
  };
}
