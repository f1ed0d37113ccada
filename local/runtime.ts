/**
 * The embedded runtime: the whole product on one machine, no AWS account, the same handlers and ASL.
 *   DynamoDB       dynalite, in-process, data on disk under <dataDir>/dynamodb
 *   SES            aws-ses-v2-local, in-process (its web page lists the mail; /_local/outbox as JSON)
 *   Step Functions local/sfn-endpoint.ts over aws-local-stepfunctions, executions on disk
 *   Scheduler      local/scheduler-endpoint.ts on a local clock; EventBridge PutEvents recorded
 *   SSL Labs       local/fake-ssllabs.ts unless `sslLabsApiBase` points elsewhere
 *   HTTP           local/http-server.ts: API Gateway proxy events for the handlers, plus /_local/*
 * Handlers are configured only through environment variables (set before they are imported).
 *
 * One runtime per process at a time. Handler modules (and their AWS clients) are cached after the
 * first start, with the endpoint URLs they read at load: a second start in the same process therefore
 * reuses the first start's ports.
 */
import '#shared/runtime/promise-with-resolvers.ts';
// Before anything that may create the shared logger: it sets the handlers' default log level.
import './config.ts';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import * as sesLocal from 'aws-ses-v2-local';
import dynalite from 'dynalite';
import { FUNCTIONS, STATE_MACHINES } from '#shared/functions.ts';
import { buildLambdaBundles } from '../cdk/lambda-bundling.ts';
import { type JsonValue, loadDefinition } from './asl-runner.ts';
import {
  DPA_TEMPLATE_TEXT,
  FUNCTION_NAME_PREFIX,
  functionArn,
  handlerEnvironment,
  LOCAL_REGION,
  type LocalEndpoints,
  STATE_MACHINE_NAMES,
  TABLE_NAME,
} from './config.ts';
import { type ExecutionRecord, ExecutionsStore } from './executions-store.ts';
import { type FakeGrade, type FakeSslLabs, startFakeSslLabs } from './fake-ssllabs.ts';
import {
  createHttpServer,
  json,
  type LocalRoute,
  readBody,
  type SimpleRequest,
  writeResponse,
} from './http-server.ts';
import { EventsSink, LocalClock, parseAdvance, SchedulerEndpoint } from './scheduler-endpoint.ts';
import { StepFunctionsEndpoint } from './sfn-endpoint.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * Bundles for `handlers: 'bundled'`, one folder per process. Under node_modules so that test runners
 * load them as they are, as Node on Lambda does, instead of transforming them.
 */
const BUNDLE_CACHE = join(ROOT, 'node_modules', '.cache', 'lambda-bundles');

export interface LocalRuntimeOptions {
  /** HTTP port of the product; 0 = a free port. */
  port?: number;
  /** Where DynamoDB data, executions, schedules, the clock and the outbox are kept. */
  dataDir: string;
  /** An SSL Labs API base URL to use instead of the built-in fake. */
  sslLabsApiBase?: string;
  /** Grades the built-in fake SSL Labs gives, by host (default grade A). */
  fakeSslGrades?: Record<string, FakeGrade | FakeGrade[]>;
  /** Polls before the fake SSL Labs answers READY (its default is 2). */
  fakeSslPollsUntilReady?: number;
  /** Extra or replacement handler environment variables. */
  env?: Record<string, string>;
  /** Wait state durations in ms by state name, e.g. `{ WaitForSslScan: 0 }` (tests). */
  waitTimeOverrides?: Record<string, number>;
  /** Retry intervals in ms by state name (tests). */
  retryIntervalOverrides?: Record<string, number>;
  /** Extra local routes (e.g. HTML pages over the executions). */
  routes?: LocalRoute[];
  /** Start even when some lambdas/<name>.ts are missing (a call to one then fails naming it). */
  allowMissingHandlers?: boolean;
  /**
   * `source` (default) imports lambdas/<name>.ts; `bundled` builds every handler exactly as CDK
   * does (cdk/lambda-bundling.ts: minified ESM bundles with the pinned AWS SDK inside) and runs those.
   */
  handlers?: HandlerSource;
  /** Runtime messages (resumed executions, fired schedules, handler failures); default: none. */
  log?: (message: string) => void;
  /** One line per HTTP request (method, path without query, status). */
  accessLog?: (line: string) => void;
}

