/**
 * Workflow test harness: the real ASL file on the local engine (local/asl-runner.ts), with each
 * Lambda task answered by a scripted function, and human steps completed through their task tokens
 * exactly as record-decision does with SendTaskSuccess.
 */

import { type AslDefinition, type JsonValue, loadDefinition } from '#local/asl-definition.ts';
import { type ExecutionEvent, LocalStateMachine, TaskTokens } from '#local/asl-runner.ts';
import { ClockTimers } from '#local/clock-timers.ts';
import type { DeadlineDays } from '#shared/workflow/deadlines.ts';
import type {
  CheckSslOutput,
  NotifyVendorSslOutput,
  WorkflowInput,
  WorkflowResource,
} from '#shared/workflow/payloads.ts';
import type { AssignTaskInput } from '#shared/workflow/step-inputs.ts';
import type { TaskKind } from '#shared/workflow/task-kinds.ts';

export const SOFTWARE_REQUEST_ASL = 'statemachine/software-request.asl.json';
export const ANNUAL_RENEWAL_ASL = 'statemachine/annual-renewal.asl.json';

type Fn = (payload: Record<string, unknown>, call: number) => unknown;

export function sslResult(overrides: Partial<CheckSslOutput> = {}): CheckSslOutput {
  return {
    finished: true,
    passed: true,
    grade: 'A',
    endpoints: [{ ipAddress: '203.0.113.10', grade: 'A' }],
    reason: 'SSL Labs grade A for every endpoint',
    nextPollSeconds: 0,
    startedAt: '2026-11-28T10:00:00.000Z',
    polls: 1,
    hosts: [],
    ...overrides,
  };
}

/** notify-vendor-ssl's answer: remediation open, a 21-day wait, the window 30 days out. */
export function remediationResult(overrides: Partial<NotifyVendorSslOutput> = {}): NotifyVendorSslOutput {
  return {
    notifiedAt: '2026-11-28T10:00:00.000Z',
    open: true,
    retests: 0,
    waitSeconds: 1_814_400,
    windowEndsAt: '2026-12-28T10:00:00.000Z',
    reason: '',
    timeoutReason: 'Cybersecurity did not ask for an SSL re-test or deny within 21 days of the vendor notice',
    ...overrides,
  };
}

/** Lambda results a passing run needs; tests replace the ones they are about. */
const DEFAULT_FUNCTIONS: Record<string, Fn> = {
  CheckCurrentVettingFunctionArn: () => ({ reused: false, reason: 'no registry entry' }),
  SendDpaFunctionArn: (p) => ({ sentTo: p.vendorContactEmail, sentAt: '2026-11-28T10:00:00.000Z' }),
  CheckSslFunctionArn: () => sslResult(),
  NotifyVendorSslFunctionArn: (_p, call) => remediationResult({ retests: call }),
  RecordRenewalFunctionArn: () => ({}),
  PublishStatusFunctionArn: (p) => ({ resourceId: 'example-0123456789ab', status: p.status }),
  ProcurementHookFunctionArn: () => ({}),
  ScheduleRenewalFunctionArn: () => ({
    scheduled: true,
    renewalDueOn: '2027-11-28',
    reason: 'Renewal scheduled',
  }),
  PlanRenewalFunctionArn: () => ({
    requestId: 'SR-1',
    dpaRenewalDue: true,
    sslRetestDue: true,
    vendorContactEmail: 'privacy@vendor.example',
    url: 'https://app.example.com',
    websites: ['app.example.com'],
  }),
  CloseRequestFunctionArn: () => ({}),
  RecordErrorFunctionArn: () => ({}),
};

export function resource(overrides: Partial<WorkflowResource> = {}): WorkflowResource {
  return {
    name: 'Math Blaster',
    kind: 'web-service',
    vendorName: 'Blaster Learning',
    cost: 0,
    studentDataShared: false,
    usesWebsite: false,
    ...overrides,
  };
}

export function requestInput(overrides: Partial<WorkflowInput> = {}): WorkflowInput {
  return {
    requestId: 'SR-20261128-TEST0001',
    requestType: 'instructional',
    resource: resource(),
    replacementCount: 0,
    questions: { asked: 0 },
    rerouted: false,
    ...overrides,
  };
}

export function decision(value: string, extra: Record<string, unknown> = {}) {
  return {
    decision: value,
    comment: '',
    decidedBy: 'A. Reviewer',
    decidedAt: '2026-11-28T11:00:00.000Z',
    ...extra,
  };
}

interface AssignedTask {
  token: string;
  payload: AssignTaskInput;
}

