/**
 * The requester's view of a request: where it is in TS-PE-535 and what has happened, built from the
 * request record and its audit trail. Only what a requester may see: no task tokens, link secrets,
 * licence details, actors, audit details or email addresses.
 */

import { withoutEmailAddresses } from '../core/text/email-address.ts';
import type { AuditEvent, RenewalStatus, RequestRecord, RequestStatus } from '../workflow/index.ts';
import { MAX_SSL_RETESTS } from '../workflow/index.ts';

/** SOP 17, as the requester sees it: is the approval current, and when is the next renewal due. */
export interface RenewalView {
  status: RenewalStatus;
  dueOn: string | null;
  lastRenewedAt: string | null;
  reason: string | null;
  /** The request whose renewal this is, when this request reused its security vetting. */
  renewedWith: string | null;
}

/** SOP 3-6 satisfied by an earlier request's current vetting: what was reused, and where to read it. */
export interface ReusedVettingView {
  /** The earlier request (its status page is /requests/{requestId}). */
  requestId: string;
  /** The resource's registry entry (/registry/{resourceId}). */
  resourceId: string;
  approvedAt: string;
  dpaExpiresOn: string | null;
  sslGrade: string | null;
  sslTestedAt: string | null;
  websites: string[];
}

/** SOP 5-6: the vendor was asked to improve the SSL grade (the latest remediation). */
export interface SslRemediationView {
  waiting: boolean;
  gradesSeen: string[];
  retests: number;
  maxRetests: number;
  windowEndsAt: string;
  /** Each website's last grade. */
  hosts: { host: string; grade: string | null; passed: boolean }[];
}

/** The 17 steps of TS-PE-535, in short district wording. */
export const SOP_STEPS: readonly { step: number; title: string; who: string }[] = [
  { step: 1, title: 'Request made by the teacher or curriculum coordinator', who: 'Teacher/Coordinator' },
  { step: 2, title: 'Request details provided', who: 'Teacher/Coordinator' },
  { step: 3, title: 'Assigned to the Cybersecurity team for security vetting', who: 'CCS team' },
  {
    step: 4,
    title: 'Privacy policy review; student Data Privacy Agreement (DPA) if student data is required',
    who: 'CCS team',
  },
  { step: 5, title: 'SSL server test of the website (if it uses one)', who: 'CCS team' },
  {
    step: 6,
    title: 'Security vetting complete: signed DPA and SSL grade A or better, where they apply',
    who: 'CCS team',
  },
  {
    step: 7,
    title: 'Assigned for curriculum (Instructional Technology) or administrative (DII) approval',
    who: 'Instructional Technology/DII',
  },
  { step: 8, title: 'Curriculum review for classroom use', who: 'Instructional Technology' },
  { step: 9, title: 'Curriculum alignment decision', who: 'Instructional Technology' },
  { step: 10, title: 'Technical check with district devices', who: 'DII' },
  { step: 11, title: 'Replacement resource, if not technically sound', who: 'DII/Instructional Technology' },
  { step: 12, title: 'Escalated to AAS (a free resource goes straight to installation)', who: 'DII' },
  { step: 13, title: 'Vendor quote(s) and purchase order', who: 'AAS' },
  { step: 14, title: 'Software licence(s) stored for compliance', who: 'AAS' },
  { step: 15, title: 'Installed on the requested setup(s)', who: 'DII' },
  { step: 16, title: 'Published as Active/Approved for staff', who: 'CCS team' },
  { step: 17, title: 'Annual renewal of the DPA and SSL grade, if applicable', who: 'CCS team' },
];

/**
 * done: happened; current: happening now; skipped: passed over because it did not apply;
 * stopped: the request ended here (not approved, or a system error); not-reached: not (yet) reached.
 */
export type StepState = 'done' | 'current' | 'skipped' | 'stopped' | 'not-reached';

export interface TimelineEntry {
  at: string;
  sopStep: number;
  type: string;
  summary: string;
}

