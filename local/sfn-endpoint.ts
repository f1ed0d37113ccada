/**
 * A Step Functions-compatible endpoint (AWS JSON 1.0 protocol, `X-Amz-Target: AWSStepFunctions.*`)
 * over local/asl-runner.ts, so handlers use the real `@aws-sdk/client-sfn` through
 * AWS_ENDPOINT_URL_SFN: StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory,
 * SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat, StopExecution.
 *
 * Every execution is kept on disk (local/executions-store.ts) with a journal of its task results and
 * human decisions. When the runtime starts, a RUNNING execution found on disk is resumed: it is run
 * again from its input and every task already done is answered from the journal instead of being
 * invoked again (no repeated emails, audit events or scans); a human wait that was still open gets
 * back its original task token, so the link already emailed keeps working. If the run no longer
 * matches the journal (the ASL changed in between), the execution is ABORTED, the request is marked
 * ERROR through the record-error function and the operators are told, as for any system error.
 */
import { randomUUID } from 'node:crypto';
import {
  type AslDefinition,
  type ExecutionEvent,
  type InvocationContext,
  type JsonValue,
  type LocalExecution,
  LocalStateMachine,
  TaskTokenError,
  TaskTokens,
} from './asl-runner.ts';
import { executionArn as toExecutionArn, stateMachineArn as toStateMachineArn } from './config.ts';
import type {
  ExecutionRecord,
  ExecutionStatus,
  ExecutionsStore,
  JournalEntry,
  NamedError,
  WaitJournalEntry,
} from './executions-store.ts';
import type { SimpleRequest, SimpleResponse } from './http-server.ts';

/** Calls the function behind an ASL substitution (e.g. `CheckSslFunctionArn`) in-process. */
export type TaskInvoker = (functionVar: string, payload: JsonValue) => Promise<unknown>;

export interface StepFunctionsEndpointOptions {
  store: ExecutionsStore;
  machines: { name: string; definition: AslDefinition }[];
  invoke: TaskInvoker;
  /** Wait state durations in ms by state name (e.g. `{ WaitForSslScan: 0 }` in tests). */
  waitTimeOverrides?: Record<string, number>;
  /** Retry intervals in ms by state name. */
  retryIntervalOverrides?: Record<string, number>;
  log?: (message: string) => void;
}

/** An error the API answers with HTTP 400 and `__type`, as Step Functions does. */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

interface Machine {
  name: string;
  arn: string;
  definition: AslDefinition;
  tokens: TaskTokens;
  engine: LocalStateMachine;
  /** Task state name → resource kind, for the AWS-shaped history. */
  tasks: Map<string, { waits: boolean }>;
}

interface Run {
  machine: Machine;
  record: ExecutionRecord;
  execution?: LocalExecution;
  /** Next journal entry to replay. */
  cursor: number;
  /** True while the run is answered from the journal (Wait states and retry intervals are skipped). */
  replaying: boolean;
  /** Settles when the replay is over (the run is live again). */
  replayed: PromiseWithResolvers<void>;
  /** Engine events already on disk: the replay re-emits them and they are not stored twice. */
  skipEvents: number;
  seenEvents: number;
  /** Shutdown began: no new task is invoked and no event is stored. */
  stopping: boolean;
  /** The run no longer writes anything (shutdown finished, stopped, or it could not be resumed). */
  detached: boolean;
  inflight: Set<Promise<unknown>>;
}

interface TokenOwner {
  machine: Machine;
  run: Run;
  entry: WaitJournalEntry;
}

const TASK_TOKEN_REDACTED = '[task token]';
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;
const RESUMED_SUMMARY = 'The local runtime restarted; the execution was resumed from its journal';

export class StepFunctionsEndpoint {
  private readonly machines = new Map<string, Machine>();
  private readonly runs = new Map<string, Run>();
  /** Tokens minted in this process → the wait they belong to. */
  private readonly owners = new Map<string, TokenOwner>();
  /** Tokens handed out before a restart → the token of the same wait in this process. */
  private readonly aliases = new Map<string, string>();
  /** Every token the journals know (also closed ones), to answer TaskDoesNotExist / TaskTimedOut. */
  private readonly knownTokens = new Map<string, WaitJournalEntry>();
  private readonly waitTimeOverrides: Record<string, number>;
  private readonly retryIntervalOverrides: Record<string, number>;
  private readonly log: (message: string) => void;

