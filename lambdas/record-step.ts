/**
 * Records a workflow milestone on the request: SOP 3 "assigned to the Cybersecurity team to begin
 * security vetting", SOP 4 restart after a replacement, SOP 17 end of the annual renewal.
 * Sets currentStep/currentActivity and appends a STEP audit event. Returns {}.
 */
import * as z from 'zod/mini';
import { dynamoDb } from '#shared/aws/clients.ts';
import { readTableName } from '#shared/config.ts';
import { parsePayload, requestIdField, sopStepField } from '#shared/domain/outcome.ts';
import type { RecordStepInput } from '#shared/domain/workflow.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { logger } from '#shared/logger.ts';
import { once } from '#shared/once.ts';
import { WorkflowStore } from '#shared/store/store.ts';

export interface RecordStepDeps {
  store: WorkflowStore;
}

const payloadSchema = z.object({
  requestId: requestIdField,
  sopStep: sopStepField,
  summary: z
    .string({ error: 'summary is required' })
    .check(z.trim(), z.minLength(1, 'summary is required'), z.maxLength(500, 'summary is too long')),
});

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once(
  (): RecordStepDeps => ({ store: new WorkflowStore({ tableName: readTableName(), client: dynamoDb }) }),
);

export async function recordStep(
  input: unknown,
  deps: RecordStepDeps = defaultDeps(),
): Promise<Record<string, never>> {
  const { requestId, sopStep, summary } = parsePayload(payloadSchema, input);
  await deps.store.updateRequest(requestId, { currentStep: sopStep, currentActivity: summary });
  await deps.store.appendAudit({ requestId, sopStep, type: 'STEP', summary, actor: 'workflow' });
  logger.info('Step recorded', { sopStep });
  return {};
}

export const handler = workflowHandler((input: RecordStepInput) => recordStep(input));