export interface OutboxEmail {
  messageId: string;
  to: string[];
  cc: string[];
  from: string;
  replyTo: string[];
  subject: string;
  text: string;
  html: string;
  at: string;
}

export interface LocalRuntime {
  baseUrl: string;
  port: number;
  dataDir: string;
  urls: {
    form: string;
    registry: string;
    outbox: string;
    sesWebPage: string;
    executions: string;
    clock: string;
    events: string;
  };
  /** Environment the handlers run with. */
  env: Record<string, string>;
  clock: LocalClock;
  sfn: StepFunctionsEndpoint;
  scheduler: SchedulerEndpoint;
  events: EventsSink;
  executions: ExecutionsStore;
  fakeSslLabs?: FakeSslLabs;
  /** Executions found RUNNING on disk at start and resumed. */
  resumed: ExecutionRecord[];
  /** Where the handlers were loaded from. */
  handlers: HandlerSource;
  /** Every email sent, this run and earlier runs on the same data folder, oldest first. */
  outbox(): Promise<OutboxEmail[]>;
  /** Advances the local clock and fires the schedules that became due. */
  advanceClock(ms: number): Promise<{ now: string; fired: unknown[] }>;
  stop(): Promise<void>;
}

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
export type HandlerSource = 'source' | 'bundled';

interface Ports {
  http: number;
  aws: number;
  dynamodb: number;
  ses: number;
  ssl: number;
}

/** Set once handler modules were imported in this process (they keep the env they saw). */
let processPorts: Ports | undefined;
let active: Promise<unknown> | undefined;
/** Loaded handlers by source, then name: a module keeps the environment it saw at its first import. */
const handlerCache: Record<HandlerSource, Map<string, LambdaHandler>> = {
  source: new Map(),
  bundled: new Map(),
};

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  if (active) throw new Error('A local runtime is already running in this process: stop it first');
  const starting = start(options);
  active = starting;
  try {
    return await starting;
  } catch (error) {
    active = undefined;
    throw error;
  }
}

