/**
 * Records a workflow milestone on the request: SOP 3 "assigned to the Cybersecurity team to begin
 * security vetting", SOP 4 restart after a replacement, SOP 17 end of the annual renewal.
 * Sets currentStep/currentActivity and appends a STEP audit event. Returns {}.
 */
import * as z from 'zod/mini';
import { logger } from '../logger.ts';
import type { WorkflowStore } from '../store/store.ts';
import { parsePayload, requestIdField, sopStepField } from './outcome.ts';

export interface RecordStepDeps {
  store: Pick<WorkflowStore, 'updateRequest' | 'appendAudit'>;
}

const payloadSchema = z.object({
  requestId: requestIdField,
  sopStep: sopStepField,
  summary: z
    .string({ error: 'summary is required' })
    .check(z.trim(), z.minLength(1, 'summary is required'), z.maxLength(500, 'summary is too long')),
});

export async function recordStep(input: unknown, deps: RecordStepDeps): Promise<Record<string, never>> {
  const { requestId, sopStep, summary } = parsePayload(payloadSchema, input);
  await deps.store.updateRequest(requestId, { currentStep: sopStep, currentActivity: summary });
  await deps.store.appendAudit({ requestId, sopStep, type: 'STEP', summary, actor: 'workflow' });
  logger.info('Step recorded', { sopStep });
  return {};
}