export interface StepProgress {
  step: number;
  title: string;
  who: string;
  state: StepState;
  events: TimelineEntry[];
}

export interface RequestView {
  requestId: string;
  status: RequestStatus;
  currentStep: number;
  currentActivity: string;
  deniedAtStep: number | null;
  reason: string | null;
  resourceName: string;
  submittedAt: string;
  updatedAt: string;
  /** Present once the request was approved (SOP 17). */
  renewal: RenewalView | null;
  /** Present once the vendor was asked to improve the SSL grade. */
  sslRemediation: SslRemediationView | null;
  /** Present when steps 3-6 were satisfied by an earlier request's current vetting. */
  reusedVetting: ReusedVettingView | null;
  timeline: TimelineEntry[];
  /**
   * The documents kept for the request (the signed DPA, the reviewed privacy policy), from the audit
   * trail that names each with its SHA-256; the document itself opens for district staff only.
   */
  evidence: EvidenceView[];
}

export interface EvidenceView {
  kind: string;
  documentId: string;
  sha256: string;
  capturedAt: string;
  url: string;
}

const EVIDENCE_EVENTS = new Set(['DOCUMENT_RECEIVED', 'POLICY_SNAPSHOT_KEPT']);

function evidenceOf(events: readonly AuditEvent[]): EvidenceView[] {
  return events.flatMap((e) => {
    const { kind, documentId, sha256 } = e.detail ?? {};
    if (!EVIDENCE_EVENTS.has(e.type) || typeof documentId !== 'string' || typeof sha256 !== 'string') {
      return [];
    }
    return [
      {
        kind: String(kind),
        documentId,
        sha256,
        capturedAt: e.at,
        url: `/documents/${encodeURIComponent(documentId)}`,
      },
    ];
  });
}

/**
 * The renewal as the requester sees it; records from before `status` existed read as DUE. A request
 * renewed with an earlier one (`renewedWith`) shows that request's renewal, as read now (`renewedBy`).
 */
export function renewalView(
  record: Pick<RequestRecord, 'status' | 'renewal'>,
  renewedBy?: Pick<RequestRecord, 'renewal'>,
): RenewalView | null {
  const own = record.renewal;
  if (record.status !== 'APPROVED' || !own) return null;
  const r = own.renewedWith && renewedBy?.renewal ? renewedBy.renewal : own;
  return {
    status: r.status ?? 'DUE',
    dueOn: r.dueOn ?? null,
    lastRenewedAt: r.lastRenewedAt ?? null,
    reason: r.reason ?? own.reason ?? null,
    renewedWith: own.renewedWith ?? null,
  };
}

export function reusedVettingView(record: Pick<RequestRecord, 'security'>): ReusedVettingView | null {
  const r = record.security?.reusedVetting;
  if (!r) return null;
  return {
    requestId: r.requestId,
    resourceId: r.resourceId,
    approvedAt: r.approvedAt,
    dpaExpiresOn: r.dpaExpiresOn ?? null,
    sslGrade: r.sslGrade ?? null,
    sslTestedAt: r.sslTestedAt ?? null,
    websites: r.websites,
  };
}

/**
 * The vendor is remediating: the last SSL test failed and the request (or its annual renewal) is still
 * open. Read from the record, not the current activity, which the remediation task's assignment rewrites.
 */
export function isWaitingForSslRemediation(
  record: Pick<RequestRecord, 'status' | 'security' | 'renewal'>,
): boolean {
  const open =
    record.status === 'IN_REVIEW' ||
    (record.status === 'APPROVED' && record.renewal?.status === 'IN_PROGRESS');
  return open && record.security?.sslRemediation !== undefined && record.security.ssl?.passed === false;
}

