/**
 * One limit on SSL Labs across every execution (issue 22). SSL Labs allows each client a number of
 * assessments in flight (it announces it in `X-Max-Assessments`), answers 429 beyond it and bans
 * clients that keep ignoring it. Renewals fall on approval anniversaries, so hundreds of executions can
 * start their scans on the same day: each one alone cannot know how many the others have running.
 *
 * The limit is a pool of slots in one DynamoDB item (shared/vetting/ssl/slot-store.ts): a scan takes a
 * slot per host before it asks SSL Labs to start an assessment, and gives it back once that host has a
 * verdict. Taking slots is one conditional write (`inFlight <= max - wanted`), so concurrent callers
 * never push the count past the maximum. A scan that finds no room returns `slotWait` and the state
 * machine Waits the seconds it says (growing, with jitter) before it asks again; after MAX_SLOT_WAITS
 * waits it starts anyway (counted, over the limit: SSL Labs' own 429 answers are then the backstop),
 * so a renewal is never held back for good. Callers (the SSL check states, spot checks) use only this
 * file's API: `SslSlots`, `slotHolder`, `slotWaitSeconds`, `slotLeaseUntil`.
 *
 * Leases: every holder has a lease time. A scan renews its hosts' leases on every call, to the time of
 * its next call plus SLOT_LEASE_MARGIN_SECONDS (the longest the state machine can take to make that call:
 * a Lambda timeout and its retries). An execution that crashes, is stopped or fails into RecordError
 * stops renewing, and once its lease passes the next taker frees the slot (a conditional write on the
 * lease it saw, so two takers cannot free it twice).
 */

/** Slots before SSL Labs announced its maximum (the first answer carries `X-Max-Assessments`). */
export const DEFAULT_SLOT_MAX = 10;

/**
 * Added to a lease beyond the scan's next call: the SSL task's own timeout and its retries
 * (test/limits/aws-limits.test.ts checks it covers the ASL's Retry of the SSL tasks).
 */
export const SLOT_LEASE_MARGIN_SECONDS = 900;

/** The wait between two tries for a slot: FIRST × GROWTH^waits, at most MAX, plus up to as much jitter. */
export const SLOT_WAIT = { firstSeconds: 20, growth: 1.25, maxSeconds: 240 } as const;

/**
 * Waits for a slot before a scan starts without one. 80 waits last at least ~4.8 hours (a renewal
 * wave of 500 hosts at 25 in flight needs about 40 minutes) and add at most 80 × 9 history events
 * per scan (scripts/limits/asl.ts counts them).
 */
export const MAX_SLOT_WAITS = 80;

/** The slot pool's state, as acquire sees it. */
export interface SlotPoolView {
  inFlight: number;
  max: number;
}

export type SlotGrant = ({ granted: true } | { granted: false }) & SlotPoolView;

/** The limiter, as a scan uses it. Holders are `slotHolder(requestId, host)`. */
export interface SslSlots {
  /**
   * Takes a slot for every holder not yet holding one, all or none, each with a lease until
   * `leaseUntil` (epoch ms). `force` takes them even over the maximum (the wait cap was reached).
   * Holders that already hold a slot keep it (a retried call takes nothing twice).
   */
  acquire(holders: readonly string[], leaseUntil: number, options?: { force?: boolean }): Promise<SlotGrant>;
  /** Moves the holders' leases to `leaseUntil`; a holder whose slot was freed meanwhile is skipped. */
  renew(holders: readonly string[], leaseUntil: number): Promise<void>;
  /** Gives the holders' slots back; releasing a slot not held does nothing (idempotent). */
  release(holders: readonly string[]): Promise<void>;
  /** SSL Labs announced its maximum (`X-Max-Assessments`): the pool follows it. */
  learnMax(announced: number): Promise<void>;
}

/** One host's assessment of one request. */
export const slotHolder = (requestId: string, host: string): string => `${requestId} ${host}`;

/** Seconds to wait before try `waits + 1` for a slot: growing, with jitter so waiters spread out. */
export function slotWaitSeconds(waits: number, random: () => number = Math.random): number {
  const base = Math.min(SLOT_WAIT.maxSeconds, Math.round(SLOT_WAIT.firstSeconds * SLOT_WAIT.growth ** waits));
  return base + Math.floor(random() * base);
}

/** Bounds of all MAX_SLOT_WAITS waits together (jitter at 0 and at its largest), in seconds. */
export function slotWaitBounds(): { minSeconds: number; maxSeconds: number } {
  let minSeconds = 0;
  let maxSeconds = 0;
  for (let w = 0; w < MAX_SLOT_WAITS; w++) {
    minSeconds += slotWaitSeconds(w, () => 0);
    maxSeconds += slotWaitSeconds(w, () => 0.999_999);
  }
  return { minSeconds, maxSeconds };
}

/** A lease that lasts until the scan's next call (in `nextCallSeconds`) and its retries. */
export const slotLeaseUntil = (now: Date, nextCallSeconds: number): number =>
  now.getTime() + (nextCallSeconds + SLOT_LEASE_MARGIN_SECONDS) * 1000;

/** No limit: for tests and tools that do not exercise it. */
export const unlimitedSslSlots: SslSlots = {
  acquire: async () => ({ granted: true, inFlight: 0, max: Number.POSITIVE_INFINITY }),
  renew: async () => undefined,
  release: async () => undefined,
  learnMax: async () => undefined,
};