async function start(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const requested = options.port ?? 0;
  if (processPorts && requested !== 0 && requested !== processPorts.http) {
    throw new Error(
      `The handlers in this process were loaded for port ${processPorts.http}; restart on that port (or port 0)`,
    );
  }
  const ports: Ports = processPorts ?? { http: requested, aws: 0, dynamodb: 0, ses: 0, ssl: 0 };
  const handlerSource = options.handlers ?? 'source';
  const handlers = handlerCache[handlerSource];
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  };

  try {
    // DynamoDB
    const ddb = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      path: join(dataDir, 'dynamodb'),
    });
    ports.dynamodb = await listen(ddb, ports.dynamodb);
    closers.push(() => closeServer(ddb));

    // SES (its store is module-wide: cleared here, earlier mail is kept in <dataDir>/outbox.json)
    const ses = await startSes(ports.ses);
    ports.ses = (ses.address() as AddressInfo).port;
    closers.push(() => closeServer(ses));
    const sesUrl = `http://127.0.0.1:${ports.ses}`;
    await fetch(`${sesUrl}/clear-store`, { method: 'POST' });
    const outbox = new Outbox(join(dataDir, 'outbox.json'), sesUrl);

    // SSL Labs
    let fakeSslLabs: FakeSslLabs | undefined;
    let sslLabsApiBase = options.sslLabsApiBase;
    if (!sslLabsApiBase) {
      fakeSslLabs = await startFakeSslLabs({
        port: ports.ssl,
        ...(options.fakeSslGrades ? { grades: options.fakeSslGrades } : {}),
        ...(options.fakeSslPollsUntilReady !== undefined
          ? { pollsUntilReady: options.fakeSslPollsUntilReady }
          : {}),
      });
      sslLabsApiBase = fakeSslLabs.url;
      ports.ssl = Number(new URL(fakeSslLabs.url).port);
      const fake = fakeSslLabs;
      closers.push(() => fake.close());
    }

    // Step Functions, Scheduler, EventBridge: built now, running once the handlers are loaded.
    const executions = new ExecutionsStore(dataDir);
    const byVar = new Map(FUNCTIONS.flatMap((f) => (f.aslArn ? [[f.aslArn, f.name] as const] : [])));
    const sfn = new StepFunctionsEndpoint({
      store: executions,
      machines: (Object.keys(STATE_MACHINES) as (keyof typeof STATE_MACHINES)[]).map((key) => ({
        name: STATE_MACHINE_NAMES[key],
        definition: loadDefinition(join(ROOT, STATE_MACHINES[key].file)),
      })),
      invoke: async (functionVar, payload) => {
        const name = byVar.get(functionVar);
        if (!name)
          throw new Error(`No function in shared/functions.ts has the ASL substitution ${functionVar}`);
        return invokeHandler(name, payload);
      },
      ...(options.waitTimeOverrides ? { waitTimeOverrides: options.waitTimeOverrides } : {}),
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
      log,
    });
    const clock = new LocalClock(join(dataDir, 'clock.json'));
    const scheduler = new SchedulerEndpoint(
      dataDir,
      clock,
      async (target, schedule) => {
        const lambda = localFunctionName(target.Arn);
        if (lambda) {
          // Scheduler invokes a Lambda target with its Input as the event (here in-process, awaited).
          await invokeHandler(lambda, JSON.parse(target.Input ?? '{}'));
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
      },
      log,
    );
    const events = new EventsSink(dataDir);
    const advanceClock = async (ms: number) => {
      clock.advance(ms);
      const fired = await scheduler.fireDue();
      return { now: clock.now().toISOString(), fired };
    };

    const awsServer = createServer((req, res) => {
      void (async () => {
        try {
          const url = new URL(req.url ?? '/', 'http://localhost');
          const request: SimpleRequest = {
            method: req.method ?? 'GET',
            path: url.pathname,
            query: url.searchParams,
            headers: req.headers,
            body: await readBody(req),
            params: {},
          };
          const response = (await sfn.handle(request)) ?? scheduler.handle(request) ?? events.handle(request);
          writeResponse(
            res,
            response ?? json(404, { message: `Unknown AWS call ${request.method} ${request.path}` }),
          );
        } catch (error) {
          log(`AWS stand-in failed: ${(error as Error).message}`);
          writeResponse(res, json(500, { __type: 'InternalFailure', message: 'Internal failure' }));
        }
      })();
    });
    ports.aws = await listen(awsServer, ports.aws);
    closers.push(() => closeServer(awsServer));

    // HTTP API: bound now so its URL is known; the handlers are loaded before it answers.
    const handlersReady = Promise.withResolvers<void>();
    handlersReady.promise.catch(() => undefined);
    const localRoutes: LocalRoute[] = [
      { method: 'GET', path: '/_local/outbox', handle: async () => json(200, await outbox.list()) },
      { method: 'GET', path: '/_local/clock', handle: () => json(200, clockView(clock, scheduler)) },
      {
        method: 'POST',
        path: '/_local/clock',
        handle: async (req) => {
          const result = await advanceClock(parseAdvance(req.body));
          return json(200, { ...clockView(clock, scheduler), fired: result.fired });
        },
      },
      { method: 'GET', path: '/_local/events', handle: () => json(200, events.list()) },
      {
        method: 'GET',
        path: '/_local/executions',
        handle: () => json(200, executions.list().map(summary)),
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
      ...(options.routes ?? []),
    ];
    const httpServer = createHttpServer({
      invoke: async (name, event) => {
        await handlersReady.promise;
        return (await invokeHandler(name, event)) as APIGatewayProxyResult;
      },
      localRoutes,
      ...(options.accessLog ? { accessLog: options.accessLog } : {}),
    });
    ports.http = await listen(httpServer, ports.http);
    closers.push(() => closeServer(httpServer));
    const baseUrl = `http://127.0.0.1:${ports.http}`;

    // Handler environment, then the handlers themselves (they read their configuration at load).
    const endpoints: LocalEndpoints = {
      baseUrl: `http://localhost:${ports.http}`,
      dynamodb: `http://127.0.0.1:${ports.dynamodb}`,
      ses: sesUrl,
      aws: `http://127.0.0.1:${ports.aws}`,
      sslLabsApiBase,
    };
    const env = { ...handlerEnvironment(endpoints), ...options.env };
    Object.assign(process.env, env);
    await createTable(endpoints.dynamodb);
    const missing = await loadHandlers(handlerSource);
    processPorts = { ...ports };
    if (missing.length > 0) {
      const message = `Missing Lambda handler file(s): ${missing.map((m) => `lambdas/${m}.ts`).join(', ')} (listed in shared/functions.ts)`;
      if (!options.allowMissingHandlers) throw new Error(message);
      log(`${message}; calls to them will fail`);
    }

    const resumed = sfn.resumeInFlight();
    scheduler.start();
    // aws-ses-v2-local keeps mail in memory: copy it to disk now and then, so a crash loses little.
    const outboxTimer = setInterval(() => void outbox.list().catch(() => undefined), 2000);
    outboxTimer.unref();
    closers.push(async () => clearInterval(outboxTimer));
    handlersReady.resolve();
    void scheduler.fireDue();

    let stopped = false;
    const runtime: LocalRuntime = {
      baseUrl,
      port: ports.http,
      dataDir,
      urls: {
        form: `${baseUrl}/`,
        registry: `${baseUrl}/registry`,
        outbox: `${baseUrl}/_local/outbox`,
        sesWebPage: `${sesUrl}/`,
        executions: `${baseUrl}/_local/executions`,
        clock: `${baseUrl}/_local/clock`,
        events: `${baseUrl}/_local/events`,
      },
      env,
      clock,
      sfn,
      scheduler,
      events,
      executions,
      ...(fakeSslLabs ? { fakeSslLabs } : {}),
      resumed,
      handlers: handlerSource,
      outbox: () => outbox.list(),
      advanceClock,
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          await scheduler.stop();
          // Stop taking requests first, then let running tasks finish and journal them.
          await closeServer(httpServer);
          await sfn.shutdown();
          await outbox.list().catch(() => undefined);
          await closeAll();
        } finally {
          active = undefined;
        }
      },
    };
    return runtime;
  } catch (error) {
    await closeAll();
    throw error;
  }

  async function invokeHandler(name: string, payload: unknown): Promise<unknown> {
    const handler = handlers.get(name);
    if (!handler) throw new Error(`The Lambda handler lambdas/${name}.ts is missing or failed to load`);
    // Serialized like a real Lambda invocation: JSON in, JSON out.
    const event = JSON.parse(JSON.stringify(payload ?? null)) as unknown;
    const result = await handler(event, lambdaContext(name));
    return result === undefined ? null : (JSON.parse(JSON.stringify(result)) as JsonValue);
  }
}

