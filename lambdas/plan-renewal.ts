/**
 * The annual-renewal state machine's first step (SOP 17): what is due this year for an approved
 * resource, and whom to contact (shared/domain/plan-renewal.ts).
 *
 * Input: { requestId }. Output: RenewalPlan. Env: TABLE_NAME.
 */
import { store } from '#shared/deps.ts';
import { type PlanRenewalDeps, planRenewal as plan } from '#shared/domain/plan-renewal.ts';
import { workflowStep } from '#shared/lambda.ts';

export type { PlanRenewalDeps } from '#shared/domain/plan-renewal.ts';

const step = workflowStep(plan, (): PlanRenewalDeps => ({ store: store() }));

export const planRenewal = step.run;
export const handler = step.handler;
