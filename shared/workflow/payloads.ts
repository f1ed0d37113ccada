/**
 * The payloads that cross the state machine boundary. The ASL files build these with Parameters;
 * the handlers in lambdas/ accept them. Keep them small: ids and flags, documents live in DynamoDB.
 * A step's input is its schema's type (step-inputs.ts); what our own code builds and no schema
 * describes (the execution input, each step's output) is written here.
 */
import type { RequestType, WorkflowResource } from './request-schema.ts';
import type { SslEndpointGrade, SslHostProgress } from './ssl-scan-input.ts';

/** decision-outputs.ts reads it from here. */
export type { WorkflowResource } from './request-schema.ts';
export type { RegistryStatus } from './statuses.ts';

/** Execution input, started by submit-request with the request id as the execution name. */
export interface WorkflowInput {
  requestId: string;
  requestType: RequestType;
  resource: WorkflowResource;
  replacementCount: number;
  /**
   * Per-request loop counters the ASL guards read (set at submission, carried through a
   * replacement): questions asked (SOP 4 "work with the vendor"), and whether a review already sent
   * the request to the other review (SOP 3/7). Absent in executions started before they existed.
   */
  questions?: { asked: number };
  rerouted?: boolean;
}

/** `reused`: steps 3–6 are satisfied by request `reusedFrom`; the ASL goes on to step 7. */
export interface CheckCurrentVettingOutput {
  reused: boolean;
  reusedFrom?: string;
  reason: string;
}
/** The evidence of the earlier request a reused vetting rests on (kept on the new request). */
export interface ReusedVetting {
  requestId: string;
  resourceId: string;
  /** When the registry published the earlier request's approval. */
  approvedAt: string;
  /** Present when this request shares student data. */
  dpaExpiresOn?: string;
  sslGrade?: string;
  sslTestedAt?: string;
  /** The websites (host names) the earlier vetting tested. */
  websites: string[];
}

export interface SendDpaOutput {
  sentTo: string;
  sentAt: string;
}

export interface CheckSslOutput {
  /** True when the scan reached a verdict (READY, ERROR, DNS failure, or the wait cap). */
  finished: boolean;
  passed: boolean;
  /** Worst grade across endpoints, when every endpoint was graded. */
  grade?: string;
  endpoints: SslEndpointGrade[];
  reason: string;
  /** Seconds the state machine should Wait before polling again (ETA-based, growing, capped). */
  nextPollSeconds: number;
  startedAt: string;
  polls: number;
  /** Per host: progress while the scan runs, verdicts once it finished. */
  hosts: SslHostProgress[];
  /**
   * Only while the scan waits for SSL Labs slots (issue 22): the state machine Waits `waitSeconds`
   * and tries again, handing `waits` and `queuedAt` back.
   */
  slotWait?: { waits: number; queuedAt: string; waitSeconds: number };
}

/** Re-tests Cybersecurity may ask for per execution; the ASL's guard denies at this count too. */
export const MAX_SSL_RETESTS = 5;

/** SOP 5-6 remediation: may the vendor still fix the grade, and how long Cybersecurity's task waits. */
export interface NotifyVendorSslOutput {
  notifiedAt: string;
  /** False when the re-tests or the window are used up: the resource is denied at step 6. */
  open: boolean;
  /** Re-tests already run in this execution (the state machine denies at MAX_SSL_RETESTS). */
  retests: number;
  /** The ssl-remediation task's timeout: what is left of the window, at most one human-step wait. */
  waitSeconds: number;
  windowEndsAt: string;
  /** Why remediation is closed (when `open` is false; empty while it is open). */
  reason: string;
  /** The denial reason if the ssl-remediation task times out. */
  timeoutReason: string;
}

export interface ScheduleRenewalOutput {
  scheduled: boolean;
  renewalDueOn?: string;
  reason: string;
}

/** annual-renewal: what is due for this resource this year. */
export interface RenewalPlan {
  requestId: string;
  dpaRenewalDue: boolean;
  sslRetestDue: boolean;
  vendorContactEmail: string;
  url?: string;
  /** The host names SSL-tested at vetting (SOP 5), re-tested now. */
  websites: string[];
}
