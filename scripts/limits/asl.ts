/**
 * The worst legal execution of an ASL definition (scripts/aws-limits.ts): every state's cost in
 * seconds, history events and transitions, loops bounded by their guards.
 */

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { cdkContextOf } from '#shared/core/config.ts';
import { fieldOf, isOneOf, keysOf } from '#shared/core/guards.ts';
import { FUNCTIONS, lambdaTimeoutSeconds, STATE_MACHINES } from '#shared/functions.ts';
import { maxScanCalls } from '#shared/vetting/ssl/scan.ts';
import { MAX_SLOT_WAITS, slotWaitBounds } from '#shared/vetting/ssl/slots.ts';
import { MAX_REMEDIATION_WINDOW_DAYS } from '#shared/vetting/ssl-notice.ts';
import { deadlineDaysFromContext } from '#shared/workflow/config.ts';
import { DEFAULT_DEADLINE_DAYS, type DeadlineDays, resolveDeadlines } from '#shared/workflow/deadlines.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

const DAY = 86_400;
// 330 days until questions (SOP 4, two per request, each a 7-day reply wait plus a restarted step)
// and one re-routing (SOP 3/7, one more review) joined the worst case: 360 leaves five days over a
// worst case that already has every step decided at its last second.
/** The longest an execution may last (a margin under Step Functions' one year; scripts/aws-limits.ts). */
export const EXECUTION_TARGET_SECONDS = 360 * DAY;
/** The largest SSL wait cap cdk/config.ts accepts (sslMaxWaitSeconds). */
export const SSL_MAX_WAIT_SECONDS_LIMIT = 86_400;

/** A failed attempt of any Lambda call lasts at most Lambda's own maximum timeout. */
const LAMBDA_MAX_SECONDS = 900;

/** What this check reads of an ASL state; the rest of the state is the engine's business. */
const stateSchema = z.object({
  Type: z.string(),
  Resource: z.optional(z.string()),
  Next: z.optional(z.string()),
  End: z.optional(z.boolean()),
  Default: z.optional(z.string()),
  TimeoutSeconds: z.optional(z.number()),
  TimeoutSecondsPath: z.optional(z.string()),
  Seconds: z.optional(z.number()),
  SecondsPath: z.optional(z.string()),
  Choices: z.optional(
    z.array(
      z.object({
        Next: z.string(),
        Variable: z.optional(z.string()),
        NumericGreaterThanEquals: z.optional(z.number()),
        BooleanEquals: z.optional(z.boolean()),
        IsPresent: z.optional(z.boolean()),
      }),
    ),
  ),
  Catch: z.optional(z.array(z.object({ Next: z.string() }))),
  Retry: z.optional(
    z.array(
      z.object({
        ErrorEquals: z.array(z.string()),
        IntervalSeconds: z.optional(z.number()),
        MaxAttempts: z.optional(z.number()),
        BackoffRate: z.optional(z.number()),
        MaxDelaySeconds: z.optional(z.number()),
      }),
    ),
  ),
  Parameters: z.optional(z.object({ FunctionName: z.optional(z.string()) })),
});
type State = z.infer<typeof stateSchema>;
const definitionSchema = z.object({ StartAt: z.string(), States: z.record(z.string(), stateSchema) });
export type Definition = z.infer<typeof definitionSchema>;

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
 * The one wait whose timeout the state sets: the ssl-remediation task waits what is left of the
 * remediation window (notify-vendor-ssl), so all its waits together last at most the window.
 */
export const REMEDIATION_WAIT_PATH = '$.sslRemediation.waitSeconds';
export const REMEDIATION_WINDOW_SECONDS = MAX_REMEDIATION_WINDOW_DAYS * 86_400;

/**
 * One state, entered once, in its worst legal case. History events as Step Functions writes them:
 * a Lambda task is Entered, Scheduled, Started, Succeeded, Exited (+ Submitted when it waits for a
 * token), and each failed attempt adds Scheduled, Started, Failed; other states are Entered and Exited.
 */
