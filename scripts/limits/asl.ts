/**
 * The worst legal execution of an ASL definition (scripts/aws-limits.ts): every state's cost in
 * seconds, history events and transitions, loops bounded by their guards.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deadlineDaysFromContext } from '#shared/config.ts';
import { DEFAULT_DEADLINE_DAYS, type DeadlineDays, resolveDeadlines } from '#shared/domain/deadlines.ts';
import { FUNCTIONS, lambdaTimeoutSeconds, STATE_MACHINES } from '#shared/functions.ts';
import { maxScanCalls } from '#shared/ssl/scan.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

const DAY = 86_400;
/** The longest an execution may last (a margin under Step Functions' one year; scripts/aws-limits.ts). */
export const EXECUTION_TARGET_SECONDS = 330 * DAY;
/** The largest SSL wait cap cdk/config.ts accepts (sslMaxWaitSeconds). */
export const SSL_MAX_WAIT_SECONDS_LIMIT = 86_400;

/** A failed attempt of any Lambda call lasts at most Lambda's own maximum timeout. */
const LAMBDA_MAX_SECONDS = 900;

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}
interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  TimeoutSeconds?: number;
  Seconds?: number;
  SecondsPath?: string;
  Choices?: { Next: string; Variable?: string; NumericGreaterThanEquals?: number }[];
  Catch?: { Next: string }[];
  Retry?: Retrier[];
  Parameters?: { FunctionName?: string };
}
export interface Definition {
  StartAt: string;
  States: Record<string, State>;
}

export interface Cost {
  seconds: number;
  events: number;
  transitions: number;
}
const ZERO: Cost = { seconds: 0, events: 0, transitions: 0 };
const add = (a: Cost, b: Cost): Cost => ({
  seconds: a.seconds + b.seconds,
  events: a.events + b.events,
  transitions: a.transitions + b.transitions,
});
const times = (a: Cost, n: number): Cost => ({
  seconds: a.seconds * n,
  events: a.events * n,
  transitions: a.transitions * n,
});
const max = (a: Cost, b: Cost): Cost => ({
  seconds: Math.max(a.seconds, b.seconds),
  events: Math.max(a.events, b.events),
  transitions: Math.max(a.transitions, b.transitions),
});

const WAITS_FOR_TOKEN = '.waitForTaskToken';

/**
 * One state, entered once, in its worst legal case. History events as Step Functions writes them:
 * a Lambda task is Entered, Scheduled, Started, Succeeded, Exited (+ Submitted when it waits for a
 * token), and each failed attempt adds Scheduled, Started, Failed; other states are Entered and Exited.
 */
export function stateCost(state: State): Cost {
  if (state.Type !== 'Task') return { seconds: state.Seconds ?? 0, events: 2, transitions: 1 };
  const waits = state.Resource?.endsWith(WAITS_FOR_TOKEN) ?? false;
  const timeout = state.TimeoutSeconds ?? 60;
  let seconds = timeout;
  let events = waits ? 6 : 5;
  let transitions = 1;
  for (const r of state.Retry ?? []) {
    const attempts = r.MaxAttempts ?? 3;
    for (let i = 0; i < attempts; i++) {
      const delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** i;
      // A failed attempt of a token wait is its Lambda call failing, not the wait running out.
      seconds += (waits ? LAMBDA_MAX_SECONDS : timeout) + Math.min(delay, r.MaxDelaySeconds ?? delay);
    }
    events += 3 * attempts;
    transitions += attempts;
  }
  return { seconds, events, transitions };
}

function successors(state: State): string[] {
  return [
    ...(state.Next ? [state.Next] : []),
    ...(state.Choices ?? []).map((c) => c.Next),
    ...(state.Default ? [state.Default] : []),
    ...(state.Catch ?? []).map((c) => c.Next),
  ];
}

/** A polling loop: a Wait with SecondsPath, the Task after it, and the Choice that loops back. */
interface PollLoop {
  wait: string;
  poll: string;
  choice: string;
}

