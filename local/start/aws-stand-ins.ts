/**
 * The AWS stand-ins on one local server (AWS_ENDPOINT_URL_SFN / _SCHEDULER / _EVENTBRIDGE / _S3 …):
 *   Step Functions  local/sfn/endpoint.ts over aws-local-stepfunctions, executions on disk
 *   Scheduler       local/scheduler/endpoint.ts on the local clock
 *   EventBridge     local/events-sink.ts records PutEvents
 *   Secrets Manager, Cognito   local/aws/identity.ts: the session key, the people's groups
 *   S3              local/aws/s3.ts: the evidence documents under <dataDir>/documents (AWS_ENDPOINT_URL_S3)
 * Built at once; the caller resumes executions and starts the scheduler once the handlers are loaded.
 */

import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { asError } from '#shared/core/errors.ts';
import { fieldOf, keysOf } from '#shared/core/guards.ts';
import { FUNCTIONS, STATE_MACHINES } from '#shared/functions.ts';
import { loadDefinition } from '../asl-definition.ts';
import { IdentityStandIn } from '../aws/identity.ts';
import { S3StandIn } from '../aws/s3.ts';
import {
  DOCUMENTS_BUCKET,
  LOCAL_DEADLINE_DAYS,
  LOCAL_SECRET_ACCESS_KEY,
  STATE_MACHINE_NAMES,
} from '../config.ts';
import { EventsSink } from '../events-sink.ts';
import { ExecutionsStore } from '../executions-store.ts';
import { json, readRawBody, simpleRequestOf, writeResponse } from '../http-server.ts';
import type { LocalUser } from '../idp/users.ts';
import { type Served, serve } from '../net.ts';
import { LocalClock } from '../scheduler/clock.ts';
import { SchedulerEndpoint, type ScheduleTargetStarter } from '../scheduler/endpoint.ts';
import { StepFunctionsEndpoint } from '../sfn/endpoint.ts';
import { localFunctionName, ROOT } from './handlers.ts';
import { ensureWatchSchedules } from './scheduled.ts';

export interface AwsStandInsOptions {
  dataDir: string;
  port: number;
  /** Invokes a handler of shared/functions.ts by name. */
  invoke: (name: string, payload: unknown) => Promise<unknown>;
  waitTimeOverrides?: Record<string, number>;
  retryIntervalOverrides?: Record<string, number>;
  log: (message: string) => void;
  /** The local provider's people, whose groups AdminListGroupsForUser answers. */
  users: readonly LocalUser[];
  /** The largest request body read (default 64 MB); a larger one is an S3 EntityTooLarge. */
  maxBodyBytes?: number;
  /**
   * ASL files (relative to the repository root) to run instead of shared/functions.ts STATE_MACHINES,
   * by machine: a previous release's frozen definition against today's handlers (test/e2e/compatibility).
   */
  stateMachineFiles?: Partial<Record<keyof typeof STATE_MACHINES, string>>;
}

export interface AwsStandIns extends Served {
  executions: ExecutionsStore;
  sfn: StepFunctionsEndpoint;
  clock: LocalClock;
  scheduler: SchedulerEndpoint;
  events: EventsSink;
  /** Secrets Manager's session key and Cognito's groups, locally. */
  identity: IdentityStandIn;
  /** The evidence documents' bucket, locally. */
  s3: S3StandIn;
  /** Advances the local clock and fires the schedules that became due. */
  advanceClock(ms: number): Promise<{ now: string; fired: unknown[] }>;
}