export function stateCost(state: State): Cost {
  if (state.Type !== 'Task') return { seconds: state.Seconds ?? 0, events: 2, transitions: 1 };
  const waits = state.Resource?.endsWith(WAITS_FOR_TOKEN) ?? false;
  if (state.TimeoutSeconds === undefined && state.TimeoutSecondsPath !== undefined) {
    if (state.TimeoutSecondsPath !== REMEDIATION_WAIT_PATH || !waits) {
      throw new Error(`TimeoutSecondsPath ${state.TimeoutSecondsPath} has no bound this check knows`);
    }
  }
  // A remediation wait is priced once for the whole window (worstCase), not per visit.
  const timeout = state.TimeoutSecondsPath !== undefined ? 0 : (state.TimeoutSeconds ?? 60);
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

/**
 * The Wait of the loop that waits for an SSL Labs slot (issue 22): at most MAX_SLOT_WAITS rounds per
 * scan, each at most the longest jittered wait (shared/vetting/ssl/slots.ts).
 */
export const SLOT_WAIT_PATH = '$.ssl.scan.slotWait.waitSeconds';

/**
 * A polling loop: a Wait with SecondsPath, the Task after it, and the Choice that loops back. `slot`:
 * the wait for an SSL Labs slot; otherwise the scan's polls.
 */
interface PollLoop {
  wait: string;
  poll: string;
  choice: string;
  slot: boolean;
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
    loops.push({ wait, poll, choice, slot: state.SecondsPath === SLOT_WAIT_PATH });
  }
  return loops;
}

/**
 * The per-request counters that bound the flow's loops, each read by guard Choices whose rules all
 * test it (any rule's Next is the way out; the Default goes round the loop once more):
 *   - `$.replacementCount`: SOP 11 replacements (a guard `>= N` allows N);
 *   - `$.questions.asked`: questions the reviews asked (SOP 4; a guard `>= N` allows N);
 *   - `$.rerouted`: a review sent the request to the other review (SOP 3/7; `== true` allows one);
 *   - `$.sslRemediation.retests`: SSL re-tests (SOP 5-6; per execution, and in time bounded by the
 *     remediation window, see worstCase).
 * Every counter is carried through a replacement, so each bound holds per request.
 */
export const LOOP_COUNTERS = [
  '$.replacementCount',
  '$.questions.asked',
  '$.rerouted',
  '$.sslRemediation.retests',
] as const;
type Counter = (typeof LOOP_COUNTERS)[number];

interface Guard {
  counter: Counter;
  /** How often the Default (round the loop) may be taken. */
  cap: number;
  /** The way round the loop. */
  onward: string;
}

/** A Choice is a guard when its first rule tests a counter; its other rules may only leave the loop. */
function guardOf(state: State): Guard | undefined {
  if (state.Type !== 'Choice' || !state.Default || !state.Choices?.length) return undefined;
  const counter = state.Choices[0]?.Variable;
  if (!isOneOf(LOOP_COUNTERS, counter)) return undefined;
  let cap: number | undefined;
  for (const c of state.Choices.filter((rule) => rule.Variable === counter)) {
    if (c.NumericGreaterThanEquals !== undefined) cap = Math.min(cap ?? Infinity, c.NumericGreaterThanEquals);
    if (c.BooleanEquals === true) cap = Math.min(cap ?? Infinity, 1);
  }
  return cap === undefined ? undefined : { counter, cap, onward: state.Default };
}

/** Each loop counter's bound, read from its guards (the smallest when several guards read it). */
export function loopCaps(definition: Definition): Partial<Record<Counter, number>> {
  const caps: Partial<Record<Counter, number>> = {};
  for (const state of Object.values(definition.States)) {
    const guard = guardOf(state);
    if (guard) caps[guard.counter] = Math.min(caps[guard.counter] ?? Infinity, guard.cap);
  }
  return caps;
}

/**
 * The replacement loop's bound, read from the ASL: the Choice that denies once `$.replacementCount`
 * reaches N. N replacements mean N + 1 vetting rounds.
 */
