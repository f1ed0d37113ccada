/**
 * The input of each state-machine step that workflowStep parses (shared/core/lambda.ts): one zod/mini
 * schema per step, and the step's input type is the schema's output. A bad payload is refused with one
 * message per field before anything is read or written.
 */
import * as z from 'zod/mini';
import { keysOf } from '../core/guards.ts';
import { isEmailAddress } from '../core/text/email-address.ts';
import {
  denialSchema,
  lenientObject,
  OUTCOMES,
  REGISTRY_STATUSES,
  requestIdField,
  requiredText,
  sopStepField,
} from './fields.ts';
import { workflowResourceSchema } from './request-schema.ts';
import { ASKING_KINDS, type AskingKind, TASK_KINDS } from './task-kinds.ts';
import { MAX_WEBSITES, websiteHost } from './websites.ts';

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

/** assign-task: the Payload a waitForTaskToken state sends (the token, the step, the resource). */
export const assignTaskInputSchema = z.object({
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
});
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

// ---- check-ssl: the scan's state, carried from one call to the next ------------------------------

const NOT_A_WEBSITE = 'must be a full http(s) address or host name, e.g. https://example.com';
const NOT_A_TIME = 'must be an ISO 8601 timestamp';
const NOT_A_COUNT = 'must be a non-negative integer';

const count = z.int({ error: NOT_A_COUNT }).check(z.gte(0, NOT_A_COUNT));
/** A website as its host name (a full http(s) address or a bare name is accepted). */
const hostName = z.pipe(
  requiredText('is required (the website to test)'),
  z.pipe(z.transform(websiteHost), z.string().check(z.minLength(1, NOT_A_WEBSITE))),
);

export const sslEndpointGradeSchema = z.object({
  ipAddress: z.string(),
  grade: z.optional(z.string()),
  statusMessage: z.optional(z.string()),
  /** The host the endpoint serves (several websites per request). */
  host: z.optional(z.string()),
});
export type SslEndpointGrade = z.output<typeof sslEndpointGradeSchema>;

/** One host of a scan: how far its assessment is, and its verdict once it has one. */
export const sslHostProgressSchema = z.object({
  host: hostName,
  /** Calls SSL Labs answered for the current assessment of this host (0: start it next). */
  polls: count,
  /** Assessments restarted automatically after SSL Labs ended one in ERROR. */
  errorRetries: count,
  finished: z.boolean(),
  passed: z.boolean(),
  /** The worst grade of the host's endpoints, when every endpoint was graded. */
  grade: z.optional(z.string()),
  reason: z.string(),
  /** Seconds this host asks to wait before its next poll (the scan waits the shortest). */
  nextPollSeconds: z.optional(z.number()),
});
export type SslHostProgress = z.output<typeof sslHostProgressSchema>;

/** A host's progress in the state; a finished host also carries its endpoints until the scan ends. */
const sslHostStateSchema = z.extend(sslHostProgressSchema, {
  endpoints: z.optional(z.array(sslEndpointGradeSchema)),
});
export type SslHostState = z.output<typeof sslHostStateSchema>;

/**
 * check-ssl: the websites to test on the first call; on later calls, the scan's start, its poll count
 * and each host's progress as the previous call returned them.
 */
export const checkSslInputSchema = lenientObject({
  requestId: requiredText('is required'),
  /** The host names (or http(s) addresses) to test; every distinct host is tested. */
  websites: z.optional(
    z
      .array(hostName)
      .check(
        z.minLength(1, 'must name at least one website'),
        z.maxLength(MAX_WEBSITES, `must name at most ${MAX_WEBSITES} websites`),
      ),
  ),
  /** One website (the older single-host form; `websites` wins when both are given). */
  url: z.optional(hostName),
  /** Each host's progress, as the previous call returned it (absent on the first call). */
  hosts: z.optional(
    z.nullable(z.array(sslHostStateSchema).check(z.maxLength(MAX_WEBSITES, 'too many hosts'))),
  ),
  /** Absent on the first call: the scan is started (startNew=on). */
  startedAt: z.optional(
    z.nullable(
      z.pipe(
        z.string({ error: NOT_A_TIME }),
        z.pipe(
          z.transform((t: string) => new Date(t)),
          z.date({ error: NOT_A_TIME }),
        ),
      ),
    ),
  ),
  polls: z.optional(z.nullable(count)),
}).check(
  // Checked once every field is valid, so that a bad payload is told only what is wrong with it.
  z.refine(
    (input) => (input.hosts?.length ?? 0) > 0 || input.websites !== undefined || input.url !== undefined,
    {
      path: ['websites'],
      message: 'websites is required (the websites to test)',
      when: (payload) => payload.issues.length === 0,
    },
  ),
);
/** What the state machine sends check-ssl (times as ISO strings). */
export type CheckSslInput = z.input<typeof checkSslInputSchema>;
/** What check-ssl's scan receives: host names, the start as a Date. */
export type CheckSslRequest = z.output<typeof checkSslInputSchema>;
