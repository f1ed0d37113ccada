/**
 * Shared pieces of the reliability suite: the seed, form encoding of a request, the DynamoDB write
 * counter (a `faults.dynamodb` predicate that records every operation and fails none), and the
 * Retry interval overrides that keep injected-fault runs fast.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FaultPredicate } from '#local/runtime.ts';
import { isRecord } from '#shared/core/guards.ts';

/** One seed for every generator and every injected fault; RELIABILITY_SEED replays another run. */
export const SEED = Number(process.env.RELIABILITY_SEED ?? 535_2026);

/** A small deterministic PRNG (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

/** Counts the handlers' DynamoDB calls by operation; never fails one. */
export class OperationCounter {
  readonly seen = new Map<string, number>();
  readonly predicate: FaultPredicate = (operation) => {
    this.seen.set(operation, (this.seen.get(operation) ?? 0) + 1);
    return false;
  };

  get writes(): number {
    let n = 0;
    for (const [op, count] of this.seen) if (WRITE_OPERATIONS.has(op)) n += count;
    return n;
  }

  reset(): void {
    this.seen.clear();
  }
}

/** The request as the HTML form sends it (lists comma-separated, booleans yes/no), URL-encoded. */
export function formBody(body: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) form.set(k, v.join(', '));
    else if (typeof v === 'boolean') form.set(k, v ? 'yes' : 'no');
    else form.set(k, String(v));
  }
  return form.toString();
}

/** Every Task state of both state machines retried after `ms` instead of seconds. */
export function fastRetries(ms = 20): Record<string, number> {
  const out: Record<string, number> = {};
  for (const file of ['statemachine/software-request.asl.json', 'statemachine/annual-renewal.asl.json']) {
    const def = JSON.parse(readFileSync(file, 'utf8')) as { States: Record<string, { Type: string }> };
    for (const [name, state] of Object.entries(def.States)) if (state.Type === 'Task') out[name] = ms;
  }
  return out;
}

/** Polls until `probe` returns a value other than undefined, or throws after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A data folder on tmpfs when the machine has one: the runtime fsyncs every email, execution event
 * and table write, and on a shared disk those waits, not the product, would set the pace. A kill -9
 * loses nothing that reached the page cache either way (only a power cut would), so the crash
 * figures mean the same.
 */
export function fastDataDir(label: string): string {
  const root = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  return mkdtempSync(join(root, `reliability-${label}-`));
}

/** How many rounds sweepUntilDone runs at most: each sweep finishes up to 50 decisions and 100 requests. */
const MAX_SWEEPS = 10;

/**
 * Runs the recovery sweep as its schedule would over the following hours (every 15 minutes on AWS):
 * again while a round still found work (a round finishes at most DEFAULT_DECISION_SWEEP_LIMIT decisions
 * and DEFAULT_SWEEP_LIMIT requests). The number of rounds it took.
 */
export async function sweepUntilDone(runtime: {
  runScheduledFunctions(): Promise<Record<string, unknown>>;
}): Promise<number> {
  for (let round = 1; round <= MAX_SWEEPS; round++) {
    const out = await runtime.runScheduledFunctions();
    const sweep = out['recover-requests'];
    const decisions = isRecord(sweep) ? sweep.decisions : undefined;
    const outbox = isRecord(sweep) ? sweep.outbox : undefined;
    const handled = [
      ...listOf(isRecord(sweep) ? sweep.started : undefined),
      ...listOf(isRecord(outbox) ? outbox.sent : undefined),
      ...(isRecord(decisions)
        ? [decisions.delivered, decisions.followedUp, decisions.tooLate].flatMap(listOf)
        : []),
    ];
    if (handled.length === 0) return round;
  }
  return MAX_SWEEPS;
}

const listOf = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