/** The largest body the stand-ins read: an evidence upload (a scanned, signed DPA) fits with room. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

export async function startAwsStandIns(options: AwsStandInsOptions): Promise<AwsStandIns> {
  const { dataDir, log } = options;
  const executions = new ExecutionsStore(dataDir);
  const clock = new LocalClock(join(dataDir, 'clock.json'));
  const sfn = stepFunctions(options, executions, clock);
  const scheduler = new SchedulerEndpoint(dataDir, clock, scheduleStarter(options, sfn, executions), log);
  ensureWatchSchedules(scheduler);
  const events = new EventsSink(dataDir);
  const identity = new IdentityStandIn(dataDir, options.users);
  const maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
  const s3 = new S3StandIn({ dataDir, buckets: [DOCUMENTS_BUCKET], secretKey: LOCAL_SECRET_ACCESS_KEY });
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://localhost');
        // The bytes as sent (an S3 upload is binary); the JSON stand-ins read them as UTF-8 text.
        const raw = await readRawBody(req, maxBodyBytes);
        const request = { ...simpleRequestOf(req, url, raw.toString('utf8')), raw };
        const response =
          (await sfn.handle(request)) ??
          scheduler.handle(request) ??
          events.handle(request) ??
          identity.handle(request) ??
          s3.handle(request);
        writeResponse(
          res,
          response ?? json(404, { message: `Unknown AWS call ${request.method} ${request.path}` }),
        );
      } catch (error) {
        // Only an upload to S3 is ever this large: S3 refuses it as EntityTooLarge, so does the stand-in.
        if (fieldOf(error, 'status') === 413) return writeResponse(res, s3.entityTooLarge(maxBodyBytes));
        log(`AWS stand-in failed: ${asError(error).message}`);
        writeResponse(res, json(500, { __type: 'InternalFailure', message: 'Internal failure' }));
      }
    })();
  });
  const served = await serve(server, options.port);
  const advanceClock = async (ms: number) => {
    clock.advance(ms);
    // Schedules first, awaited (a step's reminders are due before its deadline, so they go out in the
    // order they would on AWS), then the deadlines and Wait states the new time has passed.
    const fired = await scheduler.fireDue();
    sfn.clockMoved();
    return { now: clock.now().toISOString(), fired };
  };
  return { ...served, executions, sfn, clock, scheduler, events, identity, s3, advanceClock };
}

function stepFunctions(
  options: AwsStandInsOptions,
  store: ExecutionsStore,
  clock: LocalClock,
): StepFunctionsEndpoint {
  const byVar = new Map(FUNCTIONS.flatMap((f) => (f.aslArn ? [[f.aslArn, f.name] as const] : [])));
  return new StepFunctionsEndpoint({
    store,
    machines: keysOf(STATE_MACHINES).map((key) => ({
      name: STATE_MACHINE_NAMES[key],
      definition: loadDefinition(
        join(ROOT, options.stateMachineFiles?.[key] ?? STATE_MACHINES[key].file),
        LOCAL_DEADLINE_DAYS,
      ),
    })),
    now: () => clock.now().getTime(),
    invoke: async (functionVar, payload) => {
      const name = byVar.get(functionVar);
      if (!name)
        throw new Error(`No function in shared/functions.ts has the ASL substitution ${functionVar}`);
      return options.invoke(name, payload);
    },
    ...(options.waitTimeOverrides ? { waitTimeOverrides: options.waitTimeOverrides } : {}),
    ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
    log: options.log,
  });
}

/** A due schedule invokes its Lambda target in-process or starts its state machine. */
function scheduleStarter(
  options: AwsStandInsOptions,
  sfn: StepFunctionsEndpoint,
  executions: ExecutionsStore,
): ScheduleTargetStarter {
  return async (target, schedule) => {
    const lambda = localFunctionName(target.Arn);
    if (lambda) {
      // Scheduler invokes a Lambda target with its Input as the event (here in-process, awaited).
      await options.invoke(lambda, JSON.parse(target.Input ?? '{}'));
      return { invoked: target.Arn };
    }
    if (!sfn.stateMachineArns().includes(target.Arn)) {
      throw new Error(
        `The local runtime can only start its state machines and invoke its functions, not ${target.Arn}`,
      );
    }
    const name = executionNameFor(schedule.Name, executions, target.Arn);
    return sfn.startExecution({ stateMachineArn: target.Arn, name, input: target.Input ?? '{}' })
      .executionArn;
  };
}

/** Scheduler-started executions are named after their schedule (unique per request and year). */
function executionNameFor(scheduleName: string, store: ExecutionsStore, arn: string): string {
  const machine = arn.split(':').pop() ?? '';
  const base = scheduleName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 70);
  return store.get(machine, base) ? `${base}-${randomUUID().slice(0, 8)}` : base;
}