/**
 * Loads every handler of shared/functions.ts, from lambdas/<name>.ts or from its CDK-identical bundle;
 * returns the names whose source file does not exist.
 */
async function loadHandlers(source: HandlerSource): Promise<string[]> {
  const cache = handlerCache[source];
  const missing = FUNCTIONS.filter((fn) => !existsSync(join(ROOT, 'lambdas', `${fn.name}.ts`))).map(
    (fn) => fn.name,
  );
  const toLoad = FUNCTIONS.map((fn) => fn.name).filter((name) => !cache.has(name) && !missing.includes(name));
  if (toLoad.length === 0) return missing;
  const files =
    source === 'bundled'
      ? await buildLambdaBundles(ROOT, toLoad, bundleFolder())
      : new Map(toLoad.map((name) => [name, join(ROOT, 'lambdas', `${name}.ts`)]));
  for (const name of toLoad) {
    const label = source === 'bundled' ? `the bundle of lambdas/${name}.ts` : `lambdas/${name}.ts`;
    let mod: { handler?: unknown };
    try {
      mod = (await import(pathToFileURL(files.get(name) as string).href)) as { handler?: unknown };
    } catch (error) {
      throw new Error(`${label} failed to load: ${(error as Error).message}`, { cause: error });
    }
    if (typeof mod.handler !== 'function') throw new Error(`${label} does not export a handler function`);
    cache.set(name, mod.handler as LambdaHandler);
  }
  return missing;
}

