/**
 * Runs the product's ASL files on aws-local-stepfunctions with the semantics the engine lacks:
 * - `lambda:invoke` Tasks call an in-process function and get AWS's `{ Payload, StatusCode }` shape;
 *   a thrown error surfaces with its name as the Step Functions error, like a Lambda function error;
 * - `lambda:invoke.waitForTaskToken` Tasks mint a fresh token per wait, hand it to the function in
 *   place of `$$.Task.Token`, and wait for SendTaskSuccess/SendTaskFailure through `TaskTokens`;
 * - the state's TimeoutSeconds is a deadline on the local clock (local/clock-timers.ts), not an engine
 *   timer: when the clock passes it the wait fails with States.Timeout, and a late answer gets
 *   `TaskTimedOut` as on AWS; Wait states also end when the local clock passes their time.
 * The same runner serves the workflow tests and the local runtime: one definition, no copies.
 */
import { fieldOf } from '#shared/core/guards.ts';
import '#shared/core/runtime/promise-with-resolvers.ts';
import { randomBytes } from 'node:crypto';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type AslDefinition,
  forTheEngine,
  functionVarOf,
  type JsonValue,
  LAMBDA_INVOKE,
  LAMBDA_WAIT,
  parseJson,
  payloadOf,
  roundTrip,
} from './asl-definition.ts';
import { ClockTimers } from './clock-timers.ts';

/** The engine's event log entry type (not exported by the package). */
type EventLog = Awaited<
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never
>;

/** Which execution and state a function call belongs to (the local runtime journals calls by it). */
export interface InvocationContext {
  executionName: string;
  stateName: string;
  /** waitForTaskToken states: the token minted for this wait (also in the payload). */
  taskToken?: string;
}

/** Invokes the function behind an ASL substitution such as `CheckSslFunctionArn`. */
export type FunctionInvoker = (
  functionVar: string,
  payload: JsonValue,
  call: InvocationContext,
) => Promise<unknown>;

const TOKEN_PLACEHOLDER = '__TASK_TOKEN__';
/** An error shaped like the ones the SFN API returns for task-token calls. */
export class TaskTokenError extends Error {
  constructor(name: 'TaskDoesNotExist' | 'InvalidToken' | 'TaskTimedOut', message: string) {
    super(message);
    this.name = name;
  }
}

interface PendingWait {
  executionName: string;
  stateName: string;
  resolve: (output: unknown) => void;
  reject: (error: Error) => void;
  /** Local clock time (epoch ms) at which the wait fails with States.Timeout. */
  deadline: number;
  cancelTimer: () => void;
}

/** The task tokens of every waiting execution: mint, answer, expire (on the local clock). */
export class TaskTokens {
  private readonly pending = new Map<string, PendingWait>();
  private readonly closed = new Map<string, 'ANSWERED' | 'TIMED_OUT' | 'ABORTED'>();

  /** `timers` runs on the local clock; its Wait states use the same clock (LocalStateMachine). */
  constructor(readonly timers: ClockTimers = new ClockTimers()) {}

  mint(): string {
    return `local-${randomBytes(24).toString('base64url')}`;
  }

  wait(
    token: string,
    meta: { executionName: string; stateName: string; timeoutSeconds: number },
  ): Promise<unknown> {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const deadline = this.timers.now() + meta.timeoutSeconds * 1000;
    this.pending.set(token, {
      executionName: meta.executionName,
      stateName: meta.stateName,
      resolve,
      reject,
      deadline,
      cancelTimer: this.timers.at(deadline, () => this.expire(token)),
    });
    return promise;
  }

  /** The deadline of an open wait (local clock, epoch ms). */
  deadlineOf(token: string): number | undefined {
    return this.pending.get(token)?.deadline;
  }

  /**
   * Moves an open wait's deadline: a wait resumed after a restart keeps the deadline it had (the
   * journal's), not a fresh one counted from the restart.
   */
  setDeadline(token: string, deadline: number): void {
    const wait = this.pending.get(token);
    if (!wait) return;
    wait.cancelTimer();
    wait.deadline = deadline;
    wait.cancelTimer = this.timers.at(deadline, () => this.expire(token));
  }

  /** SendTaskSuccess: `output` is the JSON string the API receives. */
  succeed(token: string, output: string): void {
    const wait = this.take(token);
    wait.resolve(JSON.parse(output));
  }

  /** SendTaskFailure: the state sees `{ Error: error, Cause: cause }` in its Catch. */
  fail(token: string, error: string, cause: string): void {
    const wait = this.take(token);
    const failure = new Error(cause);
    failure.name = error;
    wait.reject(failure);
  }

  /** SendTaskHeartbeat: valid only while the wait is open. */
  heartbeat(token: string): void {
    this.check(token);
  }

  /** The function that was to announce the wait failed: nobody holds the token. */
  cancel(token: string): void {
    const wait = this.pending.get(token);
    this.close(token, 'ABORTED');
    wait?.reject(Object.assign(new Error('Task assignment failed'), { name: 'TaskAssignmentFailed' }));
  }

