/** What the table holds, in the district's terms. */
import type { ResourceRequest } from '../domain/request-schema.ts';
import type { Decision, TaskKind, Team } from '../domain/task-kinds.ts';
import type {
  Denial,
  QuestionToAsk,
  RegistryStatus,
  SslEndpointGrade,
  WorkflowResource,
} from '../domain/workflow.ts';

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
      at: string;
    };
    dpa?: { sentTo?: string; sentAt?: string; decision?: string; expiresOn?: string; decidedAt?: string };
    ssl?: {
      grade?: string;
      endpoints: SslEndpointGrade[];
      passed: boolean;
      reason: string;
      testedAt: string;
    };
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
  renewal?: { dueOn: string; scheduleName: string };
  error?: { error: string; cause: string; at: string };
  /** When the requester was emailed the outcome (close-request): a retried close does not email twice. */
  outcomeEmailSentAt?: string;
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
  /** Kind `answer`: the question the reply page shows (team and SOP step are the asking step's). */
  question?: QuestionToAsk;
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
