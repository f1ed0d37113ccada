/**
 * The annual-renewal state machine's first step (SOP 17): what is due this year for an approved
 * resource — a DPA renewal when a DPA was signed, an SSL re-test when it uses a website — and whom to
 * contact. A request that is not APPROVED has nothing to renew.
 *
 * Safe to run again (Step Functions retries it after a timeout, perhaps after its writes landed): the
 * retry finds the renewal IN_PROGRESS since moments ago, keeps that start time and appends the same
 * RENEWAL_STARTED event under the same key, which the store finds already there. Same plan, one line.
 */

import { logger } from '../core/logger.ts';
import type { RequestStore } from '../requests/index.ts';
import type { RenewalPlan, RenewalRecord, RequestOnlyInput } from '../workflow/index.ts';
import { invalid } from '../workflow/index.ts';
import { planRenewal as buildPlan, renewalWork } from './renewal.ts';

const SOP_STEP = 17;
/**
 * A renewal IN_PROGRESS since less than this is this step's own earlier attempt (its retries span a
 * few minutes); an older one is a renewal that never finished, and this one starts afresh.
 */
const RETRY_WINDOW_MS = 60 * 60_000;
/** The audit key of the start: with the start time, the same event on every attempt. */
const STARTED_KEY = 'renewal-started';

export interface PlanRenewalDeps {
  store: Pick<RequestStore, 'requireRequest' | 'appendAudit' | 'updateRequest'>;
  now: () => Date;
}

export async function planRenewal(input: RequestOnlyInput, deps: PlanRenewalDeps): Promise<RenewalPlan> {
  const { requestId } = input;
  const request = await deps.store.requireRequest(requestId);
  if (request.status !== 'APPROVED') {
    throw invalid('requestId', `Request ${requestId} is not approved; nothing to renew`);
  }
  const plan = buildPlan(request);
  const startedAt = startOf(request.renewal, deps.now());
  await deps.store.updateRequest(requestId, {
    renewal: { ...request.renewal, status: 'IN_PROGRESS', startedAt },
  });
  const work = renewalWork({ dpa: plan.dpaRenewalDue, ssl: plan.sslRetestDue });
  await deps.store.appendAudit(
    {
      requestId,
      at: startedAt,
      sopStep: SOP_STEP,
      type: 'RENEWAL_STARTED',
      summary: work ? `Annual renewal started: ${work}` : 'Annual renewal started: nothing applies any more',
      actor: 'workflow',
      detail: { dpaRenewalDue: plan.dpaRenewalDue, sslRetestDue: plan.sslRetestDue },
    },
    { key: STARTED_KEY },
  );
  logger.info('Renewal planned', {
    sopStep: SOP_STEP,
    dpaRenewalDue: plan.dpaRenewalDue,
    sslRetestDue: plan.sslRetestDue,
  });
  return plan;
}

/** When this renewal started: the earlier attempt's time when this is a retry, else now. */
function startOf(renewal: RenewalRecord | undefined, now: Date): string {
  const earlier = renewal?.status === 'IN_PROGRESS' ? renewal.startedAt : undefined;
  const age = earlier ? now.getTime() - Date.parse(earlier) : Number.NaN;
  return earlier && age >= 0 && age < RETRY_WINDOW_MS ? earlier : now.toISOString();
}
