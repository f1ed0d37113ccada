/**
 * The runtime's own `/_local/*` routes: outbox, clock, events, executions, the DPA template, the
 * vendors' web.
 */
import { DPA_TEMPLATE_TEXT, STATE_MACHINE_NAMES } from '../config.ts';
import type { EventsSink } from '../events-sink.ts';
import type { ExecutionsStore } from '../executions-store.ts';
import { json } from '../http-server.ts';
import type { LocalRoute } from '../http-types.ts';
import type { Outbox } from '../outbox.ts';
import { type LocalClock, parseAdvance } from '../scheduler/clock.ts';
import type { SchedulerEndpoint } from '../scheduler/endpoint.ts';
import type { StepFunctionsEndpoint } from '../sfn/endpoint.ts';
import { executionSummary } from '../sfn/history.ts';
import { VendorWeb, vendorWebRoutes } from '../web-stand-in.ts';

export interface LocalRoutesDeps {
  outbox: Outbox;
  clock: LocalClock;
  scheduler: SchedulerEndpoint;
  events: EventsSink;
  executions: ExecutionsStore;
  sfn: StepFunctionsEndpoint;
  /** Where the vendors' web stand-in keeps its pages. */
  dataDir: string;
  advanceClock(ms: number): Promise<{ fired: unknown[] }>;
}

export function localRoutes(deps: LocalRoutesDeps, extra: LocalRoute[] = []): LocalRoute[] {
  const { outbox, clock, scheduler, events, executions, sfn } = deps;
  return [
    {
      method: 'GET',
      path: '/_local/outbox',
      // `?from=N` skips the first N emails (the outbox only grows): a client that polls reads what is new.
      handle: async (req) => {
        const from = Number(req.query.get('from') ?? 0);
        if (!Number.isSafeInteger(from) || from < 0)
          return json(400, { error: 'from must be a whole number' });
        return json(200, (await outbox.list()).slice(from));
      },
    },
    { method: 'GET', path: '/_local/clock', handle: () => json(200, clockView(clock, scheduler)) },
    {
      method: 'POST',
      path: '/_local/clock',
      handle: async (req) => {
        const result = await deps.advanceClock(parseAdvance(req.body));
        return json(200, { ...clockView(clock, scheduler), fired: result.fired });
      },
    },
    { method: 'GET', path: '/_local/events', handle: () => json(200, events.list()) },
    {
      method: 'GET',
      path: '/_local/executions',
      handle: () => json(200, executions.list().map(executionSummary)),
    },
    {
      method: 'GET',
      path: '/_local/executions/{name}',
      handle: (req) => {
        const record = findExecution(executions, req.params.name ?? '', req.query.get('stateMachine'));
        return record ? json(200, sfn.detail(record)) : json(404, { message: 'No such execution' });
      },
    },
    {
      method: 'GET',
      path: '/_local/dpa-template.txt',
      handle: () => ({
        status: 200,
        headers: { 'Content-Type': 'text/plain; charset=utf-8' },
        body: DPA_TEMPLATE_TEXT,
      }),
    },
    ...vendorWebRoutes(new VendorWeb(deps.dataDir)),
    ...extra,
  ];
}

function clockView(clock: LocalClock, scheduler: SchedulerEndpoint) {
  return {
    now: clock.now().toISOString(),
    realNow: new Date().toISOString(),
    offsetSeconds: clock.offsetSeconds,
    pending: scheduler.pending(),
  };
}

/** By name; a request's own execution first when a renewal has the same name (`?stateMachine=` picks). */
function findExecution(store: ExecutionsStore, name: string, stateMachine: string | null) {
  const candidates = store
    .list()
    .filter((r) => r.name === name && (!stateMachine || r.stateMachine === stateMachine));
  return candidates.find((r) => r.stateMachine === STATE_MACHINE_NAMES.softwareRequest) ?? candidates[0];
}
