/**
 * The embedded runtime: the whole product on one machine, no AWS account, the same handlers and ASL.
 *   DynamoDB       dynalite, in-process, data on disk under <dataDir>/dynamodb (local/start/dynamo.ts)
 *   SES            aws-ses-v2-local, in-process (its web page lists the mail; /_local/outbox as JSON);
 *                  the mailbox simulator's addresses bounce or complain (local/mail-simulator.ts)
 *   Step Functions local/sfn/endpoint.ts over aws-local-stepfunctions, executions on disk
 *   Scheduler      local/scheduler/endpoint.ts on a local clock; EventBridge PutEvents recorded
 *   SSL Labs       local/fake-ssllabs.ts unless `sslLabsApiBase` points elsewhere
 *   Vendors' web   local/web-stand-in.ts at /_local/web: the pages a vendor-page fetch gets offline
 *   HTTP           local/http-server.ts: API Gateway proxy events for the handlers, plus /_local/*
 *   Schedules      local/start/scheduled.ts: scheduled functions (the recovery sweep) at start, then often
 * Handlers: configured by environment variables; from source, AWS calls skip sockets (aws/in-process.ts).
 *
 * One runtime per process at a time. Handler modules (and their AWS clients) are cached after the
 * first start, with the endpoint URLs they read at load: a second start in the same process therefore
 * reuses the first start's ports.
 */
// Before anything that may create the shared logger: it sets the handlers' default log level.
import './log-level.ts';
import '#shared/core/runtime/promise-with-resolvers.ts';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { CALLBACK_PATH } from '#shared/identity/config.ts';
import { useInProcessTransport } from './aws/in-process.ts';
import { handlerEnvironment, LOCAL_IDP_PATH, type LocalEndpoints, TABLE_NAME } from './config.ts';
import type { EventsSink } from './events-sink.ts';
import type { ExecutionRecord, ExecutionsStore } from './executions-store.ts';
import type { FakeSslLabs } from './fake-ssllabs.ts';
import { behindFaults, DYNAMODB_FAULTS, type ForHandlers, SES_FAULTS } from './faults.ts';
import { createHttpServer, type HttpServerOptions, type Mount } from './http-server.ts';
import { createLocalIdp } from './idp/provider.ts';
import { type LocalUser, seededUsers } from './idp/users.ts';
import { type MailSimulator, mailSimulator } from './mail-simulator.ts';
import { type Started, serve } from './net.ts';
import { Outbox, type OutboxEmail } from './outbox.ts';
import { writeRuntimeFile } from './runtime-file.ts';
import type { LocalRuntimeOptions } from './runtime-options.ts';
import type { LocalClock } from './scheduler/clock.ts';
import type { SchedulerEndpoint } from './scheduler/endpoint.ts';
import type { StepFunctionsEndpoint } from './sfn/endpoint.ts';
import { type AwsStandIns, startAwsStandIns } from './start/aws-stand-ins.ts';
import { createTable, startDynamo } from './start/dynamo.ts';
import { type HandlerSource, handlerInvoker, loadHandlers } from './start/handlers.ts';
import { oversightGate } from './start/oversight-gate.ts';
import { localRoutes } from './start/routes.ts';
import { type ScheduledFunctions, scheduledFunctions } from './start/scheduled.ts';
import { startSes } from './start/ses.ts';
import { startSslLabs } from './start/ssl-labs.ts';

export type { FaultPredicate } from './faults.ts';
export type { OutboxEmail } from './outbox.ts';
export type { LocalRuntimeOptions } from './runtime-options.ts';
export { LocalClock } from './scheduler/clock.ts';
export type { HandlerSource } from './start/handlers.ts';

