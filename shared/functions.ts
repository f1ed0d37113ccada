/**
 * Every Lambda of the product, in one list: the CDK stack builds one NodejsFunction per entry, the
 * local runtime loads the same entry in-process, API Gateway and the local HTTP server route the
 * same paths, and the ASL files refer to workflow functions as `${<Pascal>FunctionArn}`.
 */
import { CHECK_SSL_LAMBDA_TIMEOUT_SECONDS } from './vetting/ssl/limits.ts';
import type { WatchCheck } from './watch/checks.ts';

export interface FunctionSpec {
  /** File under lambdas/, without extension; exports `handler`. */
  name: string;
  /** HTTP route, for functions behind API Gateway. */
  route?: Route;
  /**
   * Further routes the same function answers (a form's GET beside its POST): a method costs two
   * CloudFormation resources, a function many more. Read every route through routesOf.
   */
  moreRoutes?: readonly Route[];
  /** ASL substitution variable, for functions the state machines invoke. */
  aslArn?: string;
  /** The SOP steps it serves (README traceability). */
  sop: string;
  /**
   * The configuration variables the handler reads (the handler contract): CDK sets exactly these
   * (test/cdk), and the local runtime provides every one of them (test/unit/local/local-config.test.ts).
   */
  env: readonly string[];
  /** Lambda timeout when not DEFAULT_LAMBDA_TIMEOUT_SECONDS; ASL task states must allow at least this. */
  timeoutSeconds?: number;
  /**
   * For functions that run on a schedule: an EventBridge rule invokes it at this rate on AWS; the
   * local runtime invokes it at start and then every few minutes.
   */
  everyMinutes?: number;
  /**
   * For the function SES's sending events go to (bounces, complaints, rejections, delays of the
   * configuration set's emails): an EventBridge rule on the default bus on AWS; locally the SES
   * stand-in invokes it for the mailbox simulator's addresses.
   */
  sesEvents?: boolean;
  /**
   * For the watch between renewals (shared/watch/checks.ts): a Scheduler schedule invokes it every
   * so many days, the district's setting of this name (on AWS real time, locally the local clock).
   */
  everyDays?: WatchCheck;
}

export interface Route {
  method: 'GET' | 'POST';
  path: string;
}

/** Every route of a function: its route, then its further routes. */
export const routesOf = (spec: FunctionSpec): readonly Route[] =>
  spec.route ? [spec.route, ...(spec.moreRoutes ?? [])] : [];

export const DEFAULT_LAMBDA_TIMEOUT_SECONDS = 30;

export function lambdaTimeoutSeconds(spec: FunctionSpec): number {
  return spec.timeoutSeconds ?? DEFAULT_LAMBDA_TIMEOUT_SECONDS;
}

/**
 * What a handler that knows who is asking reads (shared/identity): the mode, the site's address (the
 * cookies' issuer and the sign-in callback), the OpenID provider and client, the session key (a Secrets
 * Manager secret) and the user pool whose groups are checked again on each decision.
 */
export const IDENTITY_ENV = [
  'AUTH_MODE',
  'PUBLIC_BASE_URL',
  'OIDC_ISSUER',
  'OIDC_CLIENT_ID',
  'SESSION_SECRET_ARN',
  'USER_POOL_ID',
] as const;

/**
 * What a function that sends email reads (shared/deps.ts mailerFor): the sender, the SES configuration
 * set, and the account's send rate that every sender shares.
 */
export const MAIL_ENV = ['MAIL_FROM', 'SES_CONFIGURATION_SET', 'SES_MAX_SEND_RATE'] as const;

const withIdentity = (...names: string[]): string[] => [...new Set([...names, ...IDENTITY_ENV])];

const get = (path: string) => ({ method: 'GET', path }) as const;
const post = (path: string) => ({ method: 'POST', path }) as const;