export function findPollLoops(definition: Definition): PollLoop[] {
  const loops: PollLoop[] = [];
  for (const [wait, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Wait' || !state.SecondsPath || !state.Next) continue;
    const poll = state.Next;
    const choice = definition.States[poll]?.Next;
    if (!choice || !successors(definition.States[choice] ?? { Type: 'x' }).includes(wait)) {
      throw new Error(`Wait state ${wait} with SecondsPath is not a poll loop this check understands`);
    }
    loops.push({ wait, poll, choice });
  }
  return loops;
}

/**
 * The replacement loop's bound, read from the ASL: the Choice that denies once `$.replacementCount`
 * reaches N. N replacements mean N + 1 vetting rounds.
 */
export function replacementCap(definition: Definition): number | undefined {
  for (const state of Object.values(definition.States)) {
    for (const c of state.Choices ?? []) {
      if (c.Variable === '$.replacementCount' && c.NumericGreaterThanEquals !== undefined) {
        return c.NumericGreaterThanEquals;
      }
    }
  }
  return undefined;
}

export interface WorstCase extends Cost {
  /** Calls one SSL scan can make (first call plus polls). */
  sslCallsPerScan: number;
  /** Vetting rounds (1 + replacements). */
  rounds: number;
}

/**
 * The worst legal execution of a definition. Poll loops are collapsed into their Choice, at the
 * most calls a scan can make; the one other loop allowed is the replacement loop, bounded by its
 * guard. Any other cycle is an error: a new loop needs a bound here before it can ship.
 */
export function worstCase(definition: Definition, options: { sslMaxWaitSeconds: number }): WorstCase {
  const calls = maxScanCalls(options.sslMaxWaitSeconds);
  const loops = findPollLoops(definition);
  const cost = new Map<string, Cost>();
  const next = new Map<string, string[]>();
  for (const [name, state] of Object.entries(definition.States)) {
    cost.set(name, stateCost(state));
    next.set(name, successors(state));
  }
  for (const loop of loops) {
    const w = definition.States[loop.wait] as State;
    const iteration = add(
      add(stateCost(w), stateCost(definition.States[loop.poll] as State)),
      stateCost(definition.States[loop.choice] as State),
    );
    // Polls after the first call, plus the whole wait cap (the waits never pass it).
    const polls = calls - 1;
    const loopCost = add(times(iteration, polls), {
      seconds: options.sslMaxWaitSeconds,
      events: 0,
      transitions: 0,
    });
    cost.set(loop.choice, add(cost.get(loop.choice) ?? ZERO, loopCost));
    next.set(
      loop.choice,
      (next.get(loop.choice) ?? []).filter((s) => s !== loop.wait),
    );
  }

  // Back edges, found once by a depth-first walk: each closes a cycle, and each use of one is a
  // further vetting round (the replacement loop), allowed as often as its guard allows.
  const backEdges = new Set<string>();
  const visited = new Set<string>();
  const stack = new Set<string>();
  const walk = (name: string): void => {
    visited.add(name);
    stack.add(name);
    for (const to of next.get(name) ?? []) {
      if (stack.has(to)) backEdges.add(`${name}>${to}`);
      else if (!visited.has(to)) walk(to);
    }
    stack.delete(name);
  };
  walk(definition.StartAt);
  const cap = replacementCap(definition) ?? 0;
  if (backEdges.size > 0 && cap === 0) {
    throw new Error(
      `Loop(s) ${[...backEdges].join(', ')} without a bound: give each a guard scripts/aws-limits.ts reads`,
    );
  }

  const memo = new Map<string, Cost>();
  const longest = (name: string, loopsLeft: number): Cost => {
    const key = `${name}|${loopsLeft}`;
    const known = memo.get(key);
    if (known) return known;
    let best = ZERO;
    for (const to of next.get(name) ?? []) {
      const back = backEdges.has(`${name}>${to}`);
      if (back && loopsLeft === 0) continue;
      best = max(best, longest(to, back ? loopsLeft - 1 : loopsLeft));
    }
    const total = add(cost.get(name) ?? ZERO, best);
    memo.set(key, total);
    return total;
  };
  // ExecutionStarted and ExecutionSucceeded/Failed.
  const path = add(longest(definition.StartAt, cap), { seconds: 0, events: 2, transitions: 0 });
  return { ...path, sslCallsPerScan: calls, rounds: cap + 1 };
}

/**
 * A Lambda task must wait longer than its function may run, or a slow invocation ends as
 * States.Timeout while the function is still working. Returns the states that do not (with the
 * margin Lambda needs to start and report).
 */
export function taskTimeoutsShorterThanTheirLambda(definition: Definition, marginSeconds = 10): string[] {
  const byVar = new Map(FUNCTIONS.filter((f) => f.aslArn).map((f) => [`\${${f.aslArn}}`, f]));
  const short: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type !== 'Task' || state.Resource?.endsWith(WAITS_FOR_TOKEN)) continue;
    const fn = byVar.get(String(state.Parameters?.FunctionName ?? ''));
    if (!fn) throw new Error(`Task ${name} calls no function of shared/functions.ts`);
    const needed = lambdaTimeoutSeconds(fn) + marginSeconds;
    if ((state.TimeoutSeconds ?? 60) < needed)
      short.push(`${name} (${state.TimeoutSeconds ?? 60} s < ${needed} s)`);
  }
  return short;
}

/** A machine's ASL with the human-step deadlines given (default: the ones cdk.json configures). */
export function loadMachine(
  key: keyof typeof STATE_MACHINES,
  deadlines: DeadlineDays = configuredDeadlineDays(),
): Definition {
  return JSON.parse(
    resolveDeadlines(readFileSync(join(ROOT, STATE_MACHINES[key].file), 'utf8'), deadlines),
  ) as Definition;
}

/** humanStepDeadlineDays of cdk.json (the defaults where it says nothing). */
export function configuredDeadlineDays(): DeadlineDays {
  try {
    const cdk = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as {
      context?: Record<string, unknown>;
    };
    return deadlineDaysFromContext(cdk.context ?? {});
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { ...DEFAULT_DEADLINE_DAYS };
    throw error;
  }
}

/**
 * Why a district's human-step deadlines cannot be deployed, or undefined when they can: the worst legal
 * execution with them (and the SSL wait cap at its largest) must end within the target, well inside
 * Step Functions' one-year limit, which stops an execution with no Catch to see it.
 */
export function deadlinesProblem(deadlines: DeadlineDays): string | undefined {
  for (const key of ['softwareRequest', 'annualRenewal'] as const) {
    const worst = worstCase(loadMachine(key, deadlines), { sslMaxWaitSeconds: SSL_MAX_WAIT_SECONDS_LIMIT });
    if (worst.seconds > EXECUTION_TARGET_SECONDS) {
      return `with these deadlines the longest ${key === 'softwareRequest' ? 'software request' : 'annual renewal'} could run ${(worst.seconds / DAY).toFixed(1)} days; shorten them so it stays within ${EXECUTION_TARGET_SECONDS / DAY} days (Step Functions stops an execution at 365)`;
    }
  }
  return undefined;
}