export function sslRemediationView(
  record: Pick<RequestRecord, 'status' | 'security' | 'renewal'>,
  maxRetests: number,
): SslRemediationView | null {
  const r = record.security?.sslRemediation;
  if (!r) return null;
  return {
    waiting: isWaitingForSslRemediation(record),
    gradesSeen: r.grades,
    retests: Math.max(0, r.scans.length - 1),
    maxRetests,
    windowEndsAt: r.windowEndsAt,
    hosts: (record.security?.ssl?.hosts ?? []).map((h) => ({
      host: h.host,
      grade: h.grade ?? null,
      passed: h.passed,
    })),
  };
}

/**
 * The audit trail as the requester reads it. A summary may name an email address (SES's report on the
 * vendor's, a vendor reporting an incident through its link, a colleague out of office): anyone with the
 * request id reads this in link mode, the requester with sign-in, so every address is withheld here.
 * The auditors' record (/requests/{id}/audit) keeps the summaries whole.
 */
export function toTimeline(events: readonly AuditEvent[]): TimelineEntry[] {
  return [...events]
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .map((e) => ({ at: e.at, sopStep: e.sopStep, type: e.type, summary: withoutEmailAddresses(e.summary) }));
}

/** `renewedBy`: the request this one is renewed with (RenewalRecord.renewedWith), when there is one. */
export function toRequestView(
  record: RequestRecord,
  events: readonly AuditEvent[],
  renewedBy?: Pick<RequestRecord, 'renewal'>,
): RequestView {
  return {
    requestId: record.requestId,
    status: record.status,
    currentStep: record.currentStep,
    currentActivity: record.currentActivity,
    deniedAtStep: record.deniedAtStep ?? null,
    reason: record.reason ?? null,
    resourceName: record.resource?.name ?? record.submitted.resourceName,
    submittedAt: record.createdAt,
    updatedAt: record.updatedAt,
    renewal: renewalView(record, renewedBy),
    sslRemediation: sslRemediationView(record, MAX_SSL_RETESTS),
    reusedVetting: reusedVettingView(record),
    timeline: toTimeline(events),
    evidence: evidenceOf(events),
  };
}

/**
 * Each SOP step's state. Steps before the one the request is at are done when something happened at
 * them (steps 1–2 always: the request exists) and skipped otherwise. After a replacement (SOP 11) the
 * request is back at step 4, so later steps are not reached again yet; their earlier events stay listed.
 */
export function sopProgress(
  record: Pick<RequestRecord, 'status' | 'currentStep' | 'deniedAtStep' | 'renewal'>,
  timeline: readonly TimelineEntry[],
): StepProgress[] {
  const byStep = new Map<number, TimelineEntry[]>();
  for (const e of timeline) byStep.set(e.sopStep, [...(byStep.get(e.sopStep) ?? []), e]);
  const passed = (step: number): StepState => (step <= 2 || byStep.has(step) ? 'done' : 'skipped');

  const stateOf = (step: number): StepState => {
    switch (record.status) {
      case 'IN_REVIEW': {
        const current = record.currentStep;
        return step < current ? passed(step) : step === current ? 'current' : 'not-reached';
      }
      case 'DENIED':
      case 'ERROR': {
        const end = (record.status === 'DENIED' ? record.deniedAtStep : undefined) ?? record.currentStep;
        return step < end ? passed(step) : step === end ? 'stopped' : 'not-reached';
      }
      case 'APPROVED':
        if (step < 17) return passed(step);
        return record.renewal ? 'current' : passed(step);
    }
  };

  return SOP_STEPS.map(({ step, title, who }) => ({
    step,
    title,
    who,
    state: stateOf(step),
    events: byStep.get(step) ?? [],
  }));
}

/** Events outside steps 1–17 (e.g. system errors), shown apart from the SOP steps. */
export function otherEvents(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  return timeline.filter((e) => !SOP_STEPS.some((s) => s.step === e.sopStep));
}

/** SOP 5 runs unattended for minutes: the status page says so while it does. */
export function isSslScanRunning(
  record: Pick<RequestRecord, 'status' | 'currentStep' | 'security' | 'renewal'>,
): boolean {
  return record.status === 'IN_REVIEW' && record.currentStep === 5 && !isWaitingForSslRemediation(record);
}
