/**
 * Runs the executions of the local Step Functions endpoint and keeps their journal: every task result
 * and human decision is written to the execution's record (local/executions-store.ts) as it happens.
 *
 * When the runtime starts, a RUNNING execution found on disk is resumed: it is run again from its input
 * and every task already done is answered from the journal instead of being invoked again (no repeated
 * emails, audit events or scans); a human wait that was still open gets back its original task token,
 * so the link already emailed keeps working. If the run no longer matches the journal (the ASL changed
 * in between), the execution is ABORTED, the request is marked ERROR through the record-error function
 * and the operators are told, as for any system error.
 */

import { fieldOf } from '#shared/core/guards.ts';
import { type JsonValue, parseJson } from '../asl-definition.ts';
import { type ExecutionEvent, type InvocationContext, LocalStateMachine, TaskTokens } from '../asl-runner.ts';
import { ClockTimers } from '../clock-timers.ts';
import { stateMachineArn as toStateMachineArn } from '../config.ts';
import type {
  ExecutionRecord,
  ExecutionStatus,
  JournalEntry,
  NamedError,
  WaitJournalEntry,
} from '../executions-store.ts';
import type { Machine, Run, StepFunctionsEndpointOptions, TokenOwner } from './model.ts';
import { TokenBook } from './tokens.ts';

const TASK_TOKEN_REDACTED = '[task token]';

/** The executions running in this process, their task tokens and their journals. */
export class Runs {
  readonly machines = new Map<string, Machine>();
  private readonly runs = new Map<string, Run>();
  readonly book = new TokenBook<TokenOwner>();
  /** Deadlines and Wait states of every machine, on the local clock. */
  readonly timers: ClockTimers;
  private readonly waitTimeOverrides: Record<string, number>;
  private readonly retryIntervalOverrides: Record<string, number>;
  private readonly log: (message: string) => void;

  constructor(private readonly options: StepFunctionsEndpointOptions) {
    this.log = options.log ?? (() => undefined);
    this.waitTimeOverrides = options.waitTimeOverrides ?? {};
    this.retryIntervalOverrides = options.retryIntervalOverrides ?? {};
    this.timers = new ClockTimers(options.now);
    for (const { name, definition } of options.machines) {
      const tokens = new TaskTokens(this.timers);
      // The engine calls back into its machine, which holds it: the callback runs only once the machine exists.
      const engine = new LocalStateMachine(
        definition,
        (functionVar, payload, call) => this.invokeTask(machine, functionVar, payload, call),
        tokens,
      );
      const machine: Machine = {
        name,
        arn: toStateMachineArn(name),
        definition,
        tokens,
        engine,
        tasks: new Map(engine.taskStates.map((t) => [t.stateName, { waits: t.waits }])),
      };
      this.machines.set(machine.arn, machine);
    }
    for (const record of options.store.list()) {
      for (const entry of record.journal) if (entry.kind === 'wait') this.book.know(entry);
    }
  }

  /** The run of this execution in this process, if it is running here. */
  runOf(record: ExecutionRecord): Run | undefined {
    return this.runs.get(runKey(record.stateMachine, record.name));
  }

  /** Starts a new execution whose record was just created. */
  start(machine: Machine, record: ExecutionRecord, input: JsonValue): void {
    this.launch(machine, record, input);
  }

  /** StopExecution of a running execution: closed ABORTED with the caller's error and cause. */
  stop(run: Run, result: { error?: string; cause?: string }): void {
    this.close(run, 'ABORTED', result);
    run.execution?.abort();
  }

