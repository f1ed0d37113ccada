/**
 * A Step Functions-compatible endpoint (AWS JSON 1.0 protocol, `X-Amz-Target: AWSStepFunctions.*`)
 * over local/asl-runner.ts, so handlers use the real `@aws-sdk/client-sfn` through
 * AWS_ENDPOINT_URL_SFN: StartExecution, DescribeExecution, ListExecutions, GetExecutionHistory,
 * SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat, StopExecution (and ListStateMachines).
 *
 * Every execution is kept on disk (local/executions-store.ts) with a journal of its task results and
 * human decisions (local/sfn/journal.ts: running, resuming after a restart); local/sfn/history.ts
 * tells an execution as AWS history events.
 */

import { randomUUID } from 'node:crypto';
import { asError } from '#shared/core/errors.ts';
import { isRecord } from '#shared/core/guards.ts';
import type { JsonValue } from '../asl-definition.ts';
import { parseJson } from '../asl-definition.ts';
import { TaskTokenError } from '../asl-runner.ts';
import { AwsApiError, awsJson, awsJsonError, awsJsonOperation, paginate } from '../aws/protocol.ts';
import { executionArn as toExecutionArn } from '../config.ts';
import type { ExecutionRecord, ExecutionsStore } from '../executions-store.ts';
import type { SimpleRequest, SimpleResponse } from '../http-types.ts';
import { awsHistory, localView, withoutData } from './history.ts';
import { Runs } from './journal.ts';
import type { StepFunctionsEndpointOptions } from './model.ts';

export type { StepFunctionsEndpointOptions, TaskInvoker } from './model.ts';

const NAME_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

export class StepFunctionsEndpoint {
  private readonly runs: Runs;
  private readonly store: ExecutionsStore;
  private readonly log: (message: string) => void;

  constructor(options: StepFunctionsEndpointOptions) {
    this.runs = new Runs(options);
    this.store = options.store;
    this.log = options.log ?? (() => undefined);
  }

  stateMachineArns(): string[] {
    return [...this.runs.machines.keys()];
  }

  // ---- API operations ----------------------------------------------------------------------------

  startExecution(input: { stateMachineArn?: string; name?: string; input?: string }): {
    executionArn: string;
    startDate: number;
  } {
    const machine = this.runs.machines.get(input.stateMachineArn ?? '');
    if (!machine) {
      throw new AwsApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${input.stateMachineArn}'`,
      );
    }
    const name = input.name ?? randomUUID();
    if (!NAME_PATTERN.test(name)) {
      throw new AwsApiError('InvalidName', `Invalid Name: '${name}'`);
    }
    const rawInput = input.input ?? '{}';
    let parsed: JsonValue;
    try {
      parsed = parseJson(rawInput);
    } catch {
      throw new AwsApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
    }
    const existing = this.store.get(machine.name, name);
    if (existing) {
      // As on AWS: the same name and input while RUNNING is the same execution (an idempotent retry).
      if (existing.status === 'RUNNING' && existing.input === rawInput) {
        return { executionArn: existing.executionArn, startDate: existing.startDate / 1000 };
      }
      throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
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
    this.store.create(record);
    this.runs.start(machine, record, parsed);
    return { executionArn: record.executionArn, startDate: record.startDate / 1000 };
  }

