/**
 * The annual-renewal state machine's first step (SOP 17): what is due this year for an approved
 * resource, and whom to contact (shared/renewal/plan-renewal.ts).
 *
 * Input: { requestId }. Output: RenewalPlan. Env: TABLE_NAME.
 */

import { workflowStep } from '#shared/core/lambda.ts';
import { now, store } from '#shared/deps.ts';
import { type PlanRenewalDeps, planRenewal as plan } from '#shared/renewal/plan-renewal.ts';
import { requestOnlyInputSchema } from '#shared/workflow/step-inputs.ts';

export type { PlanRenewalDeps } from '#shared/renewal/plan-renewal.ts';

const step = workflowStep(requestOnlyInputSchema, plan, (): PlanRenewalDeps => ({ store: store(), now }));

export const planRenewal = step.run;
export const handler = step.handler;