  /** Resumes every RUNNING execution found on disk (call once, after the handlers are loaded). */
  resumeInFlight(): ExecutionRecord[] {
    const resumed: ExecutionRecord[] = [];
    for (const record of this.options.store.list().filter((r) => r.status === 'RUNNING')) {
      if (this.runs.has(runKey(record.stateMachine, record.name))) continue;
      const machine = this.machines.get(record.stateMachineArn);
      if (!machine) {
        this.closeRecord(record, 'ABORTED', {
          error: 'LocalRuntimeRestarted',
          cause: `The local runtime restarted and no longer has the state machine ${record.stateMachineArn}`,
        });
        continue;
      }
      // An assignment cut short by the shutdown is redone: its function had not answered.
      const last = record.journal.at(-1);
      if (last?.kind === 'wait' && last.status === 'assigning') record.journal.pop();
      record.resumes.push({
        at: Date.now(),
        afterEvent: record.events.length,
        replayedEntries: record.journal.length,
      });
      this.options.store.save(record);
      this.log(
        `resuming ${record.stateMachine} execution ${record.name} (${record.journal.length} journal entries)`,
      );
      this.launch(machine, record, parseJson(record.input), true);
      resumed.push(record);
    }
    return resumed;
  }

  /**
   * Stops every run without closing it on disk (RUNNING executions resume at the next start): no new
   * task starts, the tasks already running finish (bounded) and are journaled, then the engine stops.
   */
  async shutdown(graceMs = 10_000): Promise<void> {
    const runs = [...this.runs.values()];
    for (const run of runs) run.stopping = true;
    const inflight = runs.flatMap((r) => [...r.inflight]);
    if (inflight.length > 0) await atMost(Promise.allSettled(inflight), graceMs);
    for (const run of runs) {
      run.detached = true;
      run.execution?.abort();
      this.options.store.save(run.record);
    }
    this.runs.clear();
    this.options.store.flush();
  }

  /** How many executions are running in this process. */
  runningCount(): number {
    return [...this.runs.values()].filter((r) => !r.detached).length;
  }

  /**
   * Right after a restart a resumed execution is still replaying its journal for a moment: an answer
   * to one of its open waits waits for the replay to reach it (bounded) instead of being refused.
   */
  async untilReplayed(token: string | undefined, timeoutMs = 10_000): Promise<void> {
    const entry = this.book.unclaimed(token);
    if (!entry) return;
    const run = [...this.runs.values()].find((r) => r.replaying && r.record.journal.includes(entry));
    if (!run) return;
    await atMost(run.replayed.promise, timeoutMs);
  }

  private launch(machine: Machine, record: ExecutionRecord, input: JsonValue, resume = false): void {
    const run: Run = {
      machine,
      record,
      cursor: 0,
      replaying: resume && record.journal.length > 0,
      replayed: Promise.withResolvers<void>(),
      skipEvents: resume ? record.events.length : 0,
      seenEvents: 0,
      stopping: false,
      detached: false,
      inflight: new Set(),
    };
    if (!run.replaying) run.replayed.resolve();
    this.runs.set(runKey(machine.name, record.name), run);
    // Read by the engine each time a Wait or a retry happens: skipped while replaying the journal.
    const skipWhileReplaying = (overrides: Record<string, number>) =>
      new Proxy<Record<string, number>>(
        {},
        { get: (_t, state: string) => (run.replaying ? 0 : overrides[state]) },
      );
    const waits = skipWhileReplaying(this.waitTimeOverrides);
    const retries = skipWhileReplaying(this.retryIntervalOverrides);
    const execution = machine.engine.start(input, {
      name: record.name,
      executionArn: record.executionArn,
      stateMachineArn: machine.arn,
      waitTimeOverrides: waits,
      retryIntervalOverrides: retries,
      onEvent: (event) => this.onEvent(run, event),
    });
    run.execution = execution;
    execution.result.then(
      async (output) => {
        await execution.settled;
        if (run.detached || record.status !== 'RUNNING') return;
        this.close(run, 'SUCCEEDED', { output: JSON.stringify(output ?? null) });
      },
      async (error: Error & { cause?: Error }) => {
        await execution.settled.catch(() => undefined);
        if (run.detached || record.status !== 'RUNNING') return;
        if (error.name === 'ExecutionAbortedError') this.close(run, 'ABORTED', {});
        else if (error.name === 'ExecutionTimeoutError')
          this.close(run, 'TIMED_OUT', { error: 'States.Timeout', cause: 'Execution timed out' });
        else {
          const inner = error.cause instanceof Error ? error.cause : error;
          this.close(run, 'FAILED', { error: inner.name, cause: inner.message });
        }
      },
    );
  }

