/** What the table holds, in the district's terms. */
import type { ResourceRequest } from '../domain/request-schema.ts';
import type { Decision, TaskKind, Team } from '../domain/task-kinds.ts';
import type { Denial, RegistryStatus, SslEndpointGrade, WorkflowResource } from '../domain/workflow.ts';

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
      at: string;
    };
    dpa?: { sentTo?: string; sentAt?: string; decision?: string; expiresOn?: string; decidedAt?: string };
    ssl?: {
      grade?: string;
      endpoints: SslEndpointGrade[];
      /** Each website's verdict (several hosts per resource). */
      hosts?: { host: string; passed: boolean; grade?: string; reason: string }[];
      passed: boolean;
      reason: string;
      testedAt: string;
    };
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
  /** Absent on records from before: read as DUE when a date is set. */
  status?: RenewalStatus;
  lastRenewedAt?: string;
  /** Why it lapsed, or what the last renewal did. */
  reason?: string;
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
  decision?: Decision;
  decidedBy?: string;
  decidedAt?: string;
}

export interface RegistryEntry {
  /** Normalised resource key: lower-cased domain when the resource has a website, else its name. */
  resourceKey: string;
  resourceName: string;
  url?: string;
  vendorName: string;
  status: RegistryStatus;
  statusDate: string;
  requestId: string;
  sopStep: number;
  reason?: string;
  denial?: Denial;
  dpaExpiresOn?: string;
  sslGrade?: string;
  renewalDueOn?: string;
}
