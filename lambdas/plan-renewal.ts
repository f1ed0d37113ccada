/**
 * The annual-renewal state machine's first step (SOP 17): what is due this year for an approved
 * resource, and whom to contact (shared/domain/plan-renewal.ts).
 *
 * Input: { requestId }. Output: RenewalPlan. Env: TABLE_NAME.
 */
import { store } from '#shared/deps.ts';
import { type PlanRenewalDeps, planRenewal as plan } from '#shared/domain/plan-renewal.ts';
import type { RenewalPlan } from '#shared/domain/workflow.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { once } from '#shared/once.ts';

export type { PlanRenewalDeps } from '#shared/domain/plan-renewal.ts';

const defaultDeps = once((): PlanRenewalDeps => ({ store: store() }));

export async function planRenewal(
  input: unknown,
  deps: PlanRenewalDeps = defaultDeps(),
): Promise<RenewalPlan> {
  return plan(input, deps);
}

export const handler = workflowHandler((input: { requestId: string }) => planRenewal(input));
