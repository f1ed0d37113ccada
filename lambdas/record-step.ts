/**
 * Records a workflow milestone on the request (SOP 3, SOP 4 restart, SOP 17 end): sets
 * currentStep/currentActivity and appends a STEP audit event (shared/domain/record-step.ts).
 *
 * Input: RecordStepInput { requestId, sopStep, summary }. Output: {}. Env: TABLE_NAME.
 */
import { store } from '#shared/deps.ts';
import { type RecordStepDeps, recordStep as record } from '#shared/domain/record-step.ts';
import type { RecordStepInput } from '#shared/domain/workflow.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export type { RecordStepDeps } from '#shared/domain/record-step.ts';

const defaultDeps = once((): RecordStepDeps => ({ store: store() }));

export async function recordStep(
  input: unknown,
  deps: RecordStepDeps = defaultDeps(),
): Promise<Record<string, never>> {
  return record(input, deps);
}

export const handler = workflowHandler((input: RecordStepInput) => recordStep(input));
