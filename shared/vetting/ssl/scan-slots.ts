/**
 * The scan's side of the one SSL Labs limit (issue 22, shared/vetting/ssl/slots.ts): take a slot per
 * host before the start, or answer how long to wait; give slots back with verdicts and renew the
 * others' leases; follow the maximum SSL Labs announces. A pool that cannot be reached just now is a
 * wait (or a lease that settles itself), never a failed step.
 */
import { errorName, TransientError } from '../../core/errors.ts';
import { logger } from '../../core/logger.ts';
import type { RequestStore } from '../../requests/index.ts';
import type { SslHostProgress } from '../../workflow/index.ts';
import {
  MAX_SLOT_WAITS,
  type SlotGrant,
  type SslSlots,
  slotHolder,
  slotLeaseUntil,
  slotWaitSeconds,
} from './slots.ts';
import type { SslLabsCapacity } from './ssllabs-client.ts';

export function describeDuration(seconds: number): string {
  if (seconds % 60 === 0) {
    const minutes = seconds / 60;
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  return `${seconds} second${seconds === 1 ? '' : 's'}`;
}

const holdersOf = (requestId: string, hosts: readonly SslHostProgress[]) =>
  hosts.map((h) => slotHolder(requestId, h.host));

interface TakeDeps {
  slots: SslSlots;
  store: Pick<RequestStore, 'updateRequest'>;
  random?: () => number;
}

/**
 * The slots of every host still to test, or the answer to wait for them. After MAX_SLOT_WAITS waits
 * the scan takes them over the limit (and says so in the log): a renewal is never held back for good.
 */
export async function takeScanSlots(
  input: { requestId: string; hosts: readonly SslHostProgress[] },
  slotWait: { waits: number; queuedAt: Date } | undefined,
  now: Date,
  deps: TakeDeps,
): Promise<
  | { max: number }
  | {
      queued: {
        reason: string;
        waitSeconds: number;
        slotWait: { waits: number; queuedAt: string; waitSeconds: number };
      };
    }
> {
  const waiting = input.hosts.filter((h) => !h.finished);
  const waits = slotWait?.waits ?? 0;
  const force = waits >= MAX_SLOT_WAITS;
  let grant: SlotGrant | undefined;
  try {
    grant = await deps.slots.acquire(holdersOf(input.requestId, waiting), slotLeaseUntil(now, 0), { force });
  } catch (error) {
    // The pool could not be read or written just now (throttled, timed out): that is one more wait,
    // not a failed renewal.
    if (!(error instanceof TransientError)) throw error;
    logger.warn('SSL Labs slots unavailable; waiting', { errorName: errorName(error), waits });
  }
  if (grant?.granted) {
    if (force) {
      logger.warn('SSL Labs slots taken over the limit after the longest wait', {
        waits,
        inFlight: grant.inFlight,
        max: grant.max,
      });
    }
    return { max: grant.max };
  }
  const waitSeconds = slotWaitSeconds(waits, deps.random);
  const names = waiting.map((h) => h.host).join(', ');
  const busy = grant ? `${grant.inFlight} of its ${grant.max} assessments are in flight` : 'no slot yet';
  const reason = `Waiting for SSL Labs: ${busy}; the test of ${names} starts in about ${describeDuration(waitSeconds)}`;
  // Said once on the request: every later wait would be one more write per wait and execution.
  if (waits === 0) await deps.store.updateRequest(input.requestId, { currentActivity: reason.slice(0, 900) });
  return {
    queued: {
      reason,
      waitSeconds,
      slotWait: { waits: waits + 1, queuedAt: (slotWait?.queuedAt ?? now).toISOString(), waitSeconds },
    },
  };
}

/** Gives back the slots of hosts with a verdict; the others' leases last until the next call. */
export async function settleScanSlots(
  requestId: string,
  result: { finished: boolean; hosts: readonly SslHostProgress[]; nextPollSeconds: number },
  now: Date,
  slots: SslSlots,
): Promise<void> {
  const done = result.finished ? result.hosts : result.hosts.filter((h) => h.finished);
  const running = result.finished ? [] : result.hosts.filter((h) => !h.finished);
  try {
    if (done.length > 0) await slots.release(holdersOf(requestId, done));
    if (running.length > 0) {
      await slots.renew(holdersOf(requestId, running), slotLeaseUntil(now, result.nextPollSeconds));
    }
  } catch (error) {
    // The scan's own step succeeded and is recorded: a slot not given back frees itself when its lease
    // passes, and a lease not renewed only leaves the assessment uncounted.
    if (!(error instanceof TransientError)) throw error;
    logger.warn('SSL Labs slots not settled; their leases will', { errorName: errorName(error) });
  }
}

/** SSL Labs announced a maximum other than the pool's (seen on the start call): the pool follows it. */
export async function learnSlotMax(
  poolMax: number | undefined,
  capacity: SslLabsCapacity | undefined,
  slots: SslSlots,
): Promise<void> {
  const announced = capacity?.maxAssessments;
  if (poolMax === undefined || announced === undefined || announced === poolMax) return;
  try {
    await slots.learnMax(announced);
  } catch (error) {
    // Learnt again by the next scan.
    if (!(error instanceof TransientError)) throw error;
  }
}
