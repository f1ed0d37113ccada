/**
 * The input of each state-machine step that workflowStep parses (shared/core/lambda.ts): one zod/mini
 * schema per step, and the step's input type is the schema's output. A bad payload is refused with one
 * message per field before anything is read or written.
 */
import * as z from 'zod/mini';
import { denialSchema, requestIdField, sopStepField } from './outcome.ts';

/** Steps that need only the request (plan-renewal, schedule-renewal). */
export const requestOnlyInputSchema = z.object({ requestId: requestIdField });
export type RequestOnlyInput = z.output<typeof requestOnlyInputSchema>;
export type ScheduleRenewalInput = RequestOnlyInput;

/** close-request: the outcome, and the denial when there is one (SOP 6, 9, 11, 16). */
export const closeRequestInputSchema = z.object({
  requestId: requestIdField,
  outcome: z.enum(['APPROVED', 'DENIED'], { error: 'outcome must be APPROVED or DENIED' }),
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
  status: z.enum(['APPROVED', 'NOT_APPROVED'], { error: 'status must be APPROVED or NOT_APPROVED' }),
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