  /** Tokens an execution is waiting on (for DescribeExecution-like views and restarts). */
  waitsOf(executionName: string): { token: string; stateName: string }[] {
    return [...this.pending]
      .filter(([, w]) => w.executionName === executionName)
      .map(([token, w]) => ({ token, stateName: w.stateName }));
  }

  /** StopExecution or shutdown: the execution's waits end and later answers are refused. */
  abortExecution(executionName: string): void {
    for (const { token } of this.waitsOf(executionName)) {
      const wait = this.pending.get(token);
      this.close(token, 'ABORTED');
      wait?.reject(Object.assign(new Error('Execution aborted'), { name: 'ExecutionAborted' }));
    }
  }

  private check(token: string): PendingWait {
    const wait = this.pending.get(token);
    if (wait) return wait;
    const closed = this.closed.get(token);
    if (closed === 'TIMED_OUT') throw new TaskTokenError('TaskTimedOut', 'Task Timed Out');
    if (closed) throw new TaskTokenError('TaskDoesNotExist', 'Task does not exist anymore');
    throw new TaskTokenError('InvalidToken', 'Invalid token');
  }

  private take(token: string): PendingWait {
    const wait = this.check(token);
    this.close(token, 'ANSWERED');
    return wait;
  }

  /** The deadline passed: as on AWS, the state fails with States.Timeout (its Catch decides). */
  private expire(token: string): void {
    const wait = this.pending.get(token);
    if (!wait) return;
    this.close(token, 'TIMED_OUT');
    // The engine's own timeout error has this name and message: the Catch and the history see the same.
    wait.reject(Object.assign(new Error('States.Timeout'), { name: 'States.Timeout' }));
  }

  private close(token: string, how: 'ANSWERED' | 'TIMED_OUT' | 'ABORTED'): void {
    this.pending.get(token)?.cancelTimer();
    this.pending.delete(token);
    this.closed.set(token, how);
  }
}

/** Every type of event the engine logs (the package types them but does not list them). */
export const ENGINE_EVENT_TYPES = [
  'ExecutionStarted',
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimeout',
  'MapIterationStarted',
  'MapIterationSucceeded',
  'MapIterationFailed',
  'ParallelBranchStarted',
  'ParallelBranchSucceeded',
  'ParallelBranchFailed',
  'StateEntered',
  'StateExited',
  'StateFailed',
  'StateRetried',
  'StateCaught',
] as const satisfies readonly EventLog['type'][];

export interface ExecutionEvent {
  /** toEvent copies the engine's type here, so a type missing from the list does not compile. */
  type: (typeof ENGINE_EVENT_TYPES)[number];
  timestamp: number;
  stateName?: string;
  stateType?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
}

export interface StartOptions {
  /** Execution name (the request id). */
  name: string;
  executionArn: string;
  stateMachineArn: string;
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number | number[]>;
  onEvent?: (event: ExecutionEvent) => void;
}

export interface LocalExecution {
  result: Promise<unknown>;
  events: ExecutionEvent[];
  /** Resolves once every event of the run has been collected. */
  settled: Promise<void>;
  abort(): void;
}

/** One state machine definition, validated once, runnable many times. */
export class LocalStateMachine {
  private readonly machine: StateMachine;
  readonly taskStates: {
    stateName: string;
    functionVar: string;
    waits: boolean;
    timeoutSeconds: number;
    /** TimeoutSecondsPath: the payload's `timeoutSeconds` (assign-task's copy of it) expires the token. */
    timeoutFromPayload: boolean;
  }[];

  /** Wait states, run as local-clock tasks (their names keep `Wait` as their type in the events). */
  private readonly waitStates: Set<string>;

  constructor(
    readonly definition: AslDefinition,
    private readonly invoke: FunctionInvoker,
    private readonly tokens: TaskTokens,
  ) {
    const { engineDefinition, waitStates } = forTheEngine(definition);
    this.waitStates = waitStates;
    // Our AslState types the fields the runtime reads; the engine types every state kind apart and checks
    // the whole definition itself when it is constructed (asl-validator), so its type is asserted here.
    this.machine = new StateMachine(engineDefinition as StateMachineDefinition, {
      validationOptions: { checkArn: false },
    });
    this.taskStates = Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Task')
      .map(([stateName, s]) => {
        const functionVar = functionVarOf(s);
        if (!functionVar || (s.Resource !== LAMBDA_INVOKE && s.Resource !== LAMBDA_WAIT)) {
          throw new Error(
            `State ${stateName}: only Lambda tasks with a \${...FunctionArn} substitution are supported locally`,
          );
        }
        return {
          stateName,
          functionVar,
          waits: s.Resource === LAMBDA_WAIT,
          timeoutSeconds: s.TimeoutSeconds ?? 60,
          timeoutFromPayload: s.TimeoutSeconds === undefined && s.TimeoutSecondsPath !== undefined,
        };
      });
  }

