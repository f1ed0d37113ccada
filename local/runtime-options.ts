import type { FakeGrade } from './fake-ssllabs.ts';
import type { FaultPredicate } from './faults.ts';
import type { LocalRoute } from './http-types.ts';
import type { LocalUser } from './idp/users.ts';
import type { AwsStandInsOptions } from './start/aws-stand-ins.ts';
import type { HandlerSource } from './start/handlers.ts';

/** `stateMachineFiles`: ASL files instead of statemachine/*.asl.json (a frozen release's, test/fixtures/asl/). */
export interface LocalRuntimeOptions extends Pick<AwsStandInsOptions, 'stateMachineFiles'> {
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
  /** The scheduled functions (the recovery sweep) run at start, then every this many ms (default 5 minutes). */
  scheduledIntervalMs?: number;
  /** Start even when some lambdas/<name>.ts are missing (a call to one then fails naming it). */
  allowMissingHandlers?: boolean;
  /**
   * `source` (default) imports lambdas/<name>.ts; `bundled` builds every handler exactly as CDK
   * does (cdk/lambda-bundling.ts: minified ESM bundles with the pinned AWS SDK inside) and runs those.
   */
  handlers?: HandlerSource;
  /**
   * Injected failures (reliability tests): a proxy in front of dynalite and/or the SES server, given
   * to the handlers only, answers a call as AWS does when it throttles whenever the predicate returns
   * true for its operation (DynamoDB: `PutItem`, `UpdateItem`, …; SES: `SendEmail`, …). The runtime's
   * own calls (creating the table, reading the outbox) do not go through it.
   */
  faults?: { dynamodb?: FaultPredicate; ses?: FaultPredicate };
  /** Runtime messages (resumed executions, fired schedules, handler failures); default: none. */
  log?: (message: string) => void;
  /** One line per HTTP request (method, path without query, status). */
  accessLog?: (line: string) => void;
  /**
   * `sso`: people sign in through the embedded OpenID provider at /_local/idp (what `npm start` runs);
   * `link` (default here, for tests of the emailed links alone): whoever holds a link decides.
   */
  authMode?: 'sso' | 'link';
  /** The people of the local provider and directory (default: local/idp/users.ts seededUsers()). */
  users?: LocalUser[];
  /**
   * The abuse limits (issue 24): `as-deployed` applies AWS's per-route throttles
   * (shared/route-throttles.ts) and cdk.json's hourly submission limits, as `npm start` does; `off`
   * (default here, for tests that submit many requests from one address) applies neither.
   */
  limits?: 'as-deployed' | 'off';
}
