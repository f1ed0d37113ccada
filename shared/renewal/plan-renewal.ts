/**
 * The annual-renewal state machine's first step (SOP 17): what is due this year for an approved
 * resource — a DPA renewal when a DPA was signed, an SSL re-test when it uses a website — and whom to
 * contact. A request that is not APPROVED has nothing to renew.
 */

import { logger } from '../core/logger.ts';
import type { RequestStore } from '../requests/index.ts';
import type { RenewalPlan, RequestOnlyInput } from '../workflow/index.ts';
import { invalid } from '../workflow/index.ts';
import { planRenewal as buildPlan, renewalWork } from './renewal.ts';

const SOP_STEP = 17;

export interface PlanRenewalDeps {
  store: Pick<RequestStore, 'requireRequest' | 'appendAudit' | 'updateRequest'>;
}

export async function planRenewal(input: RequestOnlyInput, deps: PlanRenewalDeps): Promise<RenewalPlan> {
  const { requestId } = input;
  const request = await deps.store.requireRequest(requestId);
  if (request.status !== 'APPROVED') {
    throw invalid('requestId', `Request ${requestId} is not approved; nothing to renew`);
  }
  const plan = buildPlan(request);
  await deps.store.updateRequest(requestId, { renewal: { ...request.renewal, status: 'IN_PROGRESS' } });
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