  private onEvent(run: Run, event: ExecutionEvent): void {
    if (run.detached || run.stopping) return;
    const { record } = run;
    if (run.seenEvents < run.skipEvents) {
      const expected = record.events[run.seenEvents];
      run.seenEvents++;
      if (expected?.type !== event.type || expected?.stateName !== event.stateName) {
        this.diverge(
          run,
          `the run went through ${event.type} ${event.stateName ?? ''} where the history has ${expected?.type} ${expected?.stateName ?? ''}`,
        );
      }
      return;
    }
    run.seenEvents++;
    record.events.push(event);
    if (event.type === 'StateFailed' && event.error === 'States.Timeout' && event.stateName) {
      const entry = record.journal.findLast(
        (e): e is WaitJournalEntry =>
          e.kind === 'wait' &&
          e.stateName === event.stateName &&
          (e.status === 'pending' || e.status === 'assigning'),
      );
      if (entry) Object.assign(entry, { status: 'timed-out', answeredAt: event.timestamp });
      this.options.store.save(record);
      return;
    }
    this.options.store.saveSoon(record);
  }

  private async invokeTask(
    machine: Machine,
    functionVar: string,
    payload: JsonValue,
    call: InvocationContext,
  ): Promise<unknown> {
    const run = this.runs.get(runKey(machine.name, call.executionName));
    if (!run || run.detached || run.stopping) {
      throw Object.assign(new Error('The local runtime is stopping'), { name: 'LocalRuntimeStopping' });
    }
    const { record } = run;
    const entry = record.journal[run.cursor];
    if (entry !== undefined) {
      run.cursor++;
      try {
        return this.replay(run, entry, call);
      } finally {
        if (run.cursor >= record.journal.length) this.live(run);
      }
    }
    this.live(run);
    const work = call.taskToken
      ? this.assignLive(run, functionVar, payload, call.stateName, call.taskToken)
      : this.invokeLive(run, functionVar, payload, call.stateName);
    run.inflight.add(work);
    try {
      return await work;
    } finally {
      run.inflight.delete(work);
    }
  }

  private live(run: Run): void {
    run.replaying = false;
    run.replayed.resolve();
  }

  private async invokeLive(run: Run, functionVar: string, payload: JsonValue, stateName: string) {
    const scheduledAt = Date.now();
    const base = { kind: 'lambda' as const, stateName, functionVar, scheduledAt, payload };
    try {
      const result = await this.options.invoke(functionVar, payload);
      if (!run.detached) {
        run.record.journal.push({ ...base, completedAt: Date.now(), result: plain(result) });
        run.cursor = run.record.journal.length;
        this.options.store.save(run.record);
      }
      return result;
    } catch (error) {
      if (!run.detached) {
        run.record.journal.push({ ...base, completedAt: Date.now(), error: named(error) });
        run.cursor = run.record.journal.length;
        this.options.store.save(run.record);
      }
      throw error;
    }
  }

  private async assignLive(
    run: Run,
    functionVar: string,
    payload: JsonValue,
    stateName: string,
    token: string,
  ): Promise<unknown> {
    const entry: WaitJournalEntry = {
      kind: 'wait',
      stateName,
      functionVar,
      token,
      status: 'assigning',
      scheduledAt: Date.now(),
      payload: redact(payload, token),
    };
    const deadline = run.machine.tokens.deadlineOf(token);
    if (deadline !== undefined) entry.deadline = deadline;
    run.record.journal.push(entry);
    run.cursor = run.record.journal.length;
    this.book.own(token, { machine: run.machine, run, entry });
    this.book.know(entry);
    this.options.store.save(run.record);
    try {
      const result = await this.options.invoke(functionVar, payload);
      if (entry.status === 'assigning') entry.status = 'pending';
      entry.submittedAt = Date.now();
      if (!run.detached) this.options.store.save(run.record);
      return result;
    } catch (error) {
      entry.status = 'assign-failed';
      entry.assignError = named(error);
      if (!run.detached) this.options.store.save(run.record);
      throw error;
    }
  }

