/**
 * The recovery sweep of recover-requests: the requests whose workflow never started
 * (request-recovery.ts), then the decisions claimed but never finished (decision-recovery.ts), then the
 * emails recorded in the outbox and never marked sent (outbox-recovery.ts). They are independent: a failing store in one (a TransientError, which stops that sweep) does not keep the
 * other from running; the first such error is thrown after both ran, so the invocation is seen to fail.
 */
import {
  type DecisionRecoveryDeps,
  type DecisionRecoveryResult,
  finishUndeliveredDecisions,
} from './decision-recovery.ts';
import { type OutboxRecoveryDeps, type OutboxRecoveryResult, sendUnsentEffects } from './outbox-recovery.ts';
import { type RecoveryDeps, type RecoveryResult, startUnstartedRequests } from './request-recovery.ts';

export type RecoverySweepDeps = Omit<RecoveryDeps, 'store' | 'now'> &
  Omit<DecisionRecoveryDeps, 'store'> & {
    store: RecoveryDeps['store'] & DecisionRecoveryDeps['store'] & OutboxRecoveryDeps['store'];
  };

/** The request ids by outcome (as before), the decisions' task ids and the outbox's emails by outcome. */
export interface RecoverySweepResult extends RecoveryResult {
  decisions: DecisionRecoveryResult;
  outbox: OutboxRecoveryResult;
}

export async function runRecoverySweep(deps: RecoverySweepDeps): Promise<RecoverySweepResult> {
  const errors: unknown[] = [];
  const requests = await startUnstartedRequests(deps).catch((error: unknown): RecoveryResult => {
    errors.push(error);
    return { started: [], alreadyRunning: [], failed: [] };
  });
  const decisions = await finishUndeliveredDecisions(deps).catch((error: unknown): DecisionRecoveryResult => {
    errors.push(error);
    return { delivered: [], followedUp: [], tooLate: [], failed: [] };
  });
  // Last: the two sweeps above record acknowledgements and decision emails of their own.
  const outbox = await sendUnsentEffects(deps).catch((error: unknown): OutboxRecoveryResult => {
    errors.push(error);
    return { sent: [], failed: [] };
  });
  if (errors.length > 0) throw errors[0];
  return { ...requests, decisions, outbox };
}