export function replacementCap(definition: Definition): number | undefined {
  return loopCaps(definition)['$.replacementCount'];
}

/** The SSL re-test loop's bound (`$.sslRemediation.retests`), when the machine has one. */
export function retestCap(definition: Definition): number | undefined {
  return loopCaps(definition)['$.sslRemediation.retests'];
}

export interface WorstCase extends Cost {
  /** Calls one SSL scan can make (first call plus polls). */
  sslCallsPerScan: number;
  /** Waits for an SSL Labs slot one scan can make before it starts (issue 22). */
  sslSlotWaitsPerScan: number;
  /** Vetting rounds (1 + replacements). */
  rounds: number;
  /** SSL re-tests counted (the remediation loop's guard). */
  retests: number;
}

/**
 * The worst legal execution of a definition. Poll loops are collapsed into their Choice, at the
 * most calls a scan can make; every other loop must pass a guard of LOOP_COUNTERS, and the walk
 * takes each guard's way round only while that counter has budget left (the budgets are per request,
 * like the counters). A cycle that passes no guard is an error: a new loop needs a bound here before
 * it can ship.
 */
interface StateGraph {
  cost: Map<string, Cost>;
  next: Map<string, string[]>;
  guards: Map<string, Guard>;
}

function stateNamed(definition: Definition, name: string): State {
  const state = definition.States[name];
  if (!state) throw new Error(`The definition has no state ${name}`);
  return state;
}

/** Each state's own cost and successors; an SSL poll loop folds into its Choice, at its worst. */
function stateGraph(definition: Definition, sslMaxWaitSeconds: number, calls: number): StateGraph {
  const graph: StateGraph = { cost: new Map(), next: new Map(), guards: new Map() };
  for (const [name, state] of Object.entries(definition.States)) {
    graph.cost.set(name, stateCost(state));
    graph.next.set(name, successors(state));
    const guard = guardOf(state);
    if (guard) graph.guards.set(name, guard);
  }
  for (const loop of findPollLoops(definition)) {
    const iteration = add(
      add(stateCost(stateNamed(definition, loop.wait)), stateCost(stateNamed(definition, loop.poll))),
      stateCost(stateNamed(definition, loop.choice)),
    );
    // Polls after the first call, plus the whole wait cap (the waits never pass it); or every wait for
    // a slot, at its longest (each Wait state's own time is priced as 0 by stateCost).
    const loopCost = loop.slot
      ? add(times(iteration, MAX_SLOT_WAITS), {
          seconds: slotWaitBounds().maxSeconds,
          events: 0,
          transitions: 0,
        })
      : add(times(iteration, calls - 1), { seconds: sslMaxWaitSeconds, events: 0, transitions: 0 });
    graph.cost.set(loop.choice, add(graph.cost.get(loop.choice) ?? ZERO, loopCost));
    graph.next.set(
      loop.choice,
      (graph.next.get(loop.choice) ?? []).filter((s) => s !== loop.wait),
    );
  }
  return graph;
}

/**
 * The costliest path from a state, each guarded loop taken at most as often as its budget allows
 * (one budget per counter); a loop without a guard is an error.
 */
function longestPaths({ cost, next, guards }: StateGraph, counters: readonly string[]) {
  const memo = new Map<string, Cost>();
  const onPath = new Set<string>();
  const longest = (name: string, budget: readonly number[]): Cost => {
    const key = `${name}|${budget.join(',')}`;
    const known = memo.get(key);
    if (known) return known;
    if (onPath.has(key)) {
      throw new Error(
        `Loop through ${name} without a bound: give it a guard on one of ${LOOP_COUNTERS.join(', ')}`,
      );
    }
    onPath.add(key);
    const guard = guards.get(name);
    const at = guard ? counters.indexOf(guard.counter) : -1;
    let best = ZERO;
    for (const to of next.get(name) ?? []) {
      let left = budget;
      if (guard && to === guard.onward) {
        if ((budget[at] ?? 0) === 0) continue;
        left = budget.map((b, i) => (i === at ? b - 1 : b));
      }
      best = max(best, longest(to, left));
    }
    onPath.delete(key);
    const total = add(cost.get(name) ?? ZERO, best);
    memo.set(key, total);
    return total;
  };
  return longest;
}

