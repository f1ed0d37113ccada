/** The shapes the local Step Functions endpoint and its journal share. */

import type { AslDefinition, JsonValue } from '../asl-definition.ts';
import type { LocalExecution, LocalStateMachine, TaskTokens } from '../asl-runner.ts';
import type { ExecutionRecord, ExecutionsStore, WaitJournalEntry } from '../executions-store.ts';

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
  /** The local clock (epoch ms): task deadlines and Wait states follow it. Default: real time. */
  now?: () => number;
  log?: (message: string) => void;
}

export interface Machine {
  name: string;
  arn: string;
  definition: AslDefinition;
  tokens: TaskTokens;
  engine: LocalStateMachine;
  /** Task state name → resource kind, for the AWS-shaped history. */
  tasks: Map<string, { waits: boolean }>;
}

export interface Run {
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

export interface TokenOwner {
  machine: Machine;
  run: Run;
  entry: WaitJournalEntry;
}
