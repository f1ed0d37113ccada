/**
 * The payloads that cross the state machine boundary. The ASL files build these with Parameters;
 * the handlers in lambdas/ accept them. Keep them small: ids and flags, documents live in DynamoDB.
 */
import type { AskingKind, QuestionRecipient } from './task-kinds.ts';

export type RequestType = 'instructional' | 'administrative';
export type ResourceKind = 'software' | 'application' | 'web-service';

/** The resource under review, as the flow needs it to choose branches. */
export interface WorkflowResource {
  name: string;
  /** Present when the resource is, or needs, a website (SOP 5). */
  url?: string;
  usesWebsite: boolean;
  kind: ResourceKind;
  vendorName: string;
  /** USD; 0 = free (SOP 12 skips procurement). */
  cost: number;
  studentDataShared: boolean;
}

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

/** The question an `ask` decision sends out (the AwaitXAnswer states pass it to assign-task). */
export interface QuestionToAsk {
  askedBy: AskingKind;
  question: string;
  recipient: QuestionRecipient;
  /** Privacy review only: the vendor's contact, when the vendor is asked. */
  vendorContactEmail?: string;
}

/** Why a request ended without approval (Pass states in the ASL build this). */
export interface Denial {
  sopStep: number;
  reason: string;
  /** The decider's comment, when a person denied it. */
  comment?: string;
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

export interface CheckSslInput {
  requestId: string;
  /** The host names (or http(s) addresses) to test; every distinct host is tested. */
  websites?: string[];
  /** One website (the older single-host form; `websites` wins when both are given). */
  url?: string;
  /** Absent on the first call: the scan is started (startNew=on). */
  startedAt?: string;
  polls?: number;
  /** Each host's progress, as the previous call returned it (absent on the first call). */
  hosts?: SslHostProgress[];
}
export interface SslEndpointGrade {
  ipAddress: string;
  grade?: string;
  statusMessage?: string;
  /** The host the endpoint serves (several websites per request). */
  host?: string;
}
/** One host of a scan: how far its assessment is, and its verdict once it has one. */
export interface SslHostProgress {
  host: string;
  /** Calls SSL Labs answered for the current assessment of this host (0: start it next). */
  polls: number;
  /** Assessments restarted automatically after SSL Labs ended one in ERROR. */
  errorRetries: number;
  finished: boolean;
  passed: boolean;
  /** The worst grade of the host's endpoints, when every endpoint was graded. */
  grade?: string;
  reason: string;
  /** Seconds this host asks to wait before its next poll (the scan waits the shortest). */
  nextPollSeconds?: number;
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

export type RegistryStatus = 'APPROVED' | 'NOT_APPROVED';

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

export type Outcome = 'APPROVED' | 'DENIED';
