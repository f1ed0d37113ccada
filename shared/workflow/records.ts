/** What the table holds, in the district's terms. */

import type { StoredDecision } from './decision-types.ts';
import type { ReusedVetting } from './payloads.ts';
import type { ResourceRequest, WorkflowResource } from './request-schema.ts';
import type { SslEndpointGrade } from './ssl-scan-input.ts';
import type { RegistryStatus } from './statuses.ts';
import type { QuestionToAsk } from './step-inputs.ts';
import type { Decision, TaskKind, Team } from './task-kinds.ts';

export type RequestStatus = 'IN_REVIEW' | 'APPROVED' | 'DENIED' | 'ERROR';

export interface RequestRecord {
  requestId: string;
  createdAt: string;
  updatedAt: string;
  status: RequestStatus;
  currentStep: number;
  /** What is happening now, e.g. "Waiting for Cybersecurity (CCS): privacy policy review". */
  currentActivity: string;
  submitted: ResourceRequest;
  /** The resource under review now; differs from `submitted` after a replacement (SOP 11). */
  resource: WorkflowResource;
  replacementCount: number;
  executionArn?: string;
  deniedAtStep?: number;
  reason?: string;
  security?: {
    privacyReview?: {
      decision: string;
      studentDataRequired: boolean;
      vendorContactEmail: string;
      /** SOP 5: the websites (host names) Cybersecurity named; absent on records from before. */
      websites?: string[];
      /** The privacy policy addresses reviewed (their snapshots are evidence); absent on older records. */
      privacyPolicyUrls?: string[];
      /** The vendor's subprocessors, for the public page; absent on older records. */
      subprocessors?: string[];
      at: string;
    };
    dpa?: {
      sentTo?: string;
      sentAt?: string;
      /** SES's message id of the DPA email (absent while the outbox sweep has yet to send it). */
      messageId?: string;
      decision?: string;
      expiresOn?: string;
      decidedAt?: string;
    };
    ssl?: {
      grade?: string;
      endpoints: SslEndpointGrade[];
      /** Each website's verdict (several hosts per resource). */
      hosts?: { host: string; passed: boolean; grade?: string; reason: string }[];
      passed: boolean;
      reason: string;
      testedAt: string;
    };
    /** SOP 3-6 satisfied by an earlier request's current vetting (shared/vetting/current-vetting.ts). */
    reusedVetting?: ReusedVetting;
    /** SOP 5-6: the vendor was asked to improve the SSL grade; counted per execution (vetting, each renewal). */
    sslRemediation?: SslRemediationRecord;
  };
  purchaseOrder?: { poNumber: string; amount: number; quoteReference: string; issuedAt: string };
  /** Licence details; the key itself is stored separately only as `licenseKeyLast4` for display. */
  license?: {
    licenseReference: string;
    seats: number;
    expiresOn: string;
    storedAt: string;
    licenseKeyLast4?: string;
  };
  renewal?: RenewalRecord;
  /**
   * The wait the request is in now, written once its email went out: a retried assign-task call of the
   * same wait (same execution and kind, still pending) finds it instead of emailing a second link.
   */
  currentTask?: { taskId: string; kind: TaskKind; executionId: string };
  error?: { error: string; cause: string; at: string };
  /** When the requester was emailed the outcome (close-request): a retried close does not email twice. */
  outcomeEmailSentAt?: string;
}

/** SOP 5-6: a substandard SSL grade the vendor may fix, within a window and a number of re-tests. */
export interface SslRemediationRecord {
  executionId: string;
  startedAt: string;
  windowEndsAt: string;
  /** The start time of every failed scan the vendor was told about (the first, then each re-test). */
  scans: string[];
  /** The grades seen, per scan: "B", or "no grade" when SSL Labs could not grade. */
  grades: string[];
  /** Set when the remediation ended: passed, denied, or the bounds were reached. */
  closedAt?: string;
}

export type RenewalStatus = 'RENEWED' | 'DUE' | 'IN_PROGRESS' | 'LAPSED';