  describeExecution(executionArn: string | undefined) {
    const record = this.requireRecord(executionArn);
    return {
      ...executionListItem(record),
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
    if (!input.stateMachineArn || !this.runs.machines.has(input.stateMachineArn)) {
      throw new AwsApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${input.stateMachineArn}'`,
      );
    }
    const all = this.store
      .list()
      .filter((r) => r.stateMachineArn === input.stateMachineArn)
      .filter((r) => !input.statusFilter || r.status === input.statusFilter);
    const { page, nextToken } = paginate(all, input.maxResults, input.nextToken);
    return {
      executions: page.map(executionListItem),
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
    let events = awsHistory(record, this.runs.machines.get(record.stateMachineArn)?.tasks);
    if (input.includeExecutionData === false) events = events.map(withoutData);
    if (input.reverseOrder) events = events.toReversed();
    const { page, nextToken } = paginate(events, input.maxResults, input.nextToken);
    return {
      events: page.map((e) => ({ ...e, timestamp: e.timestamp / 1000 })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  sendTaskSuccess(token: string | undefined, output: string | undefined): void {
    if (output === undefined) throw new AwsApiError('InvalidOutput', 'Invalid Output: output is required');
    try {
      JSON.parse(output);
    } catch {
      throw new AwsApiError('InvalidOutput', 'Invalid Output: not valid JSON');
    }
    const owner = this.runs.book.ownerOf(token);
    tokenCall(() => owner.machine.tokens.succeed(owner.token, output));
    Object.assign(owner.entry, { status: 'succeeded', output, answeredAt: Date.now() });
    this.store.save(owner.run.record);
  }

  sendTaskFailure(token: string | undefined, error = '', cause = ''): void {
    const owner = this.runs.book.ownerOf(token);
    tokenCall(() => owner.machine.tokens.fail(owner.token, error, cause));
    Object.assign(owner.entry, { status: 'failed', error, cause, answeredAt: Date.now() });
    this.store.save(owner.run.record);
  }

  sendTaskHeartbeat(token: string | undefined): void {
    const owner = this.runs.book.ownerOf(token);
    tokenCall(() => owner.machine.tokens.heartbeat(owner.token));
  }

  stopExecution(executionArn: string | undefined, error?: string, cause?: string): { stopDate: number } {
    const record = this.requireRecord(executionArn);
    const run = this.runs.runOf(record);
    if (record.status !== 'RUNNING' || !run) return { stopDate: (record.stopDate ?? Date.now()) / 1000 };
    this.runs.stop(run, {
      ...(error !== undefined ? { error } : {}),
      ...(cause !== undefined ? { cause } : {}),
    });
    return { stopDate: (record.stopDate ?? Date.now()) / 1000 };
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Resumes every RUNNING execution found on disk (call once, after the handlers are loaded). */
  resumeInFlight(): ExecutionRecord[] {
    return this.runs.resumeInFlight();
  }

  /**
   * Stops every run without closing it on disk (RUNNING executions resume at the next start): no new
   * task starts, the tasks already running finish (bounded) and are journaled, then the engine stops.
   */
  shutdown(graceMs = 10_000): Promise<void> {
    return this.runs.shutdown(graceMs);
  }

  /**
   * The local clock moved (`POST /_local/clock`): waits whose deadline it passed fail with
   * States.Timeout, Wait states whose time came end.
   */
  clockMoved(): void {
    this.runs.timers.check();
  }

  /** How many executions are running in this process. */
  runningCount(): number {
    return this.runs.runningCount();
  }

  // ---- the protocol ------------------------------------------------------------------------------

  /** Answers an AWS JSON 1.0 request, or returns undefined when it is not a Step Functions call. */
  async handle(request: SimpleRequest): Promise<SimpleResponse | undefined> {
    const operation = awsJsonOperation(request.headers, 'AWSStepFunctions');
    if (operation === undefined) return undefined;
    try {
      let body: Record<string, unknown>;
      try {
        const parsed: unknown = request.body ? JSON.parse(request.body) : {};
        body = isRecord(parsed) ? parsed : {};
      } catch {
        throw new AwsApiError('SerializationException', 'The request body is not valid JSON');
      }
      if (operation.startsWith('SendTask') && typeof body.taskToken === 'string') {
        await this.runs.untilReplayed(body.taskToken);
      }
      return awsJson(200, this.dispatch(operation, body));
    } catch (error) {
      if (error instanceof AwsApiError) return awsJsonError(error);
      this.log(`${operation} failed: ${asError(error).message}`);
      return awsJson(500, { __type: 'InternalFailure', message: 'Internal failure' }, 'InternalFailure');
    }
  }

  private dispatch(operation: string, b: Record<string, unknown>): unknown {
    const s = (k: string) => {
      const v = b[k];
      return typeof v === 'string' ? v : undefined;
    };
    const n = (k: string) => {
      const v = b[k];
      return typeof v === 'number' ? v : undefined;
    };
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
          stateMachines: [...this.runs.machines.values()].map((m) => ({
            stateMachineArn: m.arn,
            name: m.name,
            type: 'STANDARD',
            creationDate: 0,
          })),
        };
      default:
        throw new AwsApiError(
          'UnknownOperationException',
          `The local endpoint does not implement ${operation}`,
        );
    }
  }

  private requireRecord(executionArn: string | undefined): ExecutionRecord {
    const record = executionArn ? this.store.byArn(executionArn) : undefined;
    if (!record)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }

  /** The local view of one execution: raw engine events (with resume markers) and the AWS history. */
  detail(record: ExecutionRecord) {
    const machine = this.runs.machines.get(record.stateMachineArn);
    return localView(record, machine?.tasks, this.runs.runOf(record)?.replaying ?? false);
  }
}

/** An execution as ListExecutions lists it (and DescribeExecution begins). */
function executionListItem(r: ExecutionRecord) {
  return {
    executionArn: r.executionArn,
    stateMachineArn: r.stateMachineArn,
    name: r.name,
    status: r.status,
    startDate: r.startDate / 1000,
    ...(r.stopDate !== undefined ? { stopDate: r.stopDate / 1000 } : {}),
  };
}

function tokenCall(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    if (error instanceof TaskTokenError) throw new AwsApiError(error.name, error.message);
    throw error;
  }
}
