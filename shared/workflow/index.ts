/**
 * The procedure's vocabulary, shared by every feature: teams and task kinds, each step's payload
 * (schema and type), what a decision is, and what the table keeps.
 * What other features may use of it; handlers and tests import a file directly (lean bundles).
 */

export { invalid, parsePayload } from '../core/validation.ts';
export type { TeamEmails } from './config.ts';
export {
  type AnswerOutput,
  type AskOutput,
  answerOutputSchema,
  askOutputSchema,
  type DecisionOutputBase,
  type DpaSignatureOutput,
  dpaSignatureOutputSchema,
  type LicenseOutput,
  licenseOutputSchema,
  type PrivacyReviewOutput,
  type ProcurementOutput,
  policyChangeOutputSchema,
  privacyReviewOutputSchema,
  procurementOutputSchema,
  type ReplacementOutput,
  type RerouteOutput,
  type SslRemediationOutput,
  sslRemediationOutputSchema,
} from './decision-outputs.ts';
export type {
  DecisionOutput,
  ParsedDecision,
  ReplacementFields,
  SettledStep,
  StoredDecision,
} from './decision-types.ts';
export {
  DETAIL_TYPES,
  EVENT_SOURCE,
  type PurchaseOrderIssuedDetail,
  type PurchaseOrderRequestedDetail,
  type ResourceStatusChangedDetail,
} from './events.ts';
export {
  type Denial,
  denialSchema,
  lenientObject,
  requestIdField,
  requiredText,
  sopStepField,
} from './fields.ts';
export { toBoolean, toCost } from './form-input.ts';
export {
  denialReason,
  describeSystemError,
  ERROR_ACTIVITY,
  executionConsoleUrl,
  outcomePatch,
  truncate,
} from './outcome.ts';
export {
  type CheckCurrentVettingOutput,
  type CheckSslOutput,
  MAX_SSL_RETESTS,
  type NotifyVendorSslOutput,
  type RenewalPlan,
  type ReusedVetting,
  type ScheduleRenewalOutput,
  type SendDpaOutput,
  type WorkflowInput,
} from './payloads.ts';
export type {
  Actor,
  Assignee,
  AuditEvent,
  DecisionDelivery,
  DeletionRecord,
  IncidentRecord,
  RegistryEntry,
  RegistryIndexItem,
  RenewalRecord,
  RenewalStatus,
  RequestRecord,
  RequestStatus,
  SslRemediationRecord,
  TaskRecord,
} from './records.ts';
export { isRequestId, newRequestId } from './request-id.ts';
export {
  type ParseResult,
  parseResourceRequest,
  RESOURCE_KINDS,
  type RequestType,
  type ResourceKind,
  type ResourceRequest,
  resourceRequestSchema,
  toWorkflowResource,
  type WorkflowResource,
  workflowResourceSchema,
} from './request-schema.ts';
export {
  isResumePoint,
  RESUME_POINTS,
  type ResumePoint,
  resumedExecutionName,
} from './resume-points.ts';
export { REMINDER_SCHEDULE_PREFIX, RENEWAL_SCHEDULE_PREFIX } from './schedule-names.ts';
export {
  DEFAULT_SERVICE_LEVEL_DAYS,
  parseServiceLevelDays,
  pastServiceLevel,
  readServiceLevelDays,
  type ServiceLevelDays,
  serviceLevelOf,
} from './service-levels.ts';
export {
  type CheckSslInput,
  type CheckSslRequest,
  checkSslInputSchema,
  type SslEndpointGrade,
  type SslHostProgress,
  type SslHostState,
} from './ssl-scan-input.ts';
export { OUTCOMES, type Outcome, REGISTRY_STATUSES, type RegistryStatus } from './statuses.ts';
export {
  type ApplyPolicyDecisionInput,
  type AssignTaskInput,
  applyPolicyDecisionInputSchema,
  assignTaskInputSchema,
  type CheckCurrentVettingInput,
  type CloseRequestInput,
  checkCurrentVettingInputSchema,
  closeRequestInputSchema,
  type NotifyVendorSslInput,
  notifyVendorSslInputSchema,
  type ProcurementHookInput,
  type PublishStatusInput,
  procurementHookInputSchema,
  publishStatusInputSchema,
  type QuestionToAsk,
  type RecordErrorInput,
  type RecordRenewalInput,
  type RecordStewardshipInput,
  type RequestOnlyInput,
  recordErrorInputSchema,
  recordRenewalInputSchema,
  recordStewardshipInputSchema,
  requestOnlyInputSchema,
  type ScheduleRenewalInput,
  type SendDeletionRequestInput,
  type SendDpaInput,
  STEWARDSHIP_OUTCOMES,
  type StewardshipOutcome,
  sendDeletionRequestInputSchema,
  sendDpaInputSchema,
} from './step-inputs.ts';
export {
  ASKING_KINDS,
  type AskingKind,
  copiedTeams,
  type Decision,
  isAskingKind,
  isReroutingKind,
  isStewardshipKind,
  MAX_QUESTIONS_PER_REQUEST,
  QUESTION_RECIPIENTS,
  type QuestionRecipient,
  TASK_KINDS,
  type TaskKind,
  TEAMS,
  type Team,
} from './task-kinds.ts';
export {
  MAX_POLICY_ADDRESSES,
  MAX_WEBSITES,
  parseLines,
  parsePolicyAddresses,
  parseWebsites,
  websiteHost,
} from './websites.ts';