export interface LocalRuntime {
  baseUrl: string;
  /**
   * The site's own address (PUBLIC_BASE_URL: http://localhost:<port>), where a browser signs in: the
   * provider sends it back there, and cookies belong to one host name.
   */
  siteUrl: string;
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
  /** The local provider's people; change a person's `groups` to change their teams in the directory. */
  users: LocalUser[];
  /** The local OpenID provider's issuer (its sign-in page is under it). */
  idpIssuer: string;
  /** Where the handlers were loaded from. */
  handlers: HandlerSource;
  /** Every email sent, this run and earlier runs on the same data folder, oldest first. */
  outbox(): Promise<OutboxEmail[]>;
  /** Resolves once SES's events for the simulator addresses mailed so far reached record-mail-event. */
  mailEventsDelivered(): Promise<void>;
  /** Advances the local clock and fires the schedules that became due. */
  advanceClock(ms: number): Promise<{ now: string; fired: unknown[] }>;
  /**
   * Runs the scheduled functions (the recovery sweep) now, as the runtime does at start and every few
   * minutes; their outputs by function name.
   */
  runScheduledFunctions(): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Ports the handlers were given (DynamoDB and SES: the ones they call, a fault proxy's if any). */
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

/** What start() has started so far, closed in reverse order on failure or stop. */
class Closers {
  private readonly list: (() => Promise<void>)[] = [];

  keep<T extends Started>(started: T): T {
    this.list.push(() => started.close());
    return started;
  }

  add(close: () => Promise<void>): void {
    this.list.push(close);
  }

  async closeAll(): Promise<void> {
    for (const close of this.list.reverse()) await close().catch(() => undefined);
  }
}

/** The services every start needs before the handlers load. */
interface Services {
  dynamo: ForHandlers;
  ses: ForHandlers;
  ssl: Started & { port: number; fake?: FakeSslLabs };
  aws: AwsStandIns;
  outbox: Outbox;
  simulator: MailSimulator;
  http: Started & { port: number };
  /** Where the local provider is mounted on the HTTP server once its address is known. */
  idpMount: { handle?: Mount['handle'] };
  /** The oversight pages' check (sso mode), set once the site's address is known. */
  gate: NonNullable<HttpServerOptions['gate']>;
  users: LocalUser[];
  handlersReady: PromiseWithResolvers<void>;
  invoke: (name: string, payload: unknown) => Promise<unknown>;
}

async function start(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const requested = options.port ?? 0;
  if (processPorts && requested !== 0 && requested !== processPorts.http) {
    throw new Error(
      `The handlers in this process were loaded for port ${processPorts.http}; restart on that port (or port 0)`,
    );
  }
  const ports: Ports = processPorts ?? { http: requested, aws: 0, dynamodb: 0, ses: 0, ssl: 0 };
  const closers = new Closers();
  try {
    const services = await startServices(options, dataDir, ports, closers);
    return await goLive(options, dataDir, services, closers);
  } catch (error) {
    await closers.closeAll();
    throw error;
  }
}

async function startServices(
  options: LocalRuntimeOptions,
  dataDir: string,
  ports: Ports,
  closers: Closers,
): Promise<Services> {
  const log = options.log ?? (() => undefined);
  const invoke = handlerInvoker(options.handlers ?? 'source');
  const dynamo = closers.keep(
    await behindFaults(
      (port) => startDynamo(dataDir, port),
      ports.dynamodb,
      DYNAMODB_FAULTS,
      options.faults?.dynamodb,
    ),
  );
  // Handlers always reach SES through the proxy: it keeps each email on disk before the handler is
  // told it was sent, with every recipient as the handler sent it (local/outbox.ts).
  const mail: { outbox?: Outbox; simulator?: MailSimulator } = {};
  const ses = closers.keep(
    await behindFaults(
      startSes,
      ports.ses,
      SES_FAULTS,
      options.faults?.ses ?? (() => false),
      async (op, call) => {
        if (op === 'SendEmail' || op === 'SendRawEmail') {
          await mail.outbox?.keep(call);
          mail.simulator?.sent(call);
        }
      },
    ),
  );
  const outbox = new Outbox(dataDir, ses.url);
  mail.outbox = outbox;
  const ssl = closers.keep(await startSslLabs(options, ports.ssl));
  const users = options.users ?? seededUsers();
  const aws = closers.keep(
    await startAwsStandIns({
      dataDir,
      port: ports.aws,
      invoke,
      users,
      ...(options.waitTimeOverrides ? { waitTimeOverrides: options.waitTimeOverrides } : {}),
      ...(options.retryIntervalOverrides ? { retryIntervalOverrides: options.retryIntervalOverrides } : {}),
      ...(options.stateMachineFiles ? { stateMachineFiles: options.stateMachineFiles } : {}),
      log,
    }),
  );
  // HTTP API: bound now so its URL is known; the handlers are loaded before it answers.
  const handlersReady = Promise.withResolvers<void>();
  handlersReady.promise.catch(() => undefined);
  const invokeWhenReady = (name: string, event: unknown) =>
    handlersReady.promise.then(() => invoke(name, event));
  const idpMount: Services['idpMount'] = {};
  const gate: Services['gate'] = {};
  const httpServer = createHttpServer({
    gate,
    mounts: [
      {
        prefix: LOCAL_IDP_PATH,
        handle: (req, res) =>
          idpMount.handle ? idpMount.handle(req, res) : Promise.reject(new Error('Not ready')),
      },
    ],
    invoke: invokeWhenReady,
    localRoutes: localRoutes({ outbox, dataDir, ...aws }, options.routes),
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
    limits: options.limits ?? 'off',
  });
  const http = closers.keep(await serve(httpServer, ports.http));
  const simulator = mailSimulator({ invoke: invokeWhenReady, events: aws.events, log });
  mail.simulator = simulator;
  return { dynamo, ses, ssl, aws, outbox, simulator, http, idpMount, gate, users, handlersReady, invoke };
}

/** The handlers' environment, the handlers, then executions resumed and schedules running. */
async function goLive(
  options: LocalRuntimeOptions,
  dataDir: string,
  services: Services,
  closers: Closers,
): Promise<LocalRuntime> {
  const log = options.log ?? (() => undefined);
  const handlerSource = options.handlers ?? 'source';
  const { dynamo, ses, ssl, aws, http } = services;
  const endpoints: LocalEndpoints = {
    baseUrl: `http://localhost:${http.port}`,
    dynamodb: dynamo.handlerUrl,
    ses: ses.handlerUrl,
    aws: aws.url,
    sslLabsApiBase: ssl.url,
  };
  const idp = await createLocalIdp({
    origin: endpoints.baseUrl,
    redirectUri: `${endpoints.baseUrl}${CALLBACK_PATH}`,
    users: services.users,
  });
  services.idpMount.handle = idp.handle;
  if ((options.authMode ?? 'link') === 'sso') {
    services.gate.check = oversightGate({
      siteUrl: endpoints.baseUrl,
      sessionSecret: () => services.aws.identity.sessionSecret(),
    });
  }
  const env = {
    ...handlerEnvironment(endpoints, {
      authMode: options.authMode ?? 'link',
      limits: options.limits ?? 'off',
    }),
    ...options.env,
  };
  Object.assign(process.env, env);
  await createTable(dynamo.url);
  writeRuntimeFile(dataDir, {
    baseUrl: endpoints.baseUrl,
    port: http.port,
    dynamodb: dynamo.url,
    stepFunctions: aws.url,
    tableName: env.TABLE_NAME ?? TABLE_NAME,
    pid: process.pid,
  });
  const missing = await loadHandlers(handlerSource);
  if (handlerSource === 'source') closers.add(await useInProcessTransport(env, [dynamo, ses, aws]));
  processPorts = {
    http: http.port,
    aws: aws.port,
    dynamodb: dynamo.handlerPort,
    ses: ses.handlerPort,
    ssl: ssl.port,
  };
  if (missing.length > 0) {
    const message = `Missing Lambda handler file(s): ${missing.map((m) => `lambdas/${m}.ts`).join(', ')} (listed in shared/functions.ts)`;
    if (!options.allowMissingHandlers) throw new Error(message);
    log(`${message}; calls to them will fail`);
  }

  // Before anything of this process runs a handler: what the store holds from before is a dead process's.
  const startedAt = new Date();
  const resumed = aws.sfn.resumeInFlight();
  aws.scheduler.start();
  services.handlersReady.resolve();
  void aws.scheduler.fireDue();
  const scheduled = scheduledFunctions({
    invoke: services.invoke,
    log,
    startedAt,
    ...(options.scheduledIntervalMs !== undefined ? { intervalMs: options.scheduledIntervalMs } : {}),
  });
  scheduled.start();
  return runtimeView(services, { dataDir, env, resumed, handlers: handlerSource, scheduled }, closers);
}

/** The LocalRuntime handle over the started services. */
function runtimeView(
  services: Services,
  more: {
    dataDir: string;
    env: Record<string, string>;
    resumed: ExecutionRecord[];
    handlers: HandlerSource;
    scheduled: ScheduledFunctions;
  },
  closers: Closers,
): LocalRuntime {
  const { ses, ssl, aws, outbox, http } = services;
  const baseUrl = `http://127.0.0.1:${http.port}`;
  let stopped = false;
  return {
    baseUrl,
    siteUrl: more.env.PUBLIC_BASE_URL ?? `http://localhost:${http.port}`,
    users: services.users,
    idpIssuer: more.env.OIDC_ISSUER ?? '',
    port: http.port,
    dataDir: more.dataDir,
    urls: {
      form: `${baseUrl}/`,
      registry: `${baseUrl}/registry`,
      outbox: `${baseUrl}/_local/outbox`,
      sesWebPage: `${ses.url}/`,
      executions: `${baseUrl}/_local/executions`,
      clock: `${baseUrl}/_local/clock`,
      events: `${baseUrl}/_local/events`,
    },
    env: more.env,
    clock: aws.clock,
    sfn: aws.sfn,
    scheduler: aws.scheduler,
    events: aws.events,
    executions: aws.executions,
    ...(ssl.fake ? { fakeSslLabs: ssl.fake } : {}),
    resumed: more.resumed,
    handlers: more.handlers,
    outbox: () => outbox.list(),
    mailEventsDelivered: () => services.simulator.settled(),
    advanceClock: aws.advanceClock,
    runScheduledFunctions: () => more.scheduled.runNow(),
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        await more.scheduled.stop();
        await aws.scheduler.stop();
        // Stop taking requests first, then let running tasks finish and journal them.
        await http.close();
        await aws.sfn.shutdown();
        await services.simulator.settled();
        await outbox.list().catch(() => undefined);
        await closers.closeAll();
      } finally {
        active = undefined;
      }
    },
  };
}