  start(input: JsonValue, options: StartOptions): LocalExecution {
    const handlers: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    for (const task of this.taskStates) {
      handlers[task.stateName] = task.waits
        ? (params) => this.waitForToken(task, params, options.name)
        : (params) =>
            this.invokeLambda(task.functionVar, params, {
              executionName: options.name,
              stateName: task.stateName,
            });
    }
    for (const stateName of this.waitStates) {
      handlers[stateName] = (params) => this.waitOnClock(stateName, params, options.waitTimeOverrides);
    }
    const run = this.machine.run(input, {
      overrides: {
        taskResourceLocalHandlers: handlers,
        waitTimeOverrides: options.waitTimeOverrides,
        retryIntervalOverrides: options.retryIntervalOverrides,
      },
      context: {
        Execution: { Id: options.executionArn, Name: options.name },
        StateMachine: { Id: options.stateMachineArn },
        Task: { Token: TOKEN_PLACEHOLDER },
      },
    });
    const events: ExecutionEvent[] = [];
    const settled = (async () => {
      for await (const log of run.eventLogs) {
        const event = toEvent(log);
        if (event.stateName && this.waitStates.has(event.stateName)) event.stateType = 'Wait';
        events.push(event);
        options.onEvent?.(event);
      }
    })();
    return {
      result: run.result,
      events,
      settled,
      abort: () => {
        this.tokens.abortExecution(options.name);
        run.abort();
      },
    };
  }

  private async invokeLambda(
    functionVar: string,
    params: JsonValue,
    call: InvocationContext,
  ): Promise<JsonValue> {
    const payload = payloadOf(params);
    try {
      const result = await this.invoke(functionVar, payload, call);
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: roundTrip(result) };
    } catch (error) {
      throw asLambdaFunctionError(error);
    }
  }

  private async waitForToken(
    task: { stateName: string; functionVar: string; timeoutSeconds: number; timeoutFromPayload: boolean },
    params: JsonValue,
    executionName: string,
  ): Promise<JsonValue> {
    const token = this.tokens.mint();
    const payload = parseJson(JSON.stringify(payloadOf(params)).replaceAll(TOKEN_PLACEHOLDER, token));
    const fromPayload =
      payload && typeof payload === 'object' && !Array.isArray(payload) ? payload.timeoutSeconds : undefined;
    const answer = this.tokens.wait(token, {
      executionName,
      stateName: task.stateName,
      timeoutSeconds:
        task.timeoutFromPayload && typeof fromPayload === 'number' ? fromPayload : task.timeoutSeconds,
    });
    try {
      await this.invoke(task.functionVar, payload, {
        executionName,
        stateName: task.stateName,
        taskToken: token,
      });
    } catch (error) {
      this.tokens.cancel(token);
      answer.catch(() => undefined);
      throw asLambdaFunctionError(error);
    }
    return roundTrip(await answer);
  }

  /**
   * A Wait state: ends when the local clock reaches its time (Seconds / SecondsPath from now, or
   * Timestamp / TimestampPath). A test's waitTimeOverrides still win (read when the state starts, as
   * the engine reads them).
   */
  private async waitOnClock(
    stateName: string,
    params: JsonValue,
    overrides: Record<string, number> | undefined,
  ): Promise<JsonValue> {
    const override = overrides?.[stateName];
    if (override !== undefined) {
      if (override > 0) await new Promise((resolve) => setTimeout(resolve, override));
      return null;
    }
    const seconds = fieldOf(params, 'seconds');
    const timestamp = fieldOf(params, 'timestamp');
    const timers = this.tokens.timers;
    let at: number;
    if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) {
      at = timers.now() + seconds * 1000;
    } else if (typeof timestamp === 'string' && !Number.isNaN(Date.parse(timestamp))) {
      at = Date.parse(timestamp);
    } else {
      throw Object.assign(new Error(`Wait state ${stateName}: no valid Seconds or Timestamp`), {
        name: 'States.Runtime',
      });
    }
    await timers.until(at);
    return null;
  }
}

/** As on AWS: Error = the function's error type, Cause = `{ errorType, errorMessage }` as JSON. */
function asLambdaFunctionError(error: unknown): Error {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const out = new Error(JSON.stringify({ errorType: name, errorMessage: message }));
  out.name = name;
  return out;
}

function toEvent(log: EventLog): ExecutionEvent {
  const event: ExecutionEvent = { type: log.type, timestamp: log.timestamp };
  if ('state' in log && log.state) {
    event.stateName = log.state.name;
    event.stateType = log.state.type;
    event.input = log.state.input;
    if ('output' in log.state) event.output = log.state.output;
  }
  if ('input' in log) event.input = log.input;
  if ('output' in log) event.output = log.output;
  if ('Error' in log) event.error = String(log.Error);
  if ('Cause' in log) event.cause = String(log.Cause);
  return event;
}
