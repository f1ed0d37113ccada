/**
 * AWS limits as computed invariants (`npm run limits`; test/limits/aws-limits.test.ts runs the same
 * checks in `npm test`). The local engine enforces none of Step Functions' quotas, so this reads both
 * ASL files and the configuration bounds and works out the worst legal execution:
 *   - duration: a Standard execution stops at one year with ExecutionTimedOut, which no Catch sees;
 *   - history events: an execution fails past 25,000;
 *   - state transitions (what Step Functions bills);
 *   - the names the code generates: execution names (80), schedule names (64).
 *
 * Worst legal path: every human step is decided a moment before its deadline, every automated task
 * fails as often as its Retry allows before it succeeds, every SSL Labs scan runs to the wait cap
 * with the most polls it can make (shared/ssl/scan.ts maxScanCalls), and every loop runs as often as
 * its guard allows (the replacement loop of SOP 11, read from the ASL's own Choice).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { reminderScheduleName } from '#shared/domain/reminder-schedules.ts';
import { renewalScheduleName } from '#shared/domain/renewal.ts';
import { newRequestId } from '#shared/domain/request-id.ts';
import { newTaskId } from '#shared/domain/task-links.ts';
import { FUNCTIONS, lambdaTimeoutSeconds, STATE_MACHINES } from '#shared/functions.ts';
import { MAX_ENDPOINTS_IN_STATE, maxScanCalls } from '#shared/ssl/scan.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DAY = 86_400;

/** AWS quotas (Step Functions Standard, EventBridge Scheduler) and the margins this project keeps. */
export const AWS_LIMITS = {
  executionSeconds: 365 * DAY,
  historyEvents: 25_000,
  executionNameLength: 80,
  scheduleNameLength: 64,
  stateBytes: 256 * 1024,
} as const;
export const TARGETS = {
  executionSeconds: 330 * DAY,
  historyEvents: 20_000,
  stateBytes: 200 * 1024,
} as const;

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
 * Upper bounds of what a state can carry, by the schemas' limits (shared/domain/request-schema.ts,
 * decisions.ts), every character counted at 4 bytes (UTF-8's most):
 * free text 2,000 characters, names 200, URLs 2,048, an email 254, and at most 64 SSL endpoints
 * (check-ssl's output keeps no more; the full list is in the request record).
 */
const BOUNDS = { text: 2000, name: 200, url: 2048, email: 254, endpoints: MAX_ENDPOINTS_IN_STATE } as const;
const widest = (chars: number) => '\u{10FFFF}'.repeat(chars);

function maximalResource(): Record<string, unknown> {
  return {
    name: widest(BOUNDS.name),
    url: `https://${'a'.repeat(BOUNDS.url - 12)}.org/`,
    usesWebsite: true,
    kind: 'software',
    vendorName: widest(BOUNDS.name),
    cost: 999_999_999,
    studentDataShared: true,
  };
}

/** A human step's answer with every field at its bound (and a few more fields than any kind has). */
function maximalAnswer(kind: string, round: number, rounds: number): Record<string, unknown> {
  const decision: Record<string, string> = {
    'privacy-review': 'acceptable',
    'dpa-signature': 'signed',
    'curriculum-review': 'approve',
    'administrative-review': 'approve',
    'technical-review': round < rounds - 1 ? 'not-sound' : 'sound',
    replacement: 'replacement-found',
    procurement: 'po-issued',
    license: 'license-stored',
    installation: 'installed',
  };
  return {
    decision: decision[kind] ?? 'approve',
    comment: widest(BOUNDS.text),
    decidedBy: widest(BOUNDS.email),
    decidedAt: '2026-11-30T00:00:00.000Z',
    studentDataRequired: true,
    vendorContactEmail: 'v'.repeat(BOUNDS.email),
    extra: Array.from({ length: 6 }, () => widest(BOUNDS.name)),
    ...(kind === 'replacement' ? { resource: maximalResource() } : {}),
    ...(kind === 'procurement'
      ? { poNumber: widest(BOUNDS.name), amount: 999_999_999, quoteReference: widest(BOUNDS.name) }
      : {}),
    ...(kind === 'license'
      ? { licenseReference: widest(BOUNDS.name), seats: 999_999, expiresOn: '2099-12-31' }
      : {}),
    ...(kind === 'dpa-signature' ? { dpaExpiresOn: '2099-12-31' } : {}),
  };
}

/**
 * Runs the request machine on the local engine through its longest path (every round, every human
 * step) with maximal answers, and returns the largest state input or output it saw, in bytes.
 */
export async function largestStateBytes(): Promise<number> {
  const { LocalStateMachine, TaskTokens } = await import('#local/asl-runner.ts');
  const definition = loadMachine('softwareRequest');
  const rounds = (replacementCap(definition) ?? 0) + 1;
  const tokens = new TaskTokens();
  let technicalRounds = 0;
  const endpoints = Array.from({ length: BOUNDS.endpoints }, (_, i) => ({
    ipAddress: `2001:db8::${i.toString(16)}`,
    grade: 'A+',
    statusMessage: widest(BOUNDS.name),
  }));
  const machine = new LocalStateMachine(
    definition as never,
    async (fn, payload) => {
      const p = payload as Record<string, unknown>;
      if (fn === 'AssignTaskFunctionArn') {
        const kind = String(p.kind);
        const answer = maximalAnswer(kind, technicalRounds, rounds);
        if (kind === 'technical-review') technicalRounds++;
        queueMicrotask(() => tokens.succeed(String(p.taskToken), JSON.stringify(answer)));
        return {};
      }
      if (fn === 'CheckSslFunctionArn') {
        return {
          finished: true,
          passed: true,
          grade: 'A+',
          endpoints,
          reason: widest(BOUNDS.text),
          nextPollSeconds: 0,
          startedAt: '2026-11-30T00:00:00.000Z',
          polls: 99,
        };
      }
      if (fn === 'SendDpaFunctionArn')
        return { sentTo: 'v'.repeat(BOUNDS.email), sentAt: '2026-11-30T00:00:00.000Z' };
      if (fn === 'ScheduleRenewalFunctionArn')
        return { scheduled: true, renewalDueOn: '2027-11-30', reason: widest(BOUNDS.text) };
      if (fn === 'PublishStatusFunctionArn') return { resourceKey: widest(BOUNDS.name), status: p.status };
      return {};
    },
    tokens,
  );
  const run = machine.start(
    {
      requestId: 'SR-20261130-ZZZZZZZZ',
      requestType: 'instructional',
      resource: maximalResource(),
      replacementCount: 0,
    } as never,
    {
      name: 'limits',
      executionArn: 'arn:aws:states:us-east-1:0:execution:x:limits',
      stateMachineArn: 'arn:aws:states:us-east-1:0:stateMachine:x',
    },
  );
  const output = await run.result;
  await run.settled;
  if ((output as { outcome?: string }).outcome !== 'APPROVED') {
    throw new Error(`The longest path should end APPROVED, got ${JSON.stringify(output).slice(0, 200)}`);
  }
  const sizes = run.events.flatMap((e) => [e.input, e.output].filter((v) => v !== undefined));
  return Math.max(...sizes.map((v) => Buffer.byteLength(JSON.stringify(v))));
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

export interface LimitsReport {
  softwareRequest: WorstCase;
  annualRenewal: WorstCase;
  largestStateBytes: number;
  names: { executionName: number; renewalSchedule: number; reminderSchedule: number };
}

export function loadMachine(key: keyof typeof STATE_MACHINES): Definition {
  return JSON.parse(readFileSync(join(ROOT, STATE_MACHINES[key].file), 'utf8')) as Definition;
}

/** The longest names the code can generate, from the generators themselves. */
export function longestNames(): LimitsReport['names'] {
  const requestId = newRequestId(new Date('9999-12-31T23:59:59Z'), () => new Uint8Array(5).fill(255));
  const farDue = new Date('9999-12-31T00:00:00Z');
  return {
    executionName: requestId.length,
    renewalSchedule: renewalScheduleName(requestId, farDue).length,
    reminderSchedule: Math.max(
      reminderScheduleName(newTaskId(), 1).length,
      reminderScheduleName(newTaskId(), 2).length,
    ),
  };
}

export async function computeLimits(sslMaxWaitSeconds = SSL_MAX_WAIT_SECONDS_LIMIT): Promise<LimitsReport> {
  return {
    softwareRequest: worstCase(loadMachine('softwareRequest'), { sslMaxWaitSeconds }),
    annualRenewal: worstCase(loadMachine('annualRenewal'), { sslMaxWaitSeconds }),
    largestStateBytes: await largestStateBytes(),
    names: longestNames(),
  };
}

async function main(): Promise<void> {
  const report = await computeLimits();
  const row = (label: string, value: string, limit: string) =>
    console.log(`  ${label.padEnd(44)} ${value.padStart(12)}   ${limit}`);
  console.log(
    `Worst legal executions (SSL wait cap at its largest allowed value, ${SSL_MAX_WAIT_SECONDS_LIMIT} s)`,
  );
  for (const [name, w] of Object.entries({
    'software-request': report.softwareRequest,
    'annual-renewal': report.annualRenewal,
  })) {
    console.log(
      `${name}: ${w.rounds} vetting round(s), ${w.sslCallsPerScan} SSL Labs calls per scan at most`,
    );
    row(
      'duration',
      `${(w.seconds / DAY).toFixed(1)} days`,
      `target <= ${TARGETS.executionSeconds / DAY}, AWS ${AWS_LIMITS.executionSeconds / DAY}`,
    );
    row(
      'history events',
      String(w.events),
      `target <= ${TARGETS.historyEvents}, AWS ${AWS_LIMITS.historyEvents}`,
    );
    row('state transitions', String(w.transitions), '');
  }
  console.log('State payload');
  row(
    'largest state (maximal inputs, longest path)',
    `${(report.largestStateBytes / 1024).toFixed(1)} KB`,
    `target <= ${TARGETS.stateBytes / 1024} KB, AWS ${AWS_LIMITS.stateBytes / 1024} KB`,
  );
  console.log('Generated names');
  row(
    'execution name (request id)',
    String(report.names.executionName),
    `AWS ${AWS_LIMITS.executionNameLength}`,
  );
  row('renewal schedule name', String(report.names.renewalSchedule), `AWS ${AWS_LIMITS.scheduleNameLength}`);
  row(
    'reminder schedule name',
    String(report.names.reminderSchedule),
    `AWS ${AWS_LIMITS.scheduleNameLength}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