export function worstCase(definition: Definition, options: { sslMaxWaitSeconds: number }): WorstCase {
  const calls = maxScanCalls(options.sslMaxWaitSeconds);
  const caps = loopCaps(definition);
  const counters = LOOP_COUNTERS.filter((c) => caps[c] !== undefined);
  const longest = longestPaths(stateGraph(definition, options.sslMaxWaitSeconds, calls), counters);
  const budgets = counters.map((c) => caps[c] ?? 0);
  // ExecutionStarted and ExecutionSucceeded/Failed.
  let path = add(longest(definition.StartAt, budgets), { seconds: 0, events: 2, transitions: 0 });
  const retests = counters.indexOf('$.sslRemediation.retests');
  const hasRemediationWait = Object.values(definition.States).some(
    (s) => s.TimeoutSecondsPath === REMEDIATION_WAIT_PATH,
  );
  if (retests >= 0 && hasRemediationWait) {
    // Time: the re-tests happen inside the remediation window (a wall-clock span from the first
    // vendor notice, per execution): the path without re-tests, plus the window, plus one last trip
    // round the re-test loop started just before the window ended.
    const withRetests = (n: number) =>
      longest(
        definition.StartAt,
        budgets.map((b, i) => (i === retests ? n : b)),
      ).seconds;
    const oneTrip = withRetests(1) - withRetests(0);
    path = { ...path, seconds: withRetests(0) + REMEDIATION_WINDOW_SECONDS + oneTrip };
  }
  return {
    ...path,
    sslCallsPerScan: calls,
    sslSlotWaitsPerScan: findPollLoops(definition).some((l) => l.slot) ? MAX_SLOT_WAITS : 0,
    rounds: (caps['$.replacementCount'] ?? 0) + 1,
    retests: caps['$.sslRemediation.retests'] ?? 0,
  };
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
  return definitionSchema.parse(
    JSON.parse(resolveDeadlines(readFileSync(machineFile(key), 'utf8'), deadlines)),
  );
}

/** Where a machine's ASL file is. */
export function machineFile(key: keyof typeof STATE_MACHINES): string {
  return join(ROOT, STATE_MACHINES[key].file);
}

/** humanStepDeadlineDays of cdk.json (the defaults where it says nothing). */
export function configuredDeadlineDays(): DeadlineDays {
  try {
    return deadlineDaysFromContext(cdkContextOf(readFileSync(join(ROOT, 'cdk.json'), 'utf8')));
  } catch (error) {
    if (fieldOf(error, 'code') === 'ENOENT') return { ...DEFAULT_DEADLINE_DAYS };
    throw error;
  }
}

/**
 * Why a district's human-step deadlines cannot be deployed, or undefined when they can: the worst legal
 * execution with them (and the SSL wait cap at its largest) must end within the target, well inside
 * Step Functions' one-year limit, which stops an execution with no Catch to see it.
 */
export function deadlinesProblem(deadlines: DeadlineDays): string | undefined {
  const labels = {
    softwareRequest: 'software request',
    annualRenewal: 'annual renewal',
    resourceWatch: 'resource watch',
    resourceStewardship: 'deletion or incident review',
  } as const;
  for (const key of keysOf(labels)) {
    const worst = worstCase(loadMachine(key, deadlines), { sslMaxWaitSeconds: SSL_MAX_WAIT_SECONDS_LIMIT });
    if (worst.seconds > EXECUTION_TARGET_SECONDS) {
      return `with these deadlines the longest ${labels[key]} could run ${(worst.seconds / DAY).toFixed(1)} days; shorten them so it stays within ${EXECUTION_TARGET_SECONDS / DAY} days (Step Functions stops an execution at 365)`;
    }
  }
  return undefined;
}