/** A fresh folder for this process's bundles, removed when the process exits. */
function bundleFolder(): string {
  mkdirSync(BUNDLE_CACHE, { recursive: true });
  const folder = mkdtempSync(join(BUNDLE_CACHE, `${process.pid}-`));
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** The shared/functions.ts name of a local Lambda ARN (see functionArn), or undefined. */
function localFunctionName(arn: string): string | undefined {
  const m = /^arn:aws:lambda:[^:]+:[^:]+:function:([^:]+)(?::[^:]+)?$/.exec(arn);
  const name = m?.[1]?.startsWith(FUNCTION_NAME_PREFIX) ? m[1].slice(FUNCTION_NAME_PREFIX.length) : undefined;
  return name && FUNCTIONS.some((f) => f.name === name) ? name : undefined;
}

function lambdaContext(name: string): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: `software-request-${name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn(name),
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/software-request-${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, started + 30_000 - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function createTable(endpoint: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: LOCAL_REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const s = (AttributeName: string) => ({ AttributeName, AttributeType: 'S' as const });
  const index = (name: string) => ({
    IndexName: name,
    KeySchema: [
      { AttributeName: `${name}PK`, KeyType: 'HASH' as const },
      { AttributeName: `${name}SK`, KeyType: 'RANGE' as const },
    ],
    Projection: { ProjectionType: 'ALL' as const },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: TABLE_NAME,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [s('PK'), s('SK'), s('GSI1PK'), s('GSI1SK'), s('GSI2PK'), s('GSI2SK')],
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [index('GSI1'), index('GSI2')],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException) && (error as Error).name !== 'ResourceInUseException')
      throw error;
  } finally {
    client.destroy();
  }
}

async function startSes(port: number): Promise<Server> {
  const m = sesLocal as unknown as Record<string, unknown> & { default?: unknown };
  const candidates = [m.default, (m.default as { default?: unknown } | undefined)?.default, m];
  const startFn = candidates.find((c) => typeof c === 'function') as
    | ((config: { host: string; port: number }) => Promise<Server>)
    | undefined;
  if (!startFn) throw new Error('aws-ses-v2-local: no start function found');
  const quiet = console.log;
  // It announces itself on stdout; the runtime prints its own URLs.
  console.log = () => undefined;
  try {
    return await startFn({ host: '127.0.0.1', port });
  } finally {
    console.log = quiet;
  }
}

/** aws-ses-v2-local's mail store, mapped to the outbox shape, plus mail of earlier runs (on disk). */
class Outbox {
  private readonly earlier: OutboxEmail[];

  constructor(
    private readonly file: string,
    private readonly sesUrl: string,
  ) {
    this.earlier = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as OutboxEmail[]) : [];
  }

  async list(): Promise<OutboxEmail[]> {
    const res = await fetch(`${this.sesUrl}/store`);
    const store = (await res.json()) as { emails?: SesStoredEmail[] };
    const seen = new Set(this.earlier.map((e) => e.messageId));
    const current = (store.emails ?? []).map(toOutbox).filter((e) => !seen.has(e.messageId));
    const all = [...this.earlier, ...current];
    writeFileSync(this.file, JSON.stringify(all));
    return all;
  }
}

interface SesStoredEmail {
  messageId: string;
  from: string;
  replyTo?: string[];
  destination?: { to?: string[]; cc?: string[]; bcc?: string[] };
  subject?: string;
  body?: { text?: string; html?: string };
  at: number;
}

function toOutbox(e: SesStoredEmail): OutboxEmail {
  return {
    messageId: e.messageId,
    to: e.destination?.to ?? [],
    cc: e.destination?.cc ?? [],
    from: e.from,
    replyTo: e.replyTo ?? [],
    subject: e.subject ?? '',
    text: e.body?.text ?? '',
    html: e.body?.html ?? '',
    at: new Date(e.at * 1000).toISOString(),
  };
}

function clockView(clock: LocalClock, scheduler: SchedulerEndpoint) {
  return {
    now: clock.now().toISOString(),
    realNow: new Date().toISOString(),
    offsetSeconds: clock.offsetSeconds,
    pending: scheduler.pending(),
  };
}

/** Scheduler-started executions are named after their schedule (unique per request and year). */
function executionNameFor(scheduleName: string, store: ExecutionsStore, arn: string): string {
  const machine = arn.split(':').pop() ?? '';
  const base = scheduleName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 70);
  return store.get(machine, base) ? `${base}-${randomUUID().slice(0, 8)}` : base;
}

function summary(r: ExecutionRecord) {
  return {
    name: r.name,
    executionArn: r.executionArn,
    stateMachine: r.stateMachine,
    status: r.status,
    startDate: new Date(r.startDate).toISOString(),
    stopDate: r.stopDate !== undefined ? new Date(r.stopDate).toISOString() : null,
  };
}

/** By name; a request's own execution first when a renewal has the same name (`?stateMachine=` picks). */
function findExecution(store: ExecutionsStore, name: string, stateMachine: string | null) {
  const candidates = store
    .list()
    .filter((r) => r.name === name && (!stateMachine || r.stateMachine === stateMachine));
  return candidates.find((r) => r.stateMachine === STATE_MACHINE_NAMES.softwareRequest) ?? candidates[0];
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolvePort((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
}
