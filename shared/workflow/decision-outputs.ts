/**
 * What the state machine receives from SendTaskSuccess, per task kind: one zod/mini schema each, and
 * its type is the schema's. `comment` is always a string. The tasks feature builds these from a
 * validated form (shared/tasks/decisions/parse.ts); the ASL's Choice states read their fields.
 */
import * as z from 'zod/mini';
import type { WorkflowResource } from './payloads.ts';

const common = { comment: z.string(), decidedBy: z.string(), decidedAt: z.string() };

export const decisionOutputBaseSchema = z.object({ decision: z.string(), ...common });
export type DecisionOutputBase = z.infer<typeof decisionOutputBaseSchema>;

export const privacyReviewOutputSchema = z.object({
  decision: z.enum(['acceptable', 'unacceptable']),
  ...common,
  studentDataRequired: z.boolean(),
  vendorContactEmail: z.string(),
  /**
   * SOP 5: the host names Cybersecurity named as the websites the resource uses (prefilled with the
   * request's link; empty when no website is involved). Every one is SSL-tested.
   */
  websites: z.array(z.string()),
  /**
   * The privacy policy addresses Cybersecurity reviewed: a copy of each is kept as evidence (and later
   * watched for changes). Optional: reviews recorded before the field existed have none.
   */
  privacyPolicyUrls: z.optional(z.array(z.string())),
  /** The vendor's subprocessors, as the public page lists them (state laws ask for them). */
  subprocessors: z.optional(z.array(z.string())),
});
export type PrivacyReviewOutput = z.infer<typeof privacyReviewOutputSchema>;

/** SOP 5-6: Cybersecurity's answer while the vendor remediates a substandard SSL grade. */
export const sslRemediationOutputSchema = z.object({ decision: z.enum(['retest', 'deny']), ...common });
export type SslRemediationOutput = z.infer<typeof sslRemediationOutputSchema>;

/** Between renewals (issue 22): Cybersecurity's answer to a changed (or unreachable) privacy policy. */
export const policyChangeOutputSchema = z.object({
  decision: z.enum(['still-acceptable', 're-vet', 'revoke']),
  ...common,
});
export type PolicyChangeOutput = z.infer<typeof policyChangeOutputSchema>;

export const dpaSignatureOutputSchema = z.object({
  decision: z.enum(['signed', 'refused']),
  ...common,
  dpaExpiresOn: z.optional(z.string()),
});
export type DpaSignatureOutput = z.infer<typeof dpaSignatureOutputSchema>;

export const replacementOutputSchema = z.object({
  decision: z.enum(['replacement-found', 'no-replacement']),
  ...common,
  /** Built from the validated replacement fields (toWorkflowResource), never parsed from outside. */
  resource: z.optional(z.custom<WorkflowResource>()),
});
export type ReplacementOutput = z.infer<typeof replacementOutputSchema>;

export const procurementOutputSchema = z.object({
  decision: z.literal('po-issued'),
  ...common,
  poNumber: z.string(),
  amount: z.number(),
  quoteReference: z.string(),
});
export type ProcurementOutput = z.infer<typeof procurementOutputSchema>;

/** The licence key itself never enters the execution history: it stays (masked on pages) in DynamoDB. */
export const licenseOutputSchema = z.object({
  decision: z.literal('license-stored'),
  ...common,
  licenseReference: z.string(),
  seats: z.number(),
  expiresOn: z.string(),
});
export type LicenseOutput = z.infer<typeof licenseOutputSchema>;

/** A review asked a question instead of deciding: the flow waits for the reply, then asks again. */
export const askOutputSchema = z.object({
  decision: z.literal('ask'),
  ...common,
  question: z.string(),
  recipient: z.enum(['requester', 'vendor']),
  /** Privacy review only, when the vendor is asked. */
  vendorContactEmail: z.optional(z.string()),
});
export type AskOutput = z.infer<typeof askOutputSchema>;

/** SOP 3/7: the review that saw the request says it belongs to the other approval review. */
export const rerouteOutputSchema = z.object({ decision: z.literal('reroute'), ...common });
export type RerouteOutput = z.infer<typeof rerouteOutputSchema>;

/** The requester's or vendor's reply to a question. */
export const answerOutputSchema = z.object({
  decision: z.literal('answered'),
  ...common,
  answer: z.string(),
});
export type AnswerOutput = z.infer<typeof answerOutputSchema>;
