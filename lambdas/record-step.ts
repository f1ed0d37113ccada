/**
 * Records a workflow milestone on the request (SOP 3, SOP 4 restart, SOP 17 end): sets
 * currentStep/currentActivity and appends a STEP audit event (shared/domain/record-step.ts).
 *
 * Input: RecordStepInput { requestId, sopStep, summary }. Output: {}. Env: TABLE_NAME.
 */
import { store } from '#shared/deps.ts';
import { type RecordStepDeps, recordStep as record } from '#shared/domain/record-step.ts';
import { workflowStep } from '#shared/lambda.ts';

export type { RecordStepDeps } from '#shared/domain/record-step.ts';

const step = workflowStep(record, (): RecordStepDeps => ({ store: store() }));

export const recordStep = step.run;
export const handler = step.handler;
