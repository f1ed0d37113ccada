/**
 * The annual-renewal state machine's first step (SOP 17): what is due this year for an approved
 * resource — a DPA renewal when a DPA was signed, an SSL re-test when it uses a website — and whom to
 * contact. A request that is not APPROVED has nothing to renew.
 */
import * as z from 'zod/mini';
import { dynamoDb } from '#shared/aws/clients.ts';
import { readTableName } from '#shared/config.ts';
import { invalid, parsePayload, requestIdField } from '#shared/domain/outcome.ts';
import { planRenewal as buildPlan, renewalWork } from '#shared/domain/renewal.ts';
import type { RenewalPlan } from '#shared/domain/workflow.ts';
import { workflowHandler } from '#shared/lambda.ts';
import { logger } from '#shared/logger.ts';
import { once } from '#shared/once.ts';
import { WorkflowStore } from '#shared/store/store.ts';

const SOP_STEP = 17;

export interface PlanRenewalDeps {
  store: WorkflowStore;
}

const payloadSchema = z.object({ requestId: requestIdField });

/** Built on first use, then reused for the container's life (config is read and validated once). */
const defaultDeps = once(
  (): PlanRenewalDeps => ({ store: new WorkflowStore({ tableName: readTableName(), client: dynamoDb }) }),
);

export async function planRenewal(
  input: unknown,
  deps: PlanRenewalDeps = defaultDeps(),
): Promise<RenewalPlan> {
  const { requestId } = parsePayload(payloadSchema, input);
  const request = await deps.store.requireRequest(requestId);
  if (request.status !== 'APPROVED') {
    throw invalid('requestId', `Request ${requestId} is not approved; nothing to renew`);
  }
  const plan = buildPlan(request);
  const work = renewalWork({ dpa: plan.dpaRenewalDue, ssl: plan.sslRetestDue });
  await deps.store.appendAudit({
    requestId,
    sopStep: SOP_STEP,
    type: 'RENEWAL_STARTED',
    summary: work ? `Annual renewal started: ${work}` : 'Annual renewal started: nothing applies any more',
    actor: 'workflow',
    detail: { dpaRenewalDue: plan.dpaRenewalDue, sslRetestDue: plan.sslRetestDue },
  });
  logger.info('Renewal planned', {
    sopStep: SOP_STEP,
    dpaRenewalDue: plan.dpaRenewalDue,
    sslRetestDue: plan.sslRetestDue,
  });
  return plan;
}

export const handler = workflowHandler((input: { requestId: string }) => planRenewal(input));