export interface FlowOptions {
  file?: string;
  functions?: Partial<Record<keyof typeof DEFAULT_FUNCTIONS, Fn>>;
  /** Patch the loaded definition (e.g. a 1 s timeout to exercise the timeout path). */
  patch?: (definition: AslDefinition) => void;
  /** Human-step deadlines (default: shared/workflow/deadlines.ts's). */
  deadlines?: DeadlineDays;
  /** The clock deadlines and Wait states follow (default: real time); see manualClock(). */
  timers?: ClockTimers;
}

/** A local clock that moves only when the test says so, as `POST /_local/clock` moves the runtime's. */
export function manualClock(start = Date.parse('2026-11-28T10:00:00.000Z')) {
  let now = start;
  const timers = new ClockTimers(() => now);
  return {
    timers,
    now: () => now,
    advance(ms: number) {
      now += ms;
      timers.check();
    },
    advanceDays(days: number) {
      this.advance(days * 86_400_000);
    },
  };
}

export function createFlow(options: FlowOptions = {}) {
  const definition = loadDefinition(options.file ?? SOFTWARE_REQUEST_ASL, options.deadlines);
  options.patch?.(definition);
  const tokens = new TaskTokens(options.timers);
  const calls: { fn: string; payload: Record<string, unknown> }[] = [];
  const assigned: AssignedTask[] = [];
  const claimed = new Set<AssignedTask>();
  let notify: () => void = () => undefined;
  const functions = { ...DEFAULT_FUNCTIONS, ...options.functions } as Record<string, Fn>;

  const machine = new LocalStateMachine(
    definition,
    async (fn, payload) => {
      const p = payload as Record<string, unknown>;
      const callNo = calls.filter((c) => c.fn === fn).length;
      calls.push({ fn, payload: p });
      if (fn === 'AssignTaskFunctionArn') {
        assigned.push({ token: String(p.taskToken), payload: p as unknown as AssignTaskInput });
        notify();
        return { taskId: `task-${assigned.length}` };
      }
      const impl = functions[fn];
      if (!impl) throw new Error(`No scripted result for ${fn}`);
      return impl(p, callNo);
    },
    tokens,
  );

  let execution: ReturnType<LocalStateMachine['start']> | undefined;

  /** The next human task of this kind the execution assigned (fails fast instead of hanging). */
  async function task(kind: TaskKind, timeoutMs = 3000): Promise<AssignedTask> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = assigned.find((t) => t.payload.kind === kind && !claimed.has(t));
      if (found) {
        claimed.add(found);
        return found;
      }
      if (Date.now() > deadline) {
        throw new Error(`No ${kind} task was assigned; states so far: ${statesEntered().join(' > ')}`);
      }
      await Promise.race([new Promise<void>((r) => (notify = r)), new Promise((r) => setTimeout(r, 50))]);
    }
  }

  function statesEntered(): string[] {
    return (execution?.events ?? []).filter((e) => e.type === 'StateEntered').map((e) => e.stateName ?? '');
  }

  return {
    definition,
    tokens,
    calls,
    start(input: WorkflowInput | Record<string, unknown>, waitTimeOverrides: Record<string, number> = {}) {
      execution = machine.start(input as unknown as JsonValue, {
        name: String(input.requestId),
        executionArn: `arn:aws:states:us-east-1:000000000000:execution:software-request:${String(input.requestId)}`,
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:software-request',
        waitTimeOverrides,
        retryIntervalOverrides: Object.fromEntries(machine.taskStates.map((t) => [t.stateName, 0])),
      });
      execution.result.catch(() => undefined);
      return execution;
    },
    task,
    /** A person decides the next task of `kind`: SendTaskSuccess with this output. */
    async decide(kind: TaskKind, output: Record<string, unknown>) {
      const t = await task(kind);
      tokens.succeed(t.token, JSON.stringify(output));
      return t;
    },
    async finish(): Promise<{ output: unknown; events: ExecutionEvent[] }> {
      if (!execution) throw new Error('not started');
      const output = await execution.result;
      await execution.settled;
      return { output, events: execution.events };
    },
    async failure(): Promise<{ error: Error; events: ExecutionEvent[] }> {
      if (!execution) throw new Error('not started');
      try {
        await execution.result;
      } catch (error) {
        await execution.settled;
        return { error: error as Error, events: execution.events };
      }
      throw new Error(`Execution succeeded; states: ${statesEntered().join(' > ')}`);
    },
    statesEntered,
    /** The engine's events so far. */
    events: (): ExecutionEvent[] => execution?.events ?? [],
    callsTo(fn: string) {
      return calls.filter((c) => c.fn === fn).map((c) => c.payload);
    },
    abort() {
      execution?.abort();
    },
  };
}
