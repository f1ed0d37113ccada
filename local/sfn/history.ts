/**
 * An execution as Step Functions tells it (GetExecutionHistory) and as the local view shows it: the
 * engine's events and the journal turned into AWS history events, with a marker where the local
 * runtime resumed the execution after a restart.
 */
import { isRecord } from '#shared/core/guards.ts';
import type { ExecutionEvent } from '../asl-runner.ts';
import type { ExecutionRecord, JournalEntry, WaitJournalEntry } from '../executions-store.ts';

export interface AwsHistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch milliseconds (the API turns it into seconds, the local JSON into ISO text). */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** Task state name → whether it waits for a task token (its resource in the history). */
export type TaskKinds = Map<string, { waits: boolean }>;

export const RESUMED_SUMMARY = 'The local runtime restarted; the execution was resumed from its journal';

const json = (v: unknown) => JSON.stringify(v ?? null);
const TERMINAL = /^Execution(Succeeded|Failed|Aborted|TimedOut)$/;

/** Builds the AWS events one engine event at a time, following the journal for task details. */
class HistoryBuilder {
  readonly out: AwsHistoryEvent[] = [];
  private cursor = 0;
  /** The journal entry of each task state's current attempt. */
  private readonly current = new Map<string, JournalEntry>();

  constructor(
    private readonly record: ExecutionRecord,
    private readonly tasks: TaskKinds,
  ) {}

  push(type: string, timestamp: number, details: Record<string, unknown> = {}): void {
    const id = this.out.length + 1;
    this.out.push({ id, previousEventId: id - 1, timestamp, type, ...details });
  }

  resumed(at: number): void {
    this.push('ExecutionResumed', at, { executionResumedEventDetails: { cause: RESUMED_SUMMARY } });
  }

  private resourceOf(state: string) {
    return this.tasks.get(state)?.waits ? 'invoke.waitForTaskToken' : 'invoke';
  }

  /** TaskScheduled, TaskStarted (and TaskSubmitted for a human wait) of one attempt. */
  private schedule(state: string, at: number): void {
    const entry = this.record.journal[this.cursor];
    if (entry?.stateName === state) {
      this.cursor++;
      this.current.set(state, entry);
    } else this.current.delete(state);
    const base = { resourceType: 'lambda', resource: this.resourceOf(state) };
    this.push('TaskScheduled', entry?.scheduledAt ?? at, {
      taskScheduledEventDetails: {
        ...base,
        region: 'us-east-1',
        parameters: json({ FunctionName: entry?.functionVar, Payload: entry?.payload }),
      },
    });
    this.push('TaskStarted', entry?.scheduledAt ?? at, { taskStartedEventDetails: base });
    if (entry?.kind === 'wait' && entry.submittedAt !== undefined) {
      this.push('TaskSubmitted', entry.submittedAt, { taskSubmittedEventDetails: { ...base, output: '{}' } });
    }
  }

  stateEvent(e: ExecutionEvent): void {
    const state = e.stateName ?? '';
    const isTask = e.stateType === 'Task';
    switch (e.type) {
      case 'StateEntered':
        this.push(`${e.stateType}StateEntered`, e.timestamp, {
          stateEnteredEventDetails: { name: state, input: json(e.input), inputDetails: { truncated: false } },
        });
        if (isTask) this.schedule(state, e.timestamp);
        break;
      case 'StateRetried':
        if (isTask) this.schedule(state, e.timestamp);
        break;
      case 'StateFailed':
        if (isTask) this.taskFailed(state, e);
        break;
      case 'StateExited':
        if (isTask) this.taskSucceeded(state, e.timestamp);
        this.push(`${e.stateType}StateExited`, e.timestamp, {
          stateExitedEventDetails: {
            name: state,
            output: json(e.output),
            outputDetails: { truncated: false },
          },
        });
        break;
      default:
        this.executionEvent(e);
    }
  }

  private taskFailed(state: string, e: ExecutionEvent): void {
    const base = { resourceType: 'lambda', resource: this.resourceOf(state), error: e.error, cause: e.cause };
    if (e.error === 'States.Timeout')
      this.push('TaskTimedOut', e.timestamp, { taskTimedOutEventDetails: base });
    else this.push('TaskFailed', e.timestamp, { taskFailedEventDetails: base });
  }

  private taskSucceeded(state: string, at: number): void {
    const entry = this.current.get(state);
    const output =
      entry?.kind === 'wait'
        ? (entry.output ?? 'null')
        : json({ ExecutedVersion: '$LATEST', Payload: entry?.result ?? null, StatusCode: 200 });
    this.push('TaskSucceeded', at, {
      taskSucceededEventDetails: { resourceType: 'lambda', resource: this.resourceOf(state), output },
    });
  }

