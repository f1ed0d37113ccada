/**
 * The input of each state-machine step that workflowStep parses (shared/core/lambda.ts): one zod/mini
 * schema per step, and the step's input type is the schema's output. A bad payload is refused with one
 * message per field before anything is read or written.
 */
import * as z from 'zod/mini';
import { keysOf } from '../core/guards.ts';
import { isEmailAddress } from '../core/text/email-address.ts';
import { denialSchema, lenientObject, requestIdField, requiredText, sopStepField } from './fields.ts';
import { workflowResourceSchema } from './request-schema.ts';
import { OUTCOMES, REGISTRY_STATUSES } from './statuses.ts';
import { ASKING_KINDS, type AskingKind, TASK_KINDS } from './task-kinds.ts';

/** Steps that need only the request (plan-renewal, schedule-renewal). */
export const requestOnlyInputSchema = z.object({ requestId: requestIdField });
export type RequestOnlyInput = z.output<typeof requestOnlyInputSchema>;
export type ScheduleRenewalInput = RequestOnlyInput;

/** close-request: the outcome, and the denial when there is one (SOP 6, 9, 11, 16). */
export const closeRequestInputSchema = z.object({
  requestId: requestIdField,
  outcome: z.enum(OUTCOMES, { error: 'outcome must be APPROVED or DENIED' }),
  denial: z.optional(denialSchema),
});
export type CloseRequestInput = z.output<typeof closeRequestInputSchema>;

/** record-error: the Catch's error. The request id is not checked as an id: the error path takes any. */
export const recordErrorInputSchema = z.object({
  requestId: z
    .string({ error: 'requestId is required' })
    .check(z.trim(), z.minLength(1, 'requestId is required'), z.maxLength(200, 'requestId is too long')),
  error: z.optional(z.unknown()),
});
export type RecordErrorInput = z.output<typeof recordErrorInputSchema>;

/** publish-status: the registry status to publish (SOP 6, 16, 17). */
export const publishStatusInputSchema = z.object({
  requestId: requestIdField,
  status: z.enum(REGISTRY_STATUSES, { error: 'status must be APPROVED or NOT_APPROVED' }),
  sopStep: sopStepField,
  denial: z.optional(denialSchema),
});
export type PublishStatusInput = z.output<typeof publishStatusInputSchema>;

/** record-renewal: the annual renewal's result (SOP 17). */
export const recordRenewalInputSchema = z.object({
  requestId: requestIdField,
  outcome: z.enum(['RENEWED', 'LAPSED'], { error: 'outcome must be RENEWED or LAPSED' }),
  denial: z.optional(denialSchema),
});
export type RecordRenewalInput = z.output<typeof recordRenewalInputSchema>;

const text = (field: string, max: number) =>
  z
    .string({ error: `${field} is required` })
    .check(z.trim(), z.minLength(1, `${field} is required`), z.maxLength(max, `${field} is too long`));

/** procurement-hook: the purchasing event (SOP 13). */
export const procurementHookInputSchema = z.object({
  requestId: requestIdField,
  event: z.enum(['PurchaseOrderRequested', 'PurchaseOrderIssued'], {
    error: 'event must be PurchaseOrderRequested or PurchaseOrderIssued',
  }),
  purchaseOrder: z.optional(
    z.object(
      {
        poNumber: text('purchaseOrder.poNumber', 100),
        amount: z
          .number({ error: 'purchaseOrder.amount must be a number of US dollars' })
          .check(z.gte(0, 'purchaseOrder.amount cannot be negative')),
        quoteReference: text('purchaseOrder.quoteReference', 200),
      },
      { error: 'purchaseOrder must be an object with poNumber, amount and quoteReference' },
    ),
  ),
});
export type ProcurementHookInput = z.output<typeof procurementHookInputSchema>;

/** The question an `ask` decision sends out (the AwaitXAnswer states pass it to assign-task). */
const askedQuestionSchema = z.object({
  question: z
    .string({ error: 'question.question is required' })
    .check(z.minLength(1, 'question.question is required')),
  recipient: z.enum(['requester', 'vendor'], { error: 'question.recipient must be requester or vendor' }),
  /** Privacy review only: the vendor's contact, when the vendor is asked. */
  vendorContactEmail: z.optional(z.string({ error: 'question.vendorContactEmail must be a string' })),
});
/** The question and the step that asked it, as the request keeps it while the answer is awaited. */
export type QuestionToAsk = z.output<typeof askedQuestionSchema> & { askedBy: AskingKind };

