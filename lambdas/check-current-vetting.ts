/**
 * SOP 3 (and SOP 11 → 4 after a replacement): begins security vetting, or records steps 3–6 as
 * satisfied by the earlier request whose current vetting of the same resource covers this one
 * (shared/vetting/current-vetting.ts).
 *
 * Input: CheckCurrentVettingInput { requestId, sopStep, summary, resource }.
 * Output: CheckCurrentVettingOutput { reused, reusedFrom?, reason }. Env: TABLE_NAME.
 */

import { workflowStep } from '#shared/core/lambda.ts';
import { now, store } from '#shared/deps.ts';
import {
  type CheckCurrentVettingDeps,
  checkCurrentVetting as check,
} from '#shared/vetting/current-vetting.ts';
import { checkCurrentVettingInputSchema } from '#shared/workflow/step-inputs.ts';

export type { CheckCurrentVettingDeps } from '#shared/vetting/current-vetting.ts';

const step = workflowStep(
  checkCurrentVettingInputSchema,
  check,
  (): CheckCurrentVettingDeps => ({ store: store(), reports: store(), now }),
);

export const checkCurrentVetting = step.run;
export const handler = step.handler;