  private executionEvent(e: ExecutionEvent): void {
    switch (e.type) {
      case 'ExecutionStarted':
        this.push('ExecutionStarted', e.timestamp, {
          executionStartedEventDetails: {
            input: json(e.input),
            inputDetails: { truncated: false },
            roleArn: 'arn:aws:iam::000000000000:role/local-state-machine',
          },
        });
        break;
      case 'ExecutionSucceeded':
        this.push('ExecutionSucceeded', e.timestamp, {
          executionSucceededEventDetails: { output: json(e.output), outputDetails: { truncated: false } },
        });
        break;
      case 'ExecutionFailed':
        this.push('ExecutionFailed', e.timestamp, {
          executionFailedEventDetails: { error: e.error, cause: e.cause },
        });
        break;
      case 'ExecutionAborted':
        this.push('ExecutionAborted', e.timestamp, {
          executionAbortedEventDetails: { error: this.record.error, cause: this.record.cause },
        });
        break;
      case 'ExecutionTimeout':
        this.push('ExecutionTimedOut', e.timestamp, { executionTimedOutEventDetails: {} });
        break;
      default:
        break; // StateCaught, Map/Parallel events: Step Functions has no event of its own for them.
    }
  }

  /** A closed execution whose engine never said how it ended (stopped, or not resumable) still ends. */
  closeIfEnded(): void {
    const { record } = this;
    if (record.status === 'RUNNING' || this.out.some((e) => TERMINAL.test(e.type))) return;
    const at = record.stopDate ?? Date.now();
    const details = { error: record.error, cause: record.cause };
    if (record.status === 'ABORTED')
      this.push('ExecutionAborted', at, { executionAbortedEventDetails: details });
    else if (record.status === 'FAILED')
      this.push('ExecutionFailed', at, { executionFailedEventDetails: details });
    else if (record.status === 'TIMED_OUT')
      this.push('ExecutionTimedOut', at, { executionTimedOutEventDetails: details });
  }
}

/**
 * Calls `onEvent` for each stored engine event and `onResume` for each resume, where it happened
 * (a resume recorded after the last event comes last).
 */
function withResumes(
  record: ExecutionRecord,
  onEvent: (e: ExecutionEvent) => void,
  onResume: (at: number) => void,
): void {
  const resumes = [...record.resumes];
  record.events.forEach((e, index) => {
    while (resumes[0] && resumes[0].afterEvent <= index) {
      const r = resumes.shift();
      if (r) onResume(r.at);
    }
    onEvent(e);
  });
  for (const r of resumes) onResume(r.at);
}

/**
 * The engine's events and the journal as Step Functions history events: ExecutionStarted,
 * TaskStateEntered / ChoiceStateEntered / …, TaskScheduled, TaskStarted, TaskSubmitted,
 * TaskSucceeded / TaskFailed / TaskTimedOut, …StateExited, ExecutionSucceeded / Failed / Aborted.
 */
export function awsHistory(record: ExecutionRecord, tasks: TaskKinds = new Map()): AwsHistoryEvent[] {
  const builder = new HistoryBuilder(record, tasks);
  withResumes(
    record,
    (e) => builder.stateEvent(e),
    (at) => builder.resumed(at),
  );
  builder.closeIfEnded();
  return builder.out;
}

/** The engine's events as stored (what the executions pages draw the path from), with resume markers. */
export function localEvents(record: ExecutionRecord) {
  const out: Record<string, unknown>[] = [];
  withResumes(
    record,
    (e) => out.push({ ...e, timestamp: new Date(e.timestamp).toISOString() }),
    (at) =>
      out.push({ type: 'ExecutionResumed', timestamp: new Date(at).toISOString(), cause: RESUMED_SUMMARY }),
  );
  return out;
}

/** The local view of one execution (`GET /_local/executions/{name}`): the record, who it waits for, the engine's events and the AWS history. */
export function localView(record: ExecutionRecord, tasks: TaskKinds | undefined, replaying: boolean) {
  return {
    name: record.name,
    executionArn: record.executionArn,
    stateMachine: record.stateMachine,
    stateMachineArn: record.stateMachineArn,
    status: record.status,
    ...isoDates(record),
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
    replaying: replaying,
    events: localEvents(record),
    history: awsHistory(record, tasks).map((e) => ({
      ...e,
      timestamp: new Date(e.timestamp).toISOString(),
    })),
  };
}

/** One line of `GET /_local/executions`. */
export function executionSummary(record: ExecutionRecord) {
  return {
    name: record.name,
    executionArn: record.executionArn,
    stateMachine: record.stateMachine,
    status: record.status,
    ...isoDates(record),
  };
}

function isoDates(record: ExecutionRecord) {
  return {
    startDate: new Date(record.startDate).toISOString(),
    stopDate: record.stopDate !== undefined ? new Date(record.stopDate).toISOString() : null,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** GetExecutionHistory with includeExecutionData false: no input, output or parameters. */
export function withoutData(event: AwsHistoryEvent): AwsHistoryEvent {
  const out: AwsHistoryEvent = { ...event };
  for (const [k, v] of Object.entries(out)) {
    if (k.endsWith('EventDetails') && isRecord(v)) {
      const { input: _i, output: _o, parameters: _p, ...rest } = v;
      out[k] = rest;
    }
  }
  return out;
}
