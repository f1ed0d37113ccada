/**
 * The end of a resource-stewardship wait: a deletion confirmed (the registry shows "deletion
 * confirmed on") or overdue, an incident reviewed or overdue (shared/stewardship/deletion.ts).
 *
 * Input: RecordStewardshipInput { requestId, resourceId, outcome, incidentId?, approvedOn?, decision? }.
 * Env: TABLE_NAME.
 */
import { workflowStep } from '#shared/core/lambda.ts';
import { now, store } from '#shared/deps.ts';
import { type RecordStewardshipDeps, recordStewardship as record } from '#shared/stewardship/deletion.ts';
import { recordStewardshipInputSchema } from '#shared/workflow/step-inputs.ts';

const step = workflowStep(
  recordStewardshipInputSchema,
  record,
  (): RecordStewardshipDeps => ({ store: store(), now }),
);

export const recordStewardship = step.run;
export const handler = step.handler;