  constructor(private readonly options: StepFunctionsEndpointOptions) {
    this.log = options.log ?? (() => undefined);
    this.waitTimeOverrides = options.waitTimeOverrides ?? {};
    this.retryIntervalOverrides = options.retryIntervalOverrides ?? {};
    for (const { name, definition } of options.machines) {
      const tokens = new TaskTokens();
      const machine: Machine = {
        name,
        arn: toStateMachineArn(name),
        definition,
        tokens,
        engine: undefined as unknown as LocalStateMachine,
        tasks: new Map(),
      };
      machine.engine = new LocalStateMachine(
        definition,
        (functionVar, payload, call) => this.invokeTask(machine, functionVar, payload, call),
        tokens,
      );
      for (const t of machine.engine.taskStates) machine.tasks.set(t.stateName, { waits: t.waits });
      this.machines.set(machine.arn, machine);
    }
    for (const record of options.store.list()) {
      for (const entry of record.journal) if (entry.kind === 'wait') this.knownTokens.set(entry.token, entry);
    }
  }

  stateMachineArns(): string[] {
    return [...this.machines.keys()];
  }

  // ---- API operations ----------------------------------------------------------------------------

  startExecution(input: { stateMachineArn?: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: number;
  } {
    const machine = this.machines.get(input.stateMachineArn ?? '');
    if (!machine) {
      throw new SfnApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${input.stateMachineArn}'`,
      );
    }
    const name = input.name ?? randomUUID();
    if (!NAME_PATTERN.test(name)) {
      throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    }
    const rawInput = input.input ?? '{}';
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(rawInput) as JsonValue;
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
    }
    const existing = this.options.store.get(machine.name, name);
    if (existing) {
      // As on AWS: the same name and input while RUNNING is the same execution (an idempotent retry).
      if (existing.status === 'RUNNING' && existing.input === rawInput) {
        return { executionArn: existing.executionArn, startDate: existing.startDate / 1000 };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn: toExecutionArn(machine.name, name),
      stateMachineArn: machine.arn,
      stateMachine: machine.name,
      name,
      status: 'RUNNING',
      startDate: Date.now(),
      input: rawInput,
      events: [],
      journal: [],
      resumes: [],
    };
    this.options.store.create(record);
    this.launch(machine, record, parsed);
    return { executionArn: record.executionArn, startDate: record.startDate / 1000 };
  }

  describeExecution(executionArn: string | undefined) {
    const record = this.requireRecord(executionArn);
    return {
      executionArn: record.executionArn,
      stateMachineArn: record.stateMachineArn,
      name: record.name,
      status: record.status,
      startDate: record.startDate / 1000,
      ...(record.stopDate !== undefined ? { stopDate: record.stopDate / 1000 } : {}),
      input: record.input,
      inputDetails: { included: true },
      ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    };
  }