/** SOP 17: the annual renewal as the requester sees it. */
export interface RenewalRecord {
  /** The next renewal date (absent once lapsed). */
  dueOn?: string;
  scheduleName?: string;
  /** When schedule-renewal made that schedule (a retry of that step keeps it, and so its audit event). */
  scheduledAt?: string;
  /** Absent on records from before: read as DUE when a date is set. */
  status?: RenewalStatus;
  /** When the renewal IN_PROGRESS started (plan-renewal: a retry of that step keeps it). */
  startedAt?: string;
  lastRenewedAt?: string;
  /** When it lapsed (record-renewal: a retry of that step keeps it, and so its audit event). */
  lapsedAt?: string;
  /** Why it lapsed, or what the last renewal did. */
  reason?: string;
  /**
   * A request that reused a current vetting is renewed with the request it reused (one renewal per
   * resource): that request's renewal is the one that counts.
   */
  renewedWith?: string;
}

/**
 * Who acted, as the audit trail keeps it: a person the sign-in vouched for (`sso`: subject, email and
 * name from the provider), or the name typed on an emailed link's form (`link`: nothing verified).
 */
export interface Actor {
  sub: string | null;
  email: string | null;
  name: string;
  via: 'sso' | 'link';
}

/** A person a task is assigned to, as the queue shows them. */
export interface Assignee {
  email: string;
  name: string;
  /** When they took it or were given it. */
  since: string;
}

export interface AuditEvent {
  requestId: string;
  at: string;
  sopStep: number;
  /** Short machine-friendly type, e.g. "SUBMITTED", "TASK_ASSIGNED", "DECISION_RECORDED". */
  type: string;
  summary: string;
  actor: string;
  detail?: Record<string, unknown>;
}

export type TaskStatus = 'PENDING' | 'DECIDED' | 'TIMED_OUT';

export interface TaskRecord {
  taskId: string;
  requestId: string;
  kind: TaskKind;
  team: Team;
  sopStep: number;
  /** The Step Functions task token: server-side only, never in a link, a page or a log. */
  taskToken: string;
  /** SHA-256 of the link secret (base64url); the secret itself is only ever in the email. */
  secretHash: string;
  /** Hashes of earlier link secrets that reminders replaced: those links answer "replaced". */
  previousSecretHashes?: string[];
  /** The last reminder sent (1 or 2), and when. */
  lastReminder?: number;
  remindedAt?: string;
  status: TaskStatus;
  createdAt: string;
  expiresAt: string;
  executionId?: string;
  /** The step's service level when assigned (days), and the moment the task becomes overdue. */
  serviceLevelDays?: number;
  dueBy?: string;
  /** Who took it from the team's work queue, or was given it (AUTH_MODE=sso); unset: the team's. */
  assignee?: Assignee;
  /** Kind `answer`: the question the reply page shows (team and SOP step are the asking step's). */
  question?: QuestionToAsk;
  /**
   * Kind `incident-review`: the incident under review (its execution's). Two incidents can be open on
   * one resource at once; each review's page, email and reminders show its own. Unset on a review
   * assigned before the task kept it.
   */
  incidentId?: string;
  decision?: Decision;
  decidedBy?: string;
  decidedAt?: string;
  /**
   * What a claimed decision still has to do, kept from the claim until it is done (the task is then
   * off the UNDELIVERED index): the decision recovery sweep replays it after a crash.
   */
  delivery?: DecisionDelivery;
  /** When Step Functions accepted the decision (SendTaskSuccess succeeded). */
  deliveredAt?: string;
  /** When the facts, the DECISION_RECORDED audit event and the requester's email were done. */
  followedUpAt?: string;
  /** The requester's decision email latch: set before sending, given back when the send fails. */
  decisionEmailAt?: string;
  /** When SES accepted the decision email (a latch without it is a sender that died, or is sending). */
  decisionEmailSentAt?: string;
}

