/**
 * The ASL files as the local engine runs them: read with their deadlines resolved, and rewritten for
 * aws-local-stepfunctions (token waits get a timeout its timer can hold; Wait states become tasks the
 * runtime ends on the local clock). The runner (asl-runner.ts) and the local pages read them here.
 */

import { readFileSync } from 'node:fs';
import * as z from 'zod/mini';
import { fieldOf } from '#shared/core/guards.ts';
import { DEFAULT_DEADLINE_DAYS, type DeadlineDays, resolveDeadlines } from '#shared/workflow/deadlines.ts';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface AslState {
  Type: string;
  Comment?: string;
  Resource?: string;
  TimeoutSeconds?: number;
  /** A wait whose timeout the state's input sets (the ssl-remediation task). */
  TimeoutSecondsPath?: string;
  Parameters?: { FunctionName?: string } & Record<string, unknown>;
  Next?: string;
  End?: boolean;
  InputPath?: string | null;
  OutputPath?: string | null;
  ResultPath?: string | null;
  Seconds?: number;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  /** Where a state leads besides Next (the diagram draws these edges; the engine follows them). */
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string; ErrorEquals?: string[] }[];
}
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  Comment?: string;
}

const optionalText = z.optional(z.string());
const optionalPath = z.optional(z.nullable(z.string()));

/**
 * The fields of AslState, checked when a file is read; every other ASL field (Retry, ResultSelector,
 * a Choice rule's tests, ...) is kept as it is for the engine, which validates the whole definition.
 */
const aslStateSchema = z.looseObject({
  Type: z.string(),
  Comment: optionalText,
  Resource: optionalText,
  TimeoutSeconds: z.optional(z.number()),
  TimeoutSecondsPath: optionalText,
  Parameters: z.optional(z.looseObject({ FunctionName: optionalText })),
  Next: optionalText,
  End: z.optional(z.boolean()),
  InputPath: optionalPath,
  OutputPath: optionalPath,
  ResultPath: optionalPath,
  Seconds: z.optional(z.number()),
  SecondsPath: optionalText,
  Timestamp: optionalText,
  TimestampPath: optionalText,
  Default: optionalText,
  Choices: z.optional(z.array(z.looseObject({ Next: optionalText }))),
  Catch: z.optional(
    z.array(z.looseObject({ Next: optionalText, ErrorEquals: z.optional(z.array(z.string())) })),
  ),
});
const aslDefinitionSchema = z.looseObject({
  StartAt: z.string(),
  States: z.record(z.string(), aslStateSchema),
  Comment: optionalText,
});

/**
 * TimeoutSeconds the engine gets for a token wait: the largest its Node timer honours. The real deadline
 * is the runtime's, on the local clock (TaskTokens); this one only stops the engine's timer from
 * overflowing (past 2^31 ms it would fire at once).
 */
const ENGINE_TIMER_CEILING_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** The resource a Wait state becomes for the engine: a task the runtime ends on the local clock. */
const LOCAL_WAIT = 'arn:aws:states:::local:wait';
export const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
export const LAMBDA_WAIT = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

/**
 * Reads an ASL file with its deadline placeholders resolved (shared/workflow/deadlines.ts): the local
 * runtime passes the deadlines of cdk.json, tests the defaults.
 */
export function loadDefinition(file: string, deadlines: DeadlineDays = DEFAULT_DEADLINE_DAYS): AslDefinition {
  const parsed = aslDefinitionSchema.safeParse(
    parseJson(resolveDeadlines(readFileSync(file, 'utf8'), deadlines)),
  );
  if (!parsed.success)
    throw new Error(`${file} is not a state machine definition: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The `${Name}` substitution a Task calls, e.g. `AssignTaskFunctionArn`. */
export function functionVarOf(state: AslState): string | undefined {
  return /^\$\{(\w+)\}$/.exec(state.Parameters?.FunctionName ?? '')?.[1];
}

/**
 * The definition the engine runs: token waits get a timeout its timer can hold (the runtime keeps the
 * real deadline), and each Wait state becomes a task the runtime ends on the local clock; its duration
 * is handed over through Parameters so the engine evaluates SecondsPath / TimestampPath itself, and
 * `ResultPath: null` passes the input through as a Wait does.
 */
export function forTheEngine(definition: AslDefinition): {
  engineDefinition: AslDefinition;
  waitStates: Set<string>;
} {
  const engineDefinition = structuredClone(definition);
  const waitStates = new Set<string>();
  for (const [name, state] of Object.entries(engineDefinition.States)) {
    if (state.Type === 'Task' && state.Resource === LAMBDA_WAIT) {
      if (state.TimeoutSecondsPath !== undefined) {
        // The runtime reads the deadline from the payload's copy (waitForToken): AWS reads the path from
        // the state's input, so the function must be handed the same value.
        if (fieldOf(state.Parameters?.Payload, 'timeoutSeconds.$') !== state.TimeoutSecondsPath) {
          throw new Error(
            `State ${name}: TimeoutSecondsPath must also be passed as Payload.timeoutSeconds.$`,
          );
        }
        delete state.TimeoutSecondsPath;
      }
      state.TimeoutSeconds = ENGINE_TIMER_CEILING_SECONDS;
    }
    if (state.Type !== 'Wait') continue;
    if (state.InputPath !== undefined) {
      // A Task's ResultPath null would pass the raw input on, a Wait the InputPath-filtered one.
      throw new Error(`Wait state ${name}: InputPath is not supported by the local runtime`);
    }
    const parameters: Record<string, unknown> = {};
    if (state.Seconds !== undefined) parameters.seconds = state.Seconds;
    if (state.SecondsPath !== undefined) parameters['seconds.$'] = state.SecondsPath;
    if (state.Timestamp !== undefined) parameters.timestamp = state.Timestamp;
    if (state.TimestampPath !== undefined) parameters['timestamp.$'] = state.TimestampPath;
    engineDefinition.States[name] = {
      Type: 'Task',
      ...(state.Comment !== undefined ? { Comment: state.Comment } : {}),
      Resource: LOCAL_WAIT,
      Parameters: parameters,
      ResultPath: null,
      TimeoutSeconds: ENGINE_TIMER_CEILING_SECONDS,
      ...(state.OutputPath !== undefined ? { OutputPath: state.OutputPath } : {}),
      ...(state.Next !== undefined ? { Next: state.Next } : {}),
      ...(state.End !== undefined ? { End: state.End } : {}),
    };
    waitStates.add(name);
  }
  return { engineDefinition, waitStates };
}

export function payloadOf(params: JsonValue): JsonValue {
  // A key that is present holds a JSON value: `?? null` only satisfies the index signature's undefined.
  if (params && typeof params === 'object' && !Array.isArray(params) && 'Payload' in params) {
    return params.Payload ?? null;
  }
  return params;
}

/** JSON text as the JSON value it is (JSON.parse is typed `any`; its result is always a JSON value). */
export function parseJson(text: string): JsonValue {
  return JSON.parse(text);
}

export function roundTrip(value: unknown): JsonValue {
  return value === undefined ? null : parseJson(JSON.stringify(value));
}