  /** Answers a task from the journal: the function is not invoked again. */
  private replay(run: Run, entry: JournalEntry, call: InvocationContext): unknown {
    const isWait = call.taskToken !== undefined;
    if (entry.stateName !== call.stateName || (entry.kind === 'wait') !== isWait) {
      this.diverge(run, `the journal has ${entry.stateName} where the run reached ${call.stateName}`);
      throw Object.assign(new Error('Execution could not be resumed'), { name: 'LocalRuntimeRestarted' });
    }
    if (entry.kind === 'lambda') {
      if (entry.error) throw toError(entry.error);
      return entry.result;
    }
    const token = call.taskToken;
    // A wait's entry is replayed only for a wait (checked above), which always carries its token.
    if (token === undefined) throw new Error(`${entry.stateName}: a wait replayed without its task token`);
    const { tokens } = run.machine;
    this.book.own(token, { machine: run.machine, run, entry });
    switch (entry.status) {
      case 'assign-failed':
        throw toError(entry.assignError ?? { name: 'Error', message: 'Task assignment failed' });
      // Answered on the next turn, once the runner awaits the answer; a run stopped meanwhile is left alone.
      case 'succeeded':
        setImmediate(() => quietly(() => tokens.succeed(token, entry.output ?? 'null')));
        return {};
      case 'failed':
        setImmediate(() => quietly(() => tokens.fail(token, entry.error ?? '', entry.cause ?? '')));
        return {};
      case 'timed-out':
        // The engine's own timeout error has this name and message; the state's Catch sees the same.
        setImmediate(() => quietly(() => tokens.fail(token, 'States.Timeout', 'States.Timeout')));
        return {};
      default:
        // Still open: the token already stored (and behind the emailed link) now reaches this wait,
        // which keeps the deadline it had before the restart.
        this.book.alias(entry.token, token);
        if (entry.deadline !== undefined) tokens.setDeadline(token, entry.deadline);
        return {};
    }
  }

  /** The run cannot follow its journal: close it honestly instead of repeating side effects. */
  private diverge(run: Run, why: string): void {
    if (run.detached) return;
    const cause = `The local runtime restarted and could not resume this execution: ${why}`;
    this.log(`${run.record.name}: ${cause}`);
    this.close(run, 'ABORTED', { error: 'LocalRuntimeRestarted', cause });
    run.execution?.abort();
    const requestId = fieldOf(JSON.parse(run.record.input), 'requestId');
    if (typeof requestId === 'string') {
      this.options
        .invoke('RecordErrorFunctionArn', {
          requestId,
          error: { Error: 'LocalRuntimeRestarted', Cause: cause },
        })
        .catch((error: Error) => this.log(`record-error for ${requestId} failed: ${error.message}`));
    }
  }

  private close(
    run: Run,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    result: { output?: string; error?: string; cause?: string },
  ): void {
    run.detached = true;
    this.runs.delete(runKey(run.machine.name, run.record.name));
    // The engine's own ExecutionAborted event comes after the run stopped writing: record it here.
    if (status === 'ABORTED') run.record.events.push({ type: 'ExecutionAborted', timestamp: Date.now() });
    this.closeRecord(run.record, status, result);
  }

  private closeRecord(
    record: ExecutionRecord,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    result: { output?: string; error?: string; cause?: string },
  ): void {
    Object.assign(record, { status, stopDate: Date.now() }, result);
    this.options.store.save(record);
  }
}

/** Waits for `promise`, but not longer than `ms`. */
async function atMost(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise,
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

function runKey(machine: string, name: string): string {
  return `${machine}\u0000${name}`;
}

function quietly(fn: () => void): void {
  try {
    fn();
  } catch {
    // the wait was closed in the meantime (execution stopped): nothing to answer
  }
}

function named(error: unknown): NamedError {
  return error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
}

function toError(e: NamedError): Error {
  return Object.assign(new Error(e.message), { name: e.name });
}

function plain(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

function redact(payload: JsonValue, token: string): unknown {
  return JSON.parse(JSON.stringify(payload).replaceAll(token, TASK_TOKEN_REDACTED));
}