/** The incident an incident review is about (the stewardship execution's own, shared/stewardship). */
const incidentIdField = text('incidentId', 100);

/** assign-task's fields; assignTaskInputSchema adds the checks that depend on the kind. */
const assignTaskFields = z.object({
  taskToken: z
    .string({ error: 'taskToken is required' })
    .check(z.minLength(1, 'taskToken is required'), z.maxLength(8192, 'taskToken is too long')),
  requestId: requestIdField,
  kind: z.enum(keysOf(TASK_KINDS), {
    error: `kind must be one of ${Object.keys(TASK_KINDS).join(', ')}`,
  }),
  timeoutSeconds: z
    .int({ error: 'timeoutSeconds must be a positive whole number of seconds' })
    .check(z.gt(0, 'timeoutSeconds must be a positive whole number of seconds')),
  executionId: z.optional(z.string({ error: 'executionId must be a string' })),
  stateName: z.optional(z.string({ error: 'stateName must be a string' })),
  resource: z.optional(workflowResourceSchema),
  askedBy: z.optional(z.enum(ASKING_KINDS, { error: `askedBy must be one of ${ASKING_KINDS.join(', ')}` })),
  // The asking step's whole `ask` decision: only these fields are kept.
  question: z.optional(askedQuestionSchema),
  /** Kind `incident-review` only, and required there: its page and email show this incident. */
  incidentId: z.optional(incidentIdField),
});

/**
 * assign-task: the Payload a waitForTaskToken state sends (the token, the step, the resource). An
 * incident review names its incident (two can be open on one resource at once), and no other kind
 * does: checked here, before anything is read, once every field is valid on its own.
 */
export const assignTaskInputSchema = assignTaskFields.check(
  z.refine((input) => input.kind !== 'incident-review' || input.incidentId !== undefined, {
    path: ['incidentId'],
    message: 'incidentId is required for an incident-review task (the incident it reviews)',
  }),
  z.refine((input) => input.kind === 'incident-review' || input.incidentId === undefined, {
    path: ['incidentId'],
    message: 'incidentId is only for an incident-review task',
  }),
);
export type AssignTaskInput = z.output<typeof assignTaskInputSchema>;

/** check-current-vetting: the step, and what the audit trail says when vetting runs as usual. */
export const checkCurrentVettingInputSchema = z.object({
  requestId: requestIdField,
  sopStep: sopStepField,
  /** What the audit trail says when the request is vetted as usual. */
  summary: text('summary', 500),
  /** The resource under review (after a replacement, the replacement) whose registry entry is read. */
  resource: workflowResourceSchema,
});
export type CheckCurrentVettingInput = z.output<typeof checkCurrentVettingInputSchema>;

/**
 * The steps that email a vendor contact (send-dpa, notify-vendor-ssl): a request id and the contact's
 * address (from the privacy review), plus each step's own fields. A payload that is not an object
 * reports each missing field.
 */
const vendorContact = {
  requestId: requiredText('is required'),
  vendorContactEmail: requiredText('is required').check(
    z.refine(isEmailAddress, 'must be a valid email address'),
  ),
};

export const sendDpaInputSchema = lenientObject({
  ...vendorContact,
  /** True in the annual renewal flow (SOP 17). */
  renewal: z.optional(z.boolean({ error: 'must be true or false' })),
  /**
   * The execution and its vetting round (SOP 11 starts vetting again for a replacement): together the
   * DPA email's outbox key, so a retry of the step finds the email it recorded instead of sending it again.
   */
  executionId: z.optional(requiredText('must be the execution id')),
  replacementCount: z.optional(
    z
      .int({ error: 'replacementCount must be a whole number' })
      .check(z.gte(0, 'replacementCount must not be negative')),
  ),
  /** The DPA wait's deadline: the vendor's upload link expires with it. */
  uploadExpiresInSeconds: z.optional(
    z
      .int({ error: 'uploadExpiresInSeconds must be a positive whole number of seconds' })
      .check(z.gt(0, 'uploadExpiresInSeconds must be a positive whole number of seconds')),
  ),
});

