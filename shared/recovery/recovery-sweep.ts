/**
 * The recovery sweep of recover-requests: the requests whose workflow never started
 * (request-recovery.ts), then the decisions claimed but never finished (decision-recovery.ts), then the
 * data incidents whose review never started (incident-recovery.ts), then the emails recorded in the
 * outbox and never marked sent (outbox-recovery.ts). They are independent: a failing store in one (a
 * TransientError, which stops that sweep) does not keep the others from running; the first such error
 * is thrown after all ran, so the invocation is seen to fail.
 */
import { fieldOf } from '../core/guards.ts';
import {
  type DecisionRecoveryDeps,
  type DecisionRecoveryResult,
  finishUndeliveredDecisions,
} from './decision-recovery.ts';
import {
  type IncidentRecoveryDeps,
  type IncidentRecoveryResult,
  startUnstartedIncidentReviews,
} from './incident-recovery.ts';
import { type OutboxRecoveryDeps, type OutboxRecoveryResult, sendUnsentEffects } from './outbox-recovery.ts';
import { type RecoveryDeps, type RecoveryResult, startUnstartedRequests } from './request-recovery.ts';

export type RecoverySweepDeps = Omit<RecoveryDeps, 'store' | 'now'> &
  Omit<DecisionRecoveryDeps, 'store'> &
  Omit<IncidentRecoveryDeps, 'store'> & {
    store: RecoveryDeps['store'] &
      DecisionRecoveryDeps['store'] &
      IncidentRecoveryDeps['store'] &
      OutboxRecoveryDeps['store'];
  };

/**
 * The request ids by outcome (as before), the decisions' task ids, the incidents' ids and the outbox's
 * emails by outcome.
 */
export interface RecoverySweepResult extends RecoveryResult {
  decisions: DecisionRecoveryResult;
  incidents: IncidentRecoveryResult;
  outbox: OutboxRecoveryResult;
}

/**
 * `restartedAt`: the local runtime restarted then (the scheduled event's detail says so), so whatever
 * was written before is a dead process's: a request or incident stored, a decision claimed or an email
 * recorded before it is swept at once instead of after the minute's cut-off (which only guards against
 * racing a live sender).
 * AWS's schedule sends no such detail: Lambdas of other functions may be alive at any time.
 */
export function restartedAtOf(event: unknown, now: Date): Date | undefined {
  const detail = fieldOf(event, 'detail');
  const at = fieldOf(detail, 'restartedAt');
  if (typeof at !== 'string') return undefined;
  const date = new Date(at);
  return Number.isNaN(date.getTime()) || date > now ? undefined : date;
}

export async function runRecoverySweep(
  deps: RecoverySweepDeps,
  { restartedAt }: { restartedAt?: Date } = {},
): Promise<RecoverySweepResult> {
  const errors: unknown[] = [];
  const options = restartedAt ? { restartedAt } : {};
  // Each sweep on its own: a failing one reports nothing done, and its error is thrown after the rest.
  const independently = <T>(sweep: Promise<T>, nothingDone: T): Promise<T> =>
    sweep.catch((error: unknown) => {
      errors.push(error);
      return nothingDone;
    });
  const requests = await independently<RecoveryResult>(startUnstartedRequests(deps, options), {
    started: [],
    alreadyRunning: [],
    failed: [],
  });
  const decisions = await independently<DecisionRecoveryResult>(finishUndeliveredDecisions(deps, options), {
    delivered: [],
    followedUp: [],
    tooLate: [],
    failed: [],
  });
  const incidents = await independently<IncidentRecoveryResult>(
    startUnstartedIncidentReviews(deps, options),
    { started: [], failed: [] },
  );
  // Last: the request and decision sweeps record acknowledgements and decision emails of their own.
  const outbox = await independently<OutboxRecoveryResult>(sendUnsentEffects(deps, options), {
    sent: [],
    failed: [],
  });
  if (errors.length > 0) throw errors[0];
  return { ...requests, decisions, incidents, outbox };
}
