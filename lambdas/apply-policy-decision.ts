/**
 * resource-watch: what Cybersecurity's `still-acceptable` or `re-vet` answer to a changed privacy
 * policy does (shared/watch/policy-decision.ts). `revoke` goes through publish-status.
 *
 * Input: ApplyPolicyDecisionInput { requestId, resourceId, decision, decidedBy, decidedAt, change }.
 * Output: { snapshotKept, revetting }.
 * Env: TABLE_NAME, RENEWAL_STATE_MACHINE_ARN.
 * IAM: the table (shared/core/store/access.ts); states:StartExecution on the annual renewal machine.
 */
import { workflowStep } from '#shared/core/lambda.ts';
import { policyDecisionDeps } from '#shared/deps.ts';
import { applyPolicyDecision } from '#shared/watch/policy-decision.ts';
import { applyPolicyDecisionInputSchema } from '#shared/workflow/step-inputs.ts';

const step = workflowStep(applyPolicyDecisionInputSchema, applyPolicyDecision, policyDecisionDeps);

export const applyDecision = step.run;
export const handler = step.handler;