/** A claimed decision's delivery: exactly what SendTaskSuccess sends, and what its follow-up needs. */
export interface DecisionDelivery {
  /** The parsed decision without the licence key; its `output` is the SendTaskSuccess output. */
  decision: StoredDecision;
  /** Where the decision came from, for the audit event. */
  origin: { sourceIp?: string; userAgent?: string; identityVerified: boolean; actor?: Actor };
}

export interface RegistryEntry {
  /** The resource's identity: vendor + folded resource name (shared/registry/resource-identity.ts). */
  resourceId: string;
  resourceName: string;
  url?: string;
  /** The website's host names (attributes, not the key: one host may serve several resources). */
  hosts?: string[];
  vendorName: string;
  status: RegistryStatus;
  /**
   * When the decision was made (ISO): the entry's version. An older decision never overwrites a newer
   * one (conditional write), and the search index items carry it.
   */
  statusDate: string;
  /** `workflow` (published by a request) or `imported` (loaded from an existing list). */
  source: 'workflow' | 'imported';
  /** The request whose decision this is (absent for an imported entry). */
  requestId?: string;
  /** Requests that published about this resource, newest first (a few). */
  requestIds?: string[];
  sopStep?: number;
  reason?: string;
  /** SOP step and reason of a denial (never the decider's comment: the registry is read by all staff). */
  denial?: { sopStep: number; reason: string };
  dpaExpiresOn?: string;
  sslGrade?: string;
  /** When the SSL grade was measured. */
  sslTestedAt?: string;
  renewalDueOn?: string;
  /**
   * Cybersecurity is vetting the Approved resource again (issue 22: its privacy policy changed): the
   * registry says "Under review" until the vetting publishes its result (which writes a new entry).
   */
  underReview?: { since: string; reason: string };
  /** Free text from an imported list. */
  notes?: string;
  /**
   * The resource turned Not Approved after having been Approved: the vendor is asked to delete the
   * students' data (NDPA Exhibit D). Kept while the resource stays Not Approved.
   */
  deletion?: DeletionRecord;
}

/** The deletion of students' data an ended approval asks of the vendor (shared/stewardship). */
export interface DeletionRecord {
  /** The ended approval's decision time: with the resource id, it names the one deletion execution. */
  approvedOn: string;
  /** The request whose vendor contact is asked (the approval's request). */
  requestId: string;
  /** When the vendor was emailed the request (ISO). */
  requestedOn?: string;
  sentTo?: string;
  /** When the certificate of destruction was received (or Cybersecurity confirmed it), ISO. */
  confirmedOn?: string;
}

/**
 * A student data incident reported on a resource (docs/design.md "Monitoring"). The description stays
 * with staff (it may name students); the public list shows the date, data elements and count only.
 */
export interface IncidentRecord {
  incidentId: string;
  resourceId: string;
  resourceName: string;
  vendorName: string;
  /** The request the review task belongs to (the resource's approving request). */
  requestId: string;
  /** The incident's date (YYYY-MM-DD), from which the notice clocks count. */
  reportedOn: string;
  description: string;
  studentsAffected: number | null;
  dataElements: string[];
  /** The state notice clocks (cdk.json incidentClocks) with their due dates. */
  clocks: { name: string; days: number; dueOn: string }[];
  reportedAt: string;
  reportedBy: { name: string; email: string | null; via: 'sso' | 'vendor-link' };
  /**
   * When its incident-review execution was known started (ISO): until then the incident sits in the
   * INCIDENT_UNSTARTED index partition, where the recovery sweep finds it.
   */
  reviewStartedAt?: string;
  /** When Cybersecurity recorded its review (ISO). */
  reviewedAt?: string;
}

/** One search index item of a registry entry (shared/registry/store.ts). */
export interface RegistryIndexItem {
  resourceId: string;
  /** The entry's statusDate when this item was written. */
  statusDate: string;
  /** The entry's search words, space-separated (multi-word searches check the others here). */
  words: string;
}