  listExecutions(input: {
    stateMachineArn?: string;
    statusFilter?: string;
    maxResults?: number;
    nextToken?: string;
  }) {
    if (!input.stateMachineArn || !this.machines.has(input.stateMachineArn)) {
      throw new SfnApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${input.stateMachineArn}'`,
      );
    }
    const all = this.options.store
      .list()
      .filter((r) => r.stateMachineArn === input.stateMachineArn)
      .filter((r) => !input.statusFilter || r.status === input.statusFilter);
    const { page, nextToken } = paginate(all, input.maxResults, input.nextToken);
    return {
      executions: page.map((r) => ({
        executionArn: r.executionArn,
        stateMachineArn: r.stateMachineArn,
        name: r.name,
        status: r.status,
        startDate: r.startDate / 1000,
        ...(r.stopDate !== undefined ? { stopDate: r.stopDate / 1000 } : {}),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  getExecutionHistory(input: {
    executionArn?: string;
    maxResults?: number;
    nextToken?: string;
    reverseOrder?: boolean;
    includeExecutionData?: boolean;
  }) {
    const record = this.requireRecord(input.executionArn);
    let events = awsHistory(record, this.machineOf(record)?.tasks);
    if (input.includeExecutionData === false) events = events.map(withoutData);
    if (input.reverseOrder) events = events.toReversed();
    const { page, nextToken } = paginate(events, input.maxResults, input.nextToken);
    return {
      events: page.map((e) => ({ ...e, timestamp: e.timestamp / 1000 })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  sendTaskSuccess(token: string | undefined, output: string | undefined): void {
    if (output === undefined) throw new SfnApiError('InvalidOutput', 'Invalid Output: output is required');
    try {
      JSON.parse(output);
    } catch {
      throw new SfnApiError('InvalidOutput', 'Invalid Output: not valid JSON');
    }
    const owner = this.ownerOf(token);
    tokenCall(() => owner.machine.tokens.succeed(owner.token, output));
    Object.assign(owner.entry, { status: 'succeeded', output, answeredAt: Date.now() });
    this.options.store.save(owner.run.record);
  }

  sendTaskFailure(token: string | undefined, error = '', cause = ''): void {
    const owner = this.ownerOf(token);
    tokenCall(() => owner.machine.tokens.fail(owner.token, error, cause));
    Object.assign(owner.entry, { status: 'failed', error, cause, answeredAt: Date.now() });
    this.options.store.save(owner.run.record);
  }

  sendTaskHeartbeat(token: string | undefined): void {
    const owner = this.ownerOf(token);
    tokenCall(() => owner.machine.tokens.heartbeat(owner.token));
  }

  stopExecution(executionArn: string | undefined, error?: string, cause?: string): { stopDate: number } {
    const record = this.requireRecord(executionArn);
    const run = this.runs.get(runKey(record.stateMachine, record.name));
    if (record.status !== 'RUNNING' || !run) return { stopDate: (record.stopDate ?? Date.now()) / 1000 };
    this.close(run, 'ABORTED', {
      ...(error !== undefined ? { error } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });
    run.execution?.abort();
    return { stopDate: (record.stopDate ?? Date.now()) / 1000 };
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

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
      this.launch(machine, record, JSON.parse(record.input) as JsonValue, true);
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
    if (inflight.length > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(inflight),
        new Promise((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
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

  // ---- the protocol ------------------------------------------------------------------------------

  /**
   * Right after a restart a resumed execution is still replaying its journal for a moment: an answer
   * to one of its open waits waits for the replay to reach it (bounded) instead of being refused.
   */
  async untilReplayed(token: string | undefined, timeoutMs = 10_000): Promise<void> {
    const entry = token ? this.knownTokens.get(token) : undefined;
    if (!entry || this.aliases.has(token as string) || this.owners.has(token as string)) return;
    const run = [...this.runs.values()].find((r) => r.replaying && r.record.journal.includes(entry));
    if (!run) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      run.replayed.promise,
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Answers an AWS JSON 1.0 request, or returns undefined when it is not a Step Functions call. */
  async handle(request: SimpleRequest): Promise<SimpleResponse | undefined> {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith('AWSStepFunctions.')) return undefined;
    const operation = target.slice('AWSStepFunctions.'.length);
    try {
      let body: Record<string, unknown>;
      try {
        body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
      } catch {
        throw new SfnApiError('SerializationException', 'The request body is not valid JSON');
      }
      if (operation.startsWith('SendTask') && typeof body.taskToken === 'string') {
        await this.untilReplayed(body.taskToken);
      }
      return awsJson(200, this.dispatch(operation, body));
    } catch (error) {
      if (error instanceof SfnApiError) {
        return awsJson(error.status, { __type: error.type, message: error.message }, error.type);
      }
      this.log(`${operation} failed: ${(error as Error).message}`);
      return awsJson(500, { __type: 'InternalFailure', message: 'Internal failure' }, 'InternalFailure');
    }
  }

  private dispatch(operation: string, b: Record<string, unknown>): unknown {
    const s = (k: string) => (typeof b[k] === 'string' ? (b[k] as string) : undefined);
    const n = (k: string) => (typeof b[k] === 'number' ? (b[k] as number) : undefined);
    switch (operation) {
      case 'StartExecution':
        return this.startExecution({
          stateMachineArn: s('stateMachineArn'),
          name: s('name'),
          input: s('input'),
        });
      case 'DescribeExecution':
        return this.describeExecution(s('executionArn'));
      case 'ListExecutions':
        return this.listExecutions({
          stateMachineArn: s('stateMachineArn'),
          statusFilter: s('statusFilter'),
          maxResults: n('maxResults'),
          nextToken: s('nextToken'),
        });
      case 'GetExecutionHistory':
        return this.getExecutionHistory({
          executionArn: s('executionArn'),
          maxResults: n('maxResults'),
          nextToken: s('nextToken'),
          reverseOrder: b.reverseOrder === true,
          includeExecutionData: b.includeExecutionData !== false,
        });
      case 'SendTaskSuccess':
        this.sendTaskSuccess(s('taskToken'), s('output'));
        return {};
      case 'SendTaskFailure':
        this.sendTaskFailure(s('taskToken'), s('error'), s('cause'));
        return {};
      case 'SendTaskHeartbeat':
        this.sendTaskHeartbeat(s('taskToken'));
        return {};
      case 'StopExecution':
        return this.stopExecution(s('executionArn'), s('error'), s('cause'));
      case 'ListStateMachines':
        return {
          stateMachines: [...this.machines.values()].map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: 'STANDARD',
            creationDate: 0,
          })),
        };
      default:
        throw new SfnApiError(
          'UnknownOperationException',
          `The local endpoint does not implement ${operation}`,
        );
    }
  }

  // ---- running executions --------------------------------------------------------------------------

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
    const waits = new Proxy({} as Record<string, number>, {
      get: (_t, state: string) => (run.replaying ? 0 : this.waitTimeOverrides[state]),
    });
    const retries = new Proxy({} as Record<string, number>, {
      get: (_t, state: string) => (run.replaying ? 0 : this.retryIntervalOverrides[state]),
    });
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
    if (run.cursor < record.journal.length) {
      const entry = record.journal[run.cursor] as JournalEntry;
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
    run.record.journal.push(entry);
    run.cursor = run.record.journal.length;
    this.owners.set(token, { machine: run.machine, run, entry });
    this.knownTokens.set(token, entry);
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
    const token = call.taskToken as string;
    const { tokens } = run.machine;
    this.owners.set(token, { machine: run.machine, run, entry });
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
        // Still open: the token already stored (and behind the emailed link) now reaches this wait.
        this.aliases.set(entry.token, token);
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
    const requestId = (JSON.parse(run.record.input) as { requestId?: unknown }).requestId;
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

  private ownerOf(token: string | undefined): TokenOwner & { token: string } {
    if (!token) throw new SfnApiError('InvalidToken', 'Invalid Token: taskToken is required');
    const current = this.aliases.get(token) ?? token;
    const owner = this.owners.get(current);
    if (owner) return { ...owner, token: current };
    const known = this.knownTokens.get(token);
    if (known?.status === 'timed-out') throw new SfnApiError('TaskTimedOut', 'Task Timed Out');
    if (known) throw new SfnApiError('TaskDoesNotExist', 'Task does not exist anymore');
    throw new SfnApiError('InvalidToken', 'Invalid Token');
  }

  private requireRecord(executionArn: string | undefined): ExecutionRecord {
    const record = executionArn ? this.options.store.byArn(executionArn) : undefined;
    if (!record)
      throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  private machineOf(record: ExecutionRecord): Machine | undefined {
    return this.machines.get(record.stateMachineArn);
  }

  /** The local view of one execution: raw engine events (with resume markers) and the AWS history. */
  detail(record: ExecutionRecord) {
    return {
      name: record.name,
      executionArn: record.executionArn,
      stateMachine: record.stateMachine,
      stateMachineArn: record.stateMachineArn,
      status: record.status,
      startDate: new Date(record.startDate).toISOString(),
      stopDate: record.stopDate !== undefined ? new Date(record.stopDate).toISOString() : null,
      input: parseJson(record.input),
      output: record.output !== undefined ? parseJson(record.output) : undefined,
      error: record.error ?? null,
      cause: record.cause ?? null,
      /** Human waits announced and not answered yet (state names): who the execution waits for now. */
      waitingFor: record.journal
        .filter((e): e is WaitJournalEntry => e.kind === 'wait' && e.status === 'pending')
        .map((e) => e.stateName),
      resumes: record.resumes.map((r) => ({ ...r, at: new Date(r.at).toISOString() })),
      /** True while a resumed execution is still being answered from its journal. */
      replaying: this.runs.get(runKey(record.stateMachine, record.name))?.replaying ?? false,
      events: localEvents(record),
      history: awsHistory(record, this.machineOf(record)?.tasks).map((e) => ({
        ...e,
        timestamp: new Date(e.timestamp).toISOString(),
      })),
    };
  }
}

// ---- AWS-shaped history --------------------------------------------------------------------------

export interface AwsHistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch milliseconds (the API turns it into seconds, the local JSON into ISO text). */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/**
 * The engine's events and the journal as Step Functions history events: ExecutionStarted,
 * TaskStateEntered / ChoiceStateEntered / …, TaskScheduled, TaskStarted, TaskSubmitted,
 * TaskSucceeded / TaskFailed / TaskTimedOut, …StateExited, ExecutionSucceeded / Failed / Aborted.
 */
export function awsHistory(
  record: ExecutionRecord,
  tasks: Map<string, { waits: boolean }> = new Map(),
): AwsHistoryEvent[] {
  const out: AwsHistoryEvent[] = [];
  const push = (type: string, timestamp: number, details: Record<string, unknown> = {}) => {
    const id = out.length + 1;
    out.push({ id, previousEventId: id - 1, timestamp, type, ...details });
  };
  const json = (v: unknown) => JSON.stringify(v ?? null);
  const resumes = [...record.resumes];
  let cursor = 0;
  const current = new Map<string, JournalEntry>();
  const resourceOf = (state: string) => (tasks.get(state)?.waits ? 'invoke.waitForTaskToken' : 'invoke');

  const schedule = (state: string, at: number) => {
    const entry = record.journal[cursor];
    if (entry?.stateName === state) {
      cursor++;
      current.set(state, entry);
    } else current.delete(state);
    const base = { resourceType: 'lambda', resource: resourceOf(state) };
    push('TaskScheduled', entry?.scheduledAt ?? at, {
      taskScheduledEventDetails: {
        ...base,
        region: 'us-east-1',
        parameters: json({ FunctionName: entry?.functionVar, Payload: entry?.payload }),
      },
    });
    push('TaskStarted', entry?.scheduledAt ?? at, { taskStartedEventDetails: base });
    if (entry?.kind === 'wait' && entry.submittedAt !== undefined) {
      push('TaskSubmitted', entry.submittedAt, { taskSubmittedEventDetails: { ...base, output: '{}' } });
    }
  };

  record.events.forEach((e, index) => {
    while (resumes[0] && resumes[0].afterEvent <= index) {
      const r = resumes.shift();
      if (r) push('ExecutionResumed', r.at, { executionResumedEventDetails: { cause: RESUMED_SUMMARY } });
    }
    const state = e.stateName ?? '';
    const isTask = e.stateType === 'Task';
    switch (e.type) {
      case 'ExecutionStarted':
        push('ExecutionStarted', e.timestamp, {
          executionStartedEventDetails: {
            input: json(e.input),
            inputDetails: { truncated: false },
            roleArn: 'arn:aws:iam::000000000000:role/local-state-machine',
          },
        });
        break;
      case 'StateEntered':
        push(`${e.stateType}StateEntered`, e.timestamp, {
          stateEnteredEventDetails: { name: state, input: json(e.input), inputDetails: { truncated: false } },
        });
        if (isTask) schedule(state, e.timestamp);
        break;
      case 'StateRetried':
        if (isTask) schedule(state, e.timestamp);
        break;
      case 'StateFailed':
        if (isTask) {
          const base = {
            resourceType: 'lambda',
            resource: resourceOf(state),
            error: e.error,
            cause: e.cause,
          };
          if (e.error === 'States.Timeout')
            push('TaskTimedOut', e.timestamp, { taskTimedOutEventDetails: base });
          else push('TaskFailed', e.timestamp, { taskFailedEventDetails: base });
        }
        break;
      case 'StateExited': {
        if (isTask) {
          const entry = current.get(state);
          const output =
            entry?.kind === 'wait'
              ? (entry.output ?? 'null')
              : json({ ExecutedVersion: '$LATEST', Payload: entry?.result ?? null, StatusCode: 200 });
          push('TaskSucceeded', e.timestamp, {
            taskSucceededEventDetails: { resourceType: 'lambda', resource: resourceOf(state), output },
          });
        }
        push(`${e.stateType}StateExited`, e.timestamp, {
          stateExitedEventDetails: {
            name: state,
            output: json(e.output),
            outputDetails: { truncated: false },
          },
        });
        break;
      }
      case 'ExecutionSucceeded':
        push('ExecutionSucceeded', e.timestamp, {
          executionSucceededEventDetails: { output: json(e.output), outputDetails: { truncated: false } },
        });
        break;
      case 'ExecutionFailed':
        push('ExecutionFailed', e.timestamp, {
          executionFailedEventDetails: { error: e.error, cause: e.cause },
        });
        break;
      case 'ExecutionAborted':
        push('ExecutionAborted', e.timestamp, {
          executionAbortedEventDetails: { error: record.error, cause: record.cause },
        });
        break;
      case 'ExecutionTimeout':
        push('ExecutionTimedOut', e.timestamp, { executionTimedOutEventDetails: {} });
        break;
      default:
        break; // StateCaught, Map/Parallel events: Step Functions has no event of its own for them.
    }
  });
  for (const r of resumes) {
    push('ExecutionResumed', r.at, { executionResumedEventDetails: { cause: RESUMED_SUMMARY } });
  }
  const terminal = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/;
  if (record.status !== 'RUNNING' && !out.some((e) => terminal.test(e.type))) {
    const at = record.stopDate ?? Date.now();
    const details = { error: record.error, cause: record.cause };
    if (record.status === 'ABORTED') push('ExecutionAborted', at, { executionAbortedEventDetails: details });
    else if (record.status === 'FAILED')
      push('ExecutionFailed', at, { executionFailedEventDetails: details });
    else if (record.status === 'TIMED_OUT')
      push('ExecutionTimedOut', at, { executionTimedOutEventDetails: details });
  }
  return out;
}

/** The engine's events as stored (what the executions pages draw the path from), with resume markers. */
export function localEvents(record: ExecutionRecord) {
  const out: Record<string, unknown>[] = [];
  const resumes = [...record.resumes];
  record.events.forEach((e, index) => {
    while (resumes[0] && resumes[0].afterEvent <= index) {
      const r = resumes.shift();
      if (r)
        out.push({
          type: 'ExecutionResumed',
          timestamp: new Date(r.at).toISOString(),
          cause: RESUMED_SUMMARY,
        });
    }
    out.push({ ...e, timestamp: new Date(e.timestamp).toISOString() });
  });
  for (const r of resumes) {
    out.push({ type: 'ExecutionResumed', timestamp: new Date(r.at).toISOString(), cause: RESUMED_SUMMARY });
  }
  return out;
}

// ---- helpers -------------------------------------------------------------------------------------

function runKey(machine: string, name: string): string {
  return `${machine}\u0000${name}`;
}

function awsJson(status: number, body: unknown, errorType?: string): SimpleResponse {
  return {
    status,
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'x-amzn-RequestId': randomUUID(),
      ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
    },
    body: JSON.stringify(body),
  };
}

function tokenCall(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaskTokenError) throw new SfnApiError(error.name, error.message);
    throw error;
  }
}

function paginate<T>(items: T[], maxResults = 100, nextToken?: string): { page: T[]; nextToken?: string } {
  const size = Math.min(Math.max(maxResults || 100, 1), 1000);
  let start = 0;
  if (nextToken) {
    start = Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(start) || start < 0)
      throw new SfnApiError('InvalidToken', 'Invalid Token: nextToken');
  }
  const page = items.slice(start, start + size);
  const next =
    start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return next ? { page, nextToken: next } : { page };
}

function withoutData(event: AwsHistoryEvent): AwsHistoryEvent {
  const out: AwsHistoryEvent = { ...event };
  for (const [k, v] of Object.entries(out)) {
    if (k.endsWith('EventDetails') && v && typeof v === 'object') {
      const { input: _i, output: _o, parameters: _p, ...rest } = v as Record<string, unknown>;
      out[k] = rest;
    }
  }
  return out;
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function redact(payload: JsonValue, token: string): unknown {
  return JSON.parse(JSON.stringify(payload).replaceAll(token, TASK_TOKEN_REDACTED));
}
