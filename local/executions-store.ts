/**
 * Step Functions executions of the local runtime, kept on disk (one JSON file per execution under
 * `<dataDir>/executions/<state machine>/`), so the audit view and the restart logic survive a restart.
 *
 * Besides status, input, output and the engine's event history, each execution keeps a journal: the
 * result of every Lambda task and the answer to every human wait, in order. On restart the runtime
 * re-runs a RUNNING execution from its input and answers each task from the journal instead of
 * invoking it again (see local/sfn/journal.ts), so nothing is repeated and the old task links work.
 */

import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { asError } from '#shared/core/errors.ts';
import { ENGINE_EVENT_TYPES, type ExecutionEvent } from './asl-runner.ts';
import { readJsonFile, writeFileAtomically } from './json-file.ts';

export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface NamedError {
  name: string;
  message: string;
}

/** One Lambda invocation of a `lambda:invoke` Task (each retry attempt is its own entry). */
export interface LambdaJournalEntry {
  kind: 'lambda';
  stateName: string;
  functionVar: string;
  scheduledAt: number;
  completedAt: number;
  /** The payload as sent (task tokens redacted). */
  payload: unknown;
  result?: unknown;
  error?: NamedError;
}

const WAIT_STATUSES = ['assigning', 'pending', 'succeeded', 'failed', 'timed-out', 'assign-failed'] as const;
export type WaitStatus = (typeof WAIT_STATUSES)[number];

/** One `lambda:invoke.waitForTaskToken` Task: the assignment, then the answer through the token. */
export interface WaitJournalEntry {
  kind: 'wait';
  stateName: string;
  functionVar: string;
  /** The token the task's function received (and stored, e.g. behind an emailed link). */
  token: string;
  status: WaitStatus;
  scheduledAt: number;
  payload: unknown;
  /** Local clock time (epoch ms) at which the wait times out; kept across restarts. */
  deadline?: number;
  /** assign-task returned: the wait is announced (AWS TaskSubmitted). */
  submittedAt?: number;
  answeredAt?: number;
  /** SendTaskSuccess output (JSON text). */
  output?: string;
  /** SendTaskFailure error/cause. */
  error?: string;
  cause?: string;
  /** The assigning function threw. */
  assignError?: NamedError;
}

export type JournalEntry = LambdaJournalEntry | WaitJournalEntry;

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  /** Local state machine name, e.g. `software-request`. */
  stateMachine: string;
  name: string;
  status: ExecutionStatus;
  /** Epoch milliseconds. */
  startDate: number;
  stopDate?: number;
  /** Execution input / output as JSON text, as the Step Functions API returns them. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  /** The engine's events (ExecutionStarted, StateEntered, ...), in order. */
  events: ExecutionEvent[];
  journal: JournalEntry[];
  /** Each restart that resumed this execution: when, and after how many recorded events. */
  resumes: { at: number; afterEvent: number; replayedEntries: number }[];
}

const optionalText = z.optional(z.string());
const optionalNumber = z.optional(z.number());
const namedErrorSchema = z.looseObject({ name: z.string(), message: z.string() });

const lambdaJournalEntrySchema = z.looseObject({
  kind: z.literal('lambda'),
  stateName: z.string(),
  functionVar: z.string(),
  scheduledAt: z.number(),
  completedAt: z.number(),
  payload: z.unknown(),
  result: z.optional(z.unknown()),
  error: z.optional(namedErrorSchema),
});

const waitJournalEntrySchema = z.looseObject({
  kind: z.literal('wait'),
  stateName: z.string(),
  functionVar: z.string(),
  token: z.string(),
  status: z.enum(WAIT_STATUSES),
  scheduledAt: z.number(),
  payload: z.unknown(),
  deadline: optionalNumber,
  submittedAt: optionalNumber,
  answeredAt: optionalNumber,
  output: optionalText,
  error: optionalText,
  cause: optionalText,
  assignError: z.optional(namedErrorSchema),
});