export const notifyVendorSslInputSchema = lenientObject({
  ...vendorContact,
  reason: requiredText('is required (why the SSL grade is substandard)'),
  grade: z.optional(z.nullable(z.string({ error: 'must be an SSL Labs grade such as B' }))),
  /** The execution the remediation belongs to: its window and re-test count are counted per execution. */
  executionId: z.optional(z.string({ error: 'must be the execution id' })),
  /** The failed scan's start: a retried notice for the same scan is not counted twice. */
  scanStartedAt: z.optional(z.string({ error: 'must be the scan start time' })),
});
export type SendDpaInput = z.output<typeof sendDpaInputSchema>;
export type NotifyVendorSslInput = z.output<typeof notifyVendorSslInputSchema>;

const changeText = (field: string) =>
  z.string({ error: `change.${field} is required` }).check(z.minLength(1, `change.${field} is required`));

/** A changed policy's new snapshot, or an unreachable page (shared/watch/types.ts). */
const policyChangeSchema = z.union([
  z.object({ url: changeText('url'), unreachable: z.literal(true) }),
  z.object({
    url: changeText('url'),
    finalUrl: changeText('finalUrl'),
    sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'change.sha256 must be a hex SHA-256')),
    key: z.string().check(z.startsWith('documents/', 'change.key must be a kept document key')),
    capturedAt: changeText('capturedAt'),
    bytes: z.number({ error: 'change.bytes must be a number' }).check(z.gte(0)),
  }),
]);

/** apply-policy-decision (resource-watch): Cybersecurity kept the resource, or asked to vet it again. */
export const applyPolicyDecisionInputSchema = z.object({
  requestId: requestIdField,
  resourceId: text('resourceId', 300),
  decision: z.enum(['still-acceptable', 're-vet'], { error: 'decision must be still-acceptable or re-vet' }),
  decidedBy: text('decidedBy', 300),
  decidedAt: text('decidedAt', 40),
  change: policyChangeSchema,
});
export type ApplyPolicyDecisionInput = z.output<typeof applyPolicyDecisionInputSchema>;

/** What a watch schedule sends (shared/watch/checks.ts WATCH_SCHEDULE_INPUT); other fields are ignored. */
export const watchScheduleInputSchema = z.object({
  scheduledTime: z.optional(z.string({ error: 'scheduledTime must be a time' })),
});
/** The resource-stewardship machine's steps name the resource by its registry id. */
const resourceIdField = text('resourceId', 300);

/** send-deletion-request: ask the vendor to delete the students' data (the ended approval's request). */
export const sendDeletionRequestInputSchema = z.object({
  requestId: requestIdField,
  resourceId: resourceIdField,
  /** The ended approval's decision time (the registry entry's deletion names it). */
  approvedOn: text('approvedOn', 40),
  /** How long the upload link stays open: the deletion-confirmation wait. */
  uploadExpiresInSeconds: z
    .int({ error: 'uploadExpiresInSeconds must be a positive whole number of seconds' })
    .check(z.gt(0, 'uploadExpiresInSeconds must be a positive whole number of seconds')),
});
export type SendDeletionRequestInput = z.output<typeof sendDeletionRequestInputSchema>;

/** What the resource-stewardship machine records at the end of a wait. */
export const STEWARDSHIP_OUTCOMES = [
  'deletion-confirmed',
  'deletion-overdue',
  'incident-reviewed',
  'incident-overdue',
] as const;
export type StewardshipOutcome = (typeof STEWARDSHIP_OUTCOMES)[number];

/** record-stewardship: the end of a deletion or incident wait (the task's decision, or its timeout). */
export const recordStewardshipInputSchema = z.object({
  requestId: requestIdField,
  resourceId: resourceIdField,
  outcome: z.enum(STEWARDSHIP_OUTCOMES, {
    error: `outcome must be one of ${STEWARDSHIP_OUTCOMES.join(', ')}`,
  }),
  incidentId: z.optional(text('incidentId', 100)),
  /** A deletion's ended approval (deletion-confirmed, deletion-overdue). */
  approvedOn: z.optional(text('approvedOn', 40)),
  /** The decision (deletion-confirmed, incident-reviewed): its time and who decided. */
  decision: z.optional(
    z.object({
      decidedAt: text('decision.decidedAt', 40),
      decidedBy: text('decision.decidedBy', 300),
    }),
  ),
});
export type RecordStewardshipInput = z.output<typeof recordStewardshipInputSchema>;