export const FUNCTIONS: readonly FunctionSpec[] = [
  { name: 'request-form', env: withIdentity(), route: get('/'), sop: '1-2' },
  {
    name: 'submit-request',
    env: withIdentity(
      'TABLE_NAME',
      'STATE_MACHINE_ARN',
      ...MAIL_ENV,
      'REQUESTER_EMAIL_DOMAINS',
      'SUBMISSION_LIMITS',
    ),
    route: post('/requests'),
    sop: '1-2',
  },
  {
    name: 'get-request',
    env: withIdentity('TABLE_NAME'),
    route: get('/requests/{requestId}'),
    sop: 'status of every step',
  },
  {
    name: 'task-page',
    env: withIdentity('TABLE_NAME'),
    route: get('/tasks/{taskId}'),
    sop: '4, 7-15 (human steps)',
  },
  {
    name: 'record-decision',
    env: withIdentity('TABLE_NAME', ...MAIL_ENV),
    route: post('/tasks/{taskId}'),
    sop: '4, 7-15 (human steps)',
  },
  {
    name: 'reply-page',
    env: ['TABLE_NAME'],
    route: get('/replies/{replyId}'),
    sop: '4 (questions to the requester or vendor)',
  },
  {
    name: 'record-answer',
    env: ['TABLE_NAME', ...MAIL_ENV, 'PUBLIC_BASE_URL'],
    route: post('/replies/{replyId}'),
    sop: '4 (questions to the requester or vendor)',
  },
  { name: 'auth-login', env: withIdentity(), route: get('/auth/login'), sop: 'sign-in (identity)' },
  {
    name: 'auth-callback',
    env: withIdentity('TABLE_NAME'),
    route: get('/auth/callback'),
    sop: 'sign-in (identity)',
  },
  { name: 'auth-logout', env: withIdentity(), route: post('/auth/logout'), sop: 'sign-in (identity)' },
  { name: 'auth-session', env: withIdentity(), route: get('/auth/session'), sop: 'sign-in (identity)' },
  {
    name: 'my-requests',
    env: withIdentity('TABLE_NAME'),
    route: get('/my/requests'),
    sop: "1-2 (the requester's own list)",
  },
  {
    name: 'work-queue',
    env: withIdentity('TABLE_NAME'),
    route: get('/queue'),
    sop: '4, 7-15 (the team work queue)',
  },
  {
    name: 'queue-action',
    env: withIdentity('TABLE_NAME'),
    route: post('/queue/{taskId}/{action}'),
    sop: '4, 7-15 (the team work queue)',
  },
  {
    name: 'queue-away',
    env: withIdentity('TABLE_NAME'),
    route: post('/queue/away'),
    sop: '4, 7-15 (out of office)',
  },
  {
    name: 'reports-page',
    env: withIdentity('TABLE_NAME', 'SERVICE_LEVEL_DAYS'),
    route: get('/reports'),
    sop: 'section 4 (Technology Services sees the process)',
  },
  {
    name: 'reports-summary',
    env: withIdentity('TABLE_NAME', 'SERVICE_LEVEL_DAYS'),
    route: get('/reports/summary.json'),
    sop: 'section 4 (Technology Services sees the process)',
  },
  {
    name: 'reports-tasks',
    env: withIdentity('TABLE_NAME', 'SERVICE_LEVEL_DAYS'),
    route: get('/reports/tasks.csv'),
    sop: 'section 4 (Technology Services sees the process)',
  },
  { name: 'registry', env: ['TABLE_NAME'], route: get('/registry'), sop: '6, 16' },
  ...(['public-page', 'public-json', 'public-csv'] as const).map((name) => ({
    name,
    env: ['TABLE_NAME', 'PUBLISH_AGREEMENTS'],
    route: get(
      { 'public-page': '/public', 'public-json': '/public.json', 'public-csv': '/public.csv' }[name],
    ),
    sop: '6, 16 (the public list of approved resources)',
  })),
  {
    name: 'upload-page',
    env: ['TABLE_NAME', 'PUBLIC_BASE_URL', 'DOCUMENTS_BUCKET'],
    route: get('/uploads/{uploadId}'),
    sop: '4 (the vendor returns the signed DPA)',
  },
  {
    name: 'upload-received',
    env: ['TABLE_NAME', 'PUBLIC_BASE_URL', 'DOCUMENTS_BUCKET'],
    route: get('/uploads/{uploadId}/received'),
    sop: '4 (the vendor returns the signed DPA)',
  },
  {
    name: 'document',
    env: withIdentity('TABLE_NAME', 'DOCUMENTS_BUCKET'),
    route: get('/documents/{documentId}'),
    sop: '4, 17 (evidence for staff)',
  },
  {
    name: 'public-agreement',
    env: ['TABLE_NAME', 'PUBLISH_AGREEMENTS', 'DOCUMENTS_BUCKET'],
    route: get('/public/agreements/{documentId}'),
    sop: '6, 16 (a published agreement)',
  },
  {
    name: 'request-audit',
    env: withIdentity('TABLE_NAME'),
    route: get('/requests/{requestId}/audit'),
    sop: 'every step (the audit record)',
  },
  {
    name: 'request-audit-page',
    env: withIdentity('TABLE_NAME'),
    route: get('/requests/{requestId}/audit.html'),
    sop: 'every step (the audit record)',
  },
  {
    name: 'audit-export',
    env: withIdentity('TABLE_NAME'),
    route: get('/audit/export.csv'),
    sop: 'every step (the decisions of a period)',
  },
  { name: 'registry-resource', env: ['TABLE_NAME'], route: get('/registry/{resourceId}'), sop: '6, 16, 17' },
  {
    name: 'registry-export',
    env: ['TABLE_NAME'],
    route: get('/registry.csv'),
    sop: '6, 16 (upload to TXSPA)',
  },
  {
    name: 'check-current-vetting',
    env: ['TABLE_NAME'],
    aslArn: 'CheckCurrentVettingFunctionArn',
    sop: '3-6 (reuse of a current vetting)',
  },
  {
    name: 'assign-task',
    env: [
      'TABLE_NAME',
      ...MAIL_ENV,
      'PUBLIC_BASE_URL',
      'TEAM_EMAILS',
      'SCHEDULE_GROUP_NAME',
      'SCHEDULER_ROLE_ARN',
      'REMINDER_FUNCTION_ARN',
      'SCHEDULER_DLQ_ARN',
      'SERVICE_LEVEL_DAYS',
    ],
    aslArn: 'AssignTaskFunctionArn',
    sop: '3-4, 7-15',
  },
  {
    name: 'remind-task',
    env: ['TABLE_NAME', ...MAIL_ENV, 'PUBLIC_BASE_URL', 'TEAM_EMAILS', 'ESCALATION_EMAIL'],
    sop: '4, 7-15 (reminders)',
  },
  {
    name: 'send-dpa',
    env: [
      'TABLE_NAME',
      ...MAIL_ENV,
      'TEAM_EMAILS',
      'DPA_TEMPLATE_URL',
      'DPA_RETURN_INSTRUCTIONS',
      'PUBLIC_BASE_URL',
    ],
    aslArn: 'SendDpaFunctionArn',
    sop: '4, 17',
  },
  {
    name: 'check-ssl',
    env: ['TABLE_NAME', 'SSLLABS_API_BASE', 'SSLLABS_EMAIL', 'SSL_MAX_WAIT_SECONDS'],
    aslArn: 'CheckSslFunctionArn',
    sop: '5, 17',
    // At least twice the SSL Labs client's worst case (shared/vetting/ssl/limits.ts).
    timeoutSeconds: CHECK_SSL_LAMBDA_TIMEOUT_SECONDS,
  },
  {
    name: 'notify-vendor-ssl',
    env: ['TABLE_NAME', ...MAIL_ENV, 'TEAM_EMAILS', 'SSL_REMEDIATION_WINDOW_DAYS'],
    aslArn: 'NotifyVendorSslFunctionArn',
    sop: '5-6, 17',
  },
  {
    name: 'record-renewal',
    env: ['TABLE_NAME', ...MAIL_ENV, 'PUBLIC_BASE_URL', 'TEAM_EMAILS'],
    aslArn: 'RecordRenewalFunctionArn',
    sop: '17',
  },
  {
    name: 'report-incident',
    env: withIdentity('TABLE_NAME', 'STEWARDSHIP_STATE_MACHINE_ARN', 'INCIDENT_CLOCKS'),
    route: post('/incidents'),
    // The vendor's incident link (the DPA emails) opens the form here.
    moreRoutes: [get('/incidents')],
    sop: '4 (student data incidents)',
  },
  {
    name: 'send-deletion-request',
    env: ['TABLE_NAME', ...MAIL_ENV, 'TEAM_EMAILS', 'PUBLIC_BASE_URL'],
    aslArn: 'SendDeletionRequestFunctionArn',
    sop: '6, 17 (deletion of student data when no longer approved)',
  },
  {
    name: 'record-stewardship',
    env: ['TABLE_NAME'],
    aslArn: 'RecordStewardshipFunctionArn',
    sop: '4, 17 (incidents reviewed, deletions confirmed)',
  },
  {
    name: 'publish-status',
    env: ['TABLE_NAME', 'EVENT_BUS_NAME', 'STEWARDSHIP_STATE_MACHINE_ARN'],
    aslArn: 'PublishStatusFunctionArn',
    sop: '6, 16, 17',
  },
  {
    name: 'procurement-hook',
    env: ['TABLE_NAME', 'EVENT_BUS_NAME'],
    aslArn: 'ProcurementHookFunctionArn',
    sop: '13',
  },
  {
    name: 'schedule-renewal',
    env: [
      'TABLE_NAME',
      'RENEWAL_STATE_MACHINE_ARN',
      'SCHEDULER_ROLE_ARN',
      'SCHEDULE_GROUP_NAME',
      'RENEWAL_LEAD_DAYS',
      'SCHEDULER_DLQ_ARN',
    ],
    aslArn: 'ScheduleRenewalFunctionArn',
    sop: '17',
  },
  { name: 'plan-renewal', env: ['TABLE_NAME'], aslArn: 'PlanRenewalFunctionArn', sop: '17' },
  {
    name: 'close-request',
    env: ['TABLE_NAME', ...MAIL_ENV, 'PUBLIC_BASE_URL'],
    aslArn: 'CloseRequestFunctionArn',
    sop: '6, 9, 11, 16',
  },
  {
    name: 'record-error',
    env: ['TABLE_NAME', ...MAIL_ENV, 'OPERATOR_EMAIL'],
    aslArn: 'RecordErrorFunctionArn',
    sop: 'system errors',
  },
  // SES's reports on sent emails (an EventBridge rule on the default bus, cdk/constructs/mail-reputation.ts;
  // locally the SES stand-in's simulator addresses, local/mail-simulator.ts).
  {
    name: 'record-mail-event',
    env: ['TABLE_NAME'],
    sop: 'mail delivery (bounces, complaints)',
    sesEvents: true,
  },
  // Starts requests whose submission crashed before their workflow started (request-recovery.ts) and
  // finishes decisions claimed but not delivered or followed up (decision-recovery.ts).
  // 120 s: a sweep of DEFAULT_SWEEP_LIMIT requests and DEFAULT_DECISION_SWEEP_LIMIT decisions makes a
  // few calls each, one after another.
  // Hourly; sends once per ISO week (shared/reports/digest.ts).
  {
    name: 'weekly-digest',
    env: ['TABLE_NAME', ...MAIL_ENV, 'PUBLIC_BASE_URL', 'TEAM_EMAILS', 'ESCALATION_EMAIL'],
    sop: 'section 4 (the weekly digest)',
    everyMinutes: 60,
  },
  {
    name: 'keep-policy-snapshots',
    env: ['TABLE_NAME', 'DOCUMENTS_BUCKET'],
    sop: '4 (the reviewed privacy policy, kept as evidence)',
    everyMinutes: 15,
    // Up to SNAPSHOTS_PER_RUN reviews of up to 5 pages, each fetch at most 10 s.
    timeoutSeconds: 300,
  },
  // Issue 22: between renewals, on the district's schedule (everyDays), never on the local runtime's
  // real-time timer: locally the local clock decides when a week has passed.
  {
    name: 'watch-policies',
    env: ['TABLE_NAME', 'DOCUMENTS_BUCKET', 'WATCH_STATE_MACHINE_ARN'],
    sop: '17 (between renewals: the reviewed privacy policy watched for changes)',
    everyDays: 'policyCheckDays',
    // Every Approved resource's pages (up to 5 each), each fetch at most 10 s, one after another.
    timeoutSeconds: 900,
  },
  {
    name: 'start-ssl-spot-checks',
    env: ['TABLE_NAME', 'WATCH_STATE_MACHINE_ARN'],
    sop: '5, 17 (between renewals: SSL spot checks)',
    everyDays: 'sslCheckDays',
    timeoutSeconds: 120,
  },
  {
    name: 'apply-policy-decision',
    env: ['TABLE_NAME', 'RENEWAL_STATE_MACHINE_ARN'],
    aslArn: 'ApplyPolicyDecisionFunctionArn',
    sop: '17 (between renewals: a changed privacy policy decided)',
  },
  {
    name: 'recover-requests',
    env: ['TABLE_NAME', 'STATE_MACHINE_ARN', 'STEWARDSHIP_STATE_MACHINE_ARN', ...MAIL_ENV, 'PUBLIC_BASE_URL'],
    sop: '2, 4, 7-15 (recovery; 4: data incidents whose review never started)',
    everyMinutes: 15,
    timeoutSeconds: 120,
  },
];

export const STATE_MACHINES = {
  softwareRequest: {
    file: 'statemachine/software-request.asl.json',
    arnSubstitution: 'SoftwareRequestStateMachineArn',
  },
  annualRenewal: {
    file: 'statemachine/annual-renewal.asl.json',
    arnSubstitution: 'AnnualRenewalStateMachineArn',
  },
  resourceWatch: {
    file: 'statemachine/resource-watch.asl.json',
    arnSubstitution: 'ResourceWatchStateMachineArn',
  },
  resourceStewardship: {
    file: 'statemachine/resource-stewardship.asl.json',
    arnSubstitution: 'ResourceStewardshipStateMachineArn',
  },
} as const;