/** An engine event's fields besides its type and time: as stored, and as the local JSON view carries them. */
export const eventDetailShape = {
  stateName: optionalText,
  stateType: optionalText,
  input: z.optional(z.unknown()),
  output: z.optional(z.unknown()),
  error: optionalText,
  cause: optionalText,
};

const executionEventSchema = z.looseObject({
  type: z.enum(ENGINE_EVENT_TYPES),
  timestamp: z.number(),
  ...eventDetailShape,
});

/** An execution's file, read back at start (a file of another shape stops the runtime, naming it). */
const executionRecordSchema: z.ZodMiniType<ExecutionRecord> = z.looseObject({
  executionArn: z.string(),
  stateMachineArn: z.string(),
  stateMachine: z.string(),
  name: z.string(),
  status: z.enum(EXECUTION_STATUSES),
  startDate: z.number(),
  stopDate: optionalNumber,
  input: z.string(),
  output: optionalText,
  error: optionalText,
  cause: optionalText,
  events: z.array(executionEventSchema),
  journal: z.array(z.discriminatedUnion('kind', [lambdaJournalEntrySchema, waitJournalEntrySchema])),
  resumes: z.array(z.looseObject({ at: z.number(), afterEvent: z.number(), replayedEntries: z.number() })),
});

/**
 * How long history events wait to be written with the next ones. Events are never the only record of
 * anything: a task's result or a human answer is journaled and saved at once (save()), and a resumed
 * execution replays its journal, which emits again every event a crash kept from the disk.
 */
const EVENTS_FLUSH_MS = 500;

export class ExecutionsStore {
  private readonly dir: string;
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'executions');
    mkdirSync(this.dir, { recursive: true });
    for (const machine of readdirSync(this.dir, { withFileTypes: true })) {
      if (!machine.isDirectory()) continue;
      for (const file of readdirSync(join(this.dir, machine.name))) {
        if (!file.endsWith('.json')) continue;
        const path = join(this.dir, machine.name, file);
        try {
          const record = readJsonFile(path, executionRecordSchema, undefined);
          if (record) this.records.set(key(record.stateMachine, record.name), record);
        } catch (error) {
          throw new Error(`Cannot read the local execution file ${path}: ${asError(error).message}`);
        }
      }
    }
  }

  get(stateMachine: string, name: string): ExecutionRecord | undefined {
    return this.records.get(key(stateMachine, name));
  }

  byArn(executionArn: string): ExecutionRecord | undefined {
    for (const record of this.records.values()) if (record.executionArn === executionArn) return record;
    return undefined;
  }

  /** Newest first, like ListExecutions. */
  list(): ExecutionRecord[] {
    return [...this.records.values()].sort((a, b) => b.startDate - a.startDate);
  }

  create(record: ExecutionRecord): void {
    this.records.set(key(record.stateMachine, record.name), record);
    this.save(record);
  }

  /** Writes the record now (atomically: temp file + rename), its pending events with it. */
  save(record: ExecutionRecord): void {
    const k = key(record.stateMachine, record.name);
    this.dirty.delete(k);
    const folder = join(this.dir, encodeURIComponent(record.stateMachine));
    writeFileAtomically(join(folder, `${encodeURIComponent(record.name)}.json`), JSON.stringify(record));
  }

  /**
   * Coalesces frequent updates (history events) into one write per record every EVENTS_FLUSH_MS: a
   * whole file written per state transition was a tenth of the runtime's CPU under load.
   */
  saveSoon(record: ExecutionRecord): void {
    this.dirty.add(key(record.stateMachine, record.name));
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush();
    }, EVENTS_FLUSH_MS);
    this.flushTimer.unref();
  }

  flush(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    for (const k of [...this.dirty]) {
      const record = this.records.get(k);
      if (record) this.save(record);
    }
    this.dirty.clear();
  }
}

function key(stateMachine: string, name: string): string {
  return `${stateMachine}\u0000${name}`;
}
