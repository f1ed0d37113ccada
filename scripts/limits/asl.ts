/**
 * The worst legal execution of an ASL definition (scripts/aws-limits.ts): every state's cost in
 * seconds, history events and transitions, loops bounded by their guards.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAX_REMEDIATION_WINDOW_DAYS } from '#shared/domain/ssl-notice.ts';
import { FUNCTIONS, lambdaTimeoutSeconds, STATE_MACHINES } from '#shared/functions.ts';
import { maxScanCalls } from '#shared/ssl/scan.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');

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
  TimeoutSecondsPath?: string;
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

/** The variables of the loop guards this check knows: each loop may run as often as its guard allows. */
export const LOOP_GUARDS = {
  /** SOP 11: N replacements mean N + 1 vetting rounds. */
  replacements: '$.replacementCount',
  /** SOP 5-6: SSL re-tests per execution. */
  retests: '$.sslRemediation.retests',
} as const;

/** A guard's bound and the Choice state that holds it, read from the ASL. */
export function loopGuard(
  definition: Definition,
  variable: string,
): { state: string; cap: number } | undefined {
  for (const [name, state] of Object.entries(definition.States)) {
    for (const c of state.Choices ?? []) {
      if (c.Variable === variable && c.NumericGreaterThanEquals !== undefined) {
        return { state: name, cap: c.NumericGreaterThanEquals };
      }
    }
  }
  return undefined;
}

/**
 * The replacement loop's bound, read from the ASL: the Choice that denies once `$.replacementCount`
 * reaches N. N replacements mean N + 1 vetting rounds.
 */
export function replacementCap(definition: Definition): number | undefined {
  return loopGuard(definition, LOOP_GUARDS.replacements)?.cap;
}

/** The SSL re-test loop's bound (`$.sslRemediation.retests`), when the machine has one. */
export function retestCap(definition: Definition): number | undefined {
  return loopGuard(definition, LOOP_GUARDS.retests)?.cap;
}

export interface WorstCase extends Cost {
  /** Calls one SSL scan can make (first call plus polls). */
  sslCallsPerScan: number;
  /** Vetting rounds (1 + replacements). */
  rounds: number;
  /** SSL re-tests counted (the remediation loop's guard). */
  retests: number;
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

  // Back edges, found once by a depth-first walk: each closes a cycle, and each cycle must hold the
  // Choice of a known guard (the replacement loop, the SSL re-test loop); it runs as often as it allows.
  const backEdges = new Map<string, number>();
  const edgeList: [string, string][] = [];
  const visited = new Set<string>();
  const stack = new Set<string>();
  const walk = (name: string): void => {
    visited.add(name);
    stack.add(name);
    for (const to of next.get(name) ?? []) {
      if (stack.has(to)) edgeList.push([name, to]);
      else if (!visited.has(to)) walk(to);
    }
    stack.delete(name);
  };
  walk(definition.StartAt);
  const guards = Object.values(LOOP_GUARDS)
    .map((variable) => loopGuard(definition, variable))
    .filter((g): g is { state: string; cap: number } => g !== undefined);
  const isBack = (from: string, to: string) => edgeList.some(([f, t]) => f === from && t === to);
  const reach = (start: string, forward: boolean): Set<string> => {
    const seen = new Set<string>([start]);
    const todo = [start];
    while (todo.length) {
      const at = todo.pop() as string;
      const tos = forward
        ? (next.get(at) ?? []).filter((t) => !isBack(at, t))
        : [...next].filter(([f, ts]) => ts.includes(at) && !isBack(f, at)).map(([f]) => f);
      for (const t of tos) {
        if (seen.has(t)) continue;
        seen.add(t);
        todo.push(t);
      }
    }
    return seen;
  };
  const cycles = new Map<string, Set<string>>();
  for (const [from, to] of edgeList) {
    const forward = reach(to, true);
    const cycle = new Set([...reach(from, false)].filter((s) => forward.has(s)));
    cycles.set(`${from}>${to}`, cycle);
    const owners = guards.map((g, i) => (cycle.has(g.state) ? i : -1)).filter((i) => i >= 0);
    if (owners.length !== 1) {
      throw new Error(`Loop ${from} > ${to} without a bound: give each a guard scripts/aws-limits.ts reads`);
    }
    backEdges.set(`${from}>${to}`, owners[0] as number);
  }

  const retestGuard = guards.findIndex((g) => g.state === loopGuard(definition, LOOP_GUARDS.retests)?.state);
  const longestPath = (budgets: readonly number[]): Cost => {
    const memo = new Map<string, Cost>();
    const longest = (name: string, left: readonly number[]): Cost => {
      const key = `${name}|${left.join(',')}`;
      const known = memo.get(key);
      if (known) return known;
      let best = ZERO;
      for (const to of next.get(name) ?? []) {
        const guard = backEdges.get(`${name}>${to}`);
        if (guard !== undefined && (left[guard] ?? 0) === 0) continue;
        const after = guard === undefined ? left : left.map((n, i) => (i === guard ? n - 1 : n));
        best = max(best, longest(to, after));
      }
      const total = add(cost.get(name) ?? ZERO, best);
      memo.set(key, total);
      return total;
    };
    return longest(definition.StartAt, budgets);
  };
  const budgets = guards.map((g) => g.cap);
  // ExecutionStarted and ExecutionSucceeded/Failed.
  let path = add(longestPath(budgets), { seconds: 0, events: 2, transitions: 0 });

  const hasRemediationWait = Object.values(definition.States).some(
    (s) => s.TimeoutSecondsPath === REMEDIATION_WAIT_PATH,
  );
  if (hasRemediationWait) {
    // Time: the re-tests happen inside the remediation window (a wall-clock span from the first
    // vendor notice, per execution): the path without re-tests, plus the window, plus one last trip
    // round the re-test loop started just before the window ended.
    const withoutRetests = longestPath(budgets.map((n, i) => (i === retestGuard ? 0 : n)));
    const retestEdge = [...backEdges].find(([, g]) => g === retestGuard)?.[0];
    const cycle = retestEdge ? (cycles.get(retestEdge) ?? new Set<string>()) : new Set<string>();
    const oneTrip = [...cycle].reduce((sum, s) => sum + (cost.get(s)?.seconds ?? 0), 0);
    path = { ...path, seconds: withoutRetests.seconds + REMEDIATION_WINDOW_SECONDS + oneTrip };
  }
  const rounds = (loopGuard(definition, LOOP_GUARDS.replacements)?.cap ?? 0) + 1;
  return {
    ...path,
    sslCallsPerScan: calls,
    rounds,
    retests: loopGuard(definition, LOOP_GUARDS.retests)?.cap ?? 0,
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

export function loadMachine(key: keyof typeof STATE_MACHINES): Definition {
  return JSON.parse(readFileSync(join(ROOT, STATE_MACHINES[key].file), 'utf8')) as Definition;
}
