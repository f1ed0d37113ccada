/**
 * The embedded defaults of `npm start`: names, ARNs, addresses and the environment the handlers get.
 * Handlers read only environment variables (no `if (local)`); this file is where the local values live.
 */

import './log-level.ts';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cdkContextOf } from '#shared/core/config.ts';
import { DEFAULT_SES_MAX_SEND_RATE, MAX_SES_MAX_SEND_RATE } from '#shared/core/mail/send-rate.ts';
import type { STATE_MACHINES } from '#shared/functions.ts';
import {
  MAX_SUBMISSIONS_PER_HOUR,
  readSubmissionLimits,
  SUBMISSION_LIMIT_DEFAULTS,
  type SubmissionLimits,
} from '#shared/requests/limits.ts';
import { routeThrottlesFromContext } from '#shared/route-throttles.ts';
import { parseIncidentClocks } from '#shared/stewardship/clocks.ts';
import { parseWatchCheckDays } from '#shared/watch/checks.ts';
import { deadlineDaysFromContext } from '#shared/workflow/config.ts';
import type { DeadlineDays } from '#shared/workflow/deadlines.ts';
import { parseServiceLevelDays } from '#shared/workflow/service-levels.ts';
import { deadlinesProblem } from '../scripts/limits/asl.ts';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT = '000000000000';
export const TABLE_NAME = 'software-requests';

/** Local state machine names, by the keys of shared/functions.ts STATE_MACHINES. */
export const STATE_MACHINE_NAMES: Record<keyof typeof STATE_MACHINES, string> = {
  softwareRequest: 'software-request',
  annualRenewal: 'annual-renewal',
  resourceWatch: 'resource-watch',
  resourceStewardship: 'resource-stewardship',
};

/** Local Lambda ARNs: `software-request-<name>` for each entry of shared/functions.ts. */
export const FUNCTION_NAME_PREFIX = 'software-request-';
export const functionArn = (name: string) =>
  `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${FUNCTION_NAME_PREFIX}${name}`;

export const stateMachineArn = (name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;
export const executionArn = (stateMachine: string, name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:execution:${stateMachine}:${name}`;

/** cdk.json's settings, read once: the local runtime runs as that configuration deploys. */
const CDK_CONTEXT = cdkContextOf(readFileSync(join(import.meta.dirname, '..', 'cdk.json'), 'utf8'));

/**
 * The human-step deadlines, as deployed: cdk.json's `humanStepDeadlineDays`, validated as `cdk synth`
 * validates them (bounds, and the one-year execution limit).
 */
export function readDeadlineDays(cdkJson = join(import.meta.dirname, '..', 'cdk.json')): DeadlineDays {
  const days = deadlineDaysFromContext(cdkContextOf(readFileSync(cdkJson, 'utf8')));
  const problem = deadlinesProblem(days);
  if (problem) throw new Error(`cdk.json humanStepDeadlineDays: ${problem}`);
  return days;
}

export const LOCAL_DEADLINE_DAYS = readDeadlineDays();

/** The service levels, as deployed: cdk.json's `serviceLevelDays`, checked against the deadlines. */
export const LOCAL_SERVICE_LEVEL_DAYS = parseServiceLevelDays(
  CDK_CONTEXT.serviceLevelDays,
  LOCAL_DEADLINE_DAYS,
);

/** The per-route throttles, as deployed: shared/route-throttles.ts with cdk.json's `routeThrottles`. */
export const LOCAL_ROUTE_THROTTLES = routeThrottlesFromContext(CDK_CONTEXT);

/** The hourly submission limits, as deployed: cdk.json's `submissionLimits` (or their defaults). */
export const LOCAL_SUBMISSION_LIMITS: SubmissionLimits = readSubmissionLimits({
  SUBMISSION_LIMITS: JSON.stringify(CDK_CONTEXT.submissionLimits ?? SUBMISSION_LIMIT_DEFAULTS),
});
/** The account's SES send rate, as deployed: cdk.json's `sesMaxSendRate` (or SES's production default). */
const LOCAL_SES_MAX_SEND_RATE = Number(CDK_CONTEXT.sesMaxSendRate ?? DEFAULT_SES_MAX_SEND_RATE);

/** What the limits are when a test runtime turns them off: the highest the handler accepts. */
const NO_SUBMISSION_LIMITS: SubmissionLimits = {
  perRequesterPerHour: MAX_SUBMISSIONS_PER_HOUR,
  perAddressPerHour: MAX_SUBMISSIONS_PER_HOUR,
};

/**
 * The local district's requesters' domains (cdk.json's `requesterEmailDomains` names the real ones):
 * the examples' requesters (@district.example) and the local provider's people (@district.example.org).
 */
export const LOCAL_REQUESTER_EMAIL_DOMAINS = ['district.example', 'district.example.org'] as const;

/** cdk.json's `policyCheckDays` and `sslCheckDays` (issue 22), as deployed: the local clock's schedules. */
export const LOCAL_WATCH_CHECK_DAYS = parseWatchCheckDays(CDK_CONTEXT);

/** cdk.json's `incidentClocks`, as deployed (the state notice clocks of a data incident). */
export const LOCAL_INCIDENT_CLOCKS = parseIncidentClocks(CDK_CONTEXT.incidentClocks);

/** cdk.json's `publishAgreements`, as deployed (default false). */
export const LOCAL_PUBLISH_AGREEMENTS = CDK_CONTEXT.publishAgreements === true;

export const TEAM_EMAILS = {
  cybersecurity: 'ccs@district.example',
  'instructional-technology': 'instructional-tech@district.example',
  dii: 'dii@district.example',
  aas: 'aas@district.example',
};

export const EVENT_BUS_NAME = 'software-requests';

/** The local user pool and session key the AWS stand-ins answer for (local/aws/identity.ts). */
export const LOCAL_USER_POOL_ID = `${LOCAL_REGION}_local`;
export const SESSION_SECRET_ARN = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:software-request-session-local`;
/** The local provider's issuer path and its one client (local/idp/provider.ts). */
export const LOCAL_IDP_PATH = '/_local/idp';
export const LOCAL_CLIENT_ID = 'district-site-local';
/** The vendors' web stand-in (local/web-stand-in.ts), which answers for vendors' sites offline. */
export const VENDOR_WEB_PATH = '/_local/web';
export const SCHEDULE_GROUP_NAME = 'software-request-renewals';
/** The evidence bucket the local S3 stand-in keeps (local/aws/s3.ts), under <dataDir>/documents/. */
export const DOCUMENTS_BUCKET = 'software-request-documents';
/** The secret key handlers sign with locally; the S3 stand-in checks upload forms' signatures with it. */
export const LOCAL_SECRET_ACCESS_KEY = 'local';

/** What `npm start` reads from its own environment. */
export interface LocalSettings {
  port: number;
  dataDir: string;
  /** Use this SSL Labs API instead of the built-in fake (e.g. https://api.ssllabs.com/api/v4). */
  sslLabsApiBase?: string;
  sslLabsEmail?: string;
  /** HANDLERS=bundled runs the handlers from their CDK-identical bundles; default: the TypeScript source. */
  handlers: 'source' | 'bundled';
  /** AUTH_MODE: `sso` (default: sign in through the embedded provider) or `link` (emailed links alone). */
  authMode: 'sso' | 'link';
  /** LOCAL_LIMITS: `as-deployed` (default: AWS's route throttles and hourly limits) or `off` (load tests). */
  limits: 'as-deployed' | 'off';
}

export function readLocalSettings(env: Record<string, string | undefined> = process.env): LocalSettings {
  const rawPort = env.PORT?.trim() || '3000';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a TCP port number (0-65535), got "${rawPort}"`);
  }
  const sslLabsApiBase = env.SSLLABS_API_BASE?.trim() || undefined;
  if (sslLabsApiBase) {
    try {
      new URL(sslLabsApiBase);
    } catch {
      throw new Error(`SSLLABS_API_BASE must be an absolute URL, got "${sslLabsApiBase}"`);
    }
  }
  const handlers = env.HANDLERS?.trim() || 'source';
  if (handlers !== 'source' && handlers !== 'bundled') {
    throw new Error(`HANDLERS must be "source" or "bundled", got "${handlers}"`);
  }
  const authMode = env.AUTH_MODE?.trim() || 'sso';
  if (authMode !== 'sso' && authMode !== 'link') {
    throw new Error(`AUTH_MODE must be "sso" or "link", got "${authMode}"`);
  }
  const limits = env.LOCAL_LIMITS?.trim() || 'as-deployed';
  if (limits !== 'as-deployed' && limits !== 'off') {
    throw new Error(`LOCAL_LIMITS must be "as-deployed" or "off", got "${limits}"`);
  }
  return {
    port,
    handlers,
    authMode,
    limits,
    dataDir: resolve(env.LOCAL_DATA_DIR?.trim() || '.local-data'),
    sslLabsApiBase,
    sslLabsEmail: env.SSLLABS_EMAIL?.trim() || undefined,
  };
}

export interface LocalEndpoints {
  /** The public HTTP API (form, requests, tasks, registry, /_local/*). */
  baseUrl: string;
  dynamodb: string;
  ses: string;
  /** Step Functions, EventBridge Scheduler, EventBridge, Secrets Manager, Cognito and S3 stand-ins share one server. */
  aws: string;
  sslLabsApiBase: string;
}

/** The environment every handler sees, as the CDK stack sets it on AWS (plus the endpoint URLs). */
export function handlerEnvironment(
  endpoints: LocalEndpoints,
  options: { sslLabsEmail?: string; authMode?: 'sso' | 'link'; limits?: 'as-deployed' | 'off' } = {},
): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_ENDPOINT_URL_SFN: endpoints.aws,
    AWS_ENDPOINT_URL_SCHEDULER: endpoints.aws,
    AWS_ENDPOINT_URL_EVENTBRIDGE: endpoints.aws,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.aws,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoints.aws,
    // Browsers post uploads to, and download from, the presigned URLs made against this endpoint.
    AWS_ENDPOINT_URL_S3: endpoints.aws,
    DOCUMENTS_BUCKET,
    AUTH_MODE: options.authMode ?? 'sso',
    OIDC_ISSUER: `${endpoints.baseUrl}${LOCAL_IDP_PATH}`,
    OIDC_CLIENT_ID: LOCAL_CLIENT_ID,
    SESSION_SECRET_ARN,
    USER_POOL_ID: LOCAL_USER_POOL_ID,
    TABLE_NAME,
    STATE_MACHINE_ARN: stateMachineArn(STATE_MACHINE_NAMES.softwareRequest),
    RENEWAL_STATE_MACHINE_ARN: stateMachineArn(STATE_MACHINE_NAMES.annualRenewal),
    WATCH_STATE_MACHINE_ARN: stateMachineArn(STATE_MACHINE_NAMES.resourceWatch),
    STEWARDSHIP_STATE_MACHINE_ARN: stateMachineArn(STATE_MACHINE_NAMES.resourceStewardship),
    INCIDENT_CLOCKS: JSON.stringify(LOCAL_INCIDENT_CLOCKS),
    MAIL_FROM: 'software-requests@district.example',
    // The local SES stand-in accepts the name and ignores it (no events, no reputation metrics).
    SES_CONFIGURATION_SET: 'software-requests-local',
    // Local senders share the send rate through the table as they do on AWS. The SES stand-in has no
    // quota of its own, so load tests (limits off) take the highest rate cdk.json accepts.
    SES_MAX_SEND_RATE: String(
      (options.limits ?? 'as-deployed') === 'off' ? MAX_SES_MAX_SEND_RATE : LOCAL_SES_MAX_SEND_RATE,
    ),
    PUBLIC_BASE_URL: endpoints.baseUrl,
    TEAM_EMAILS: JSON.stringify(TEAM_EMAILS),
    OPERATOR_EMAIL: 'it-operations@district.example',
    ESCALATION_EMAIL: 'technology-services@district.example',
    // No internet locally: vendors' pages (privacy policies) are fetched from the stand-in.
    VENDOR_WEB_STAND_IN: `${endpoints.baseUrl}${VENDOR_WEB_PATH}`,
    DPA_TEMPLATE_URL: `${endpoints.baseUrl}/_local/dpa-template.txt`,
    DPA_RETURN_INSTRUCTIONS:
      'Please sign the agreement and return it to ccs@district.example, quoting the request id.',
    SSLLABS_API_BASE: endpoints.sslLabsApiBase,
    SSLLABS_EMAIL: options.sslLabsEmail ?? 'ccs@district.example',
    SSL_MAX_WAIT_SECONDS: '900',
    SSL_REMEDIATION_WINDOW_DAYS: '30',
    EVENT_BUS_NAME,
    SCHEDULER_ROLE_ARN: `arn:aws:iam::${LOCAL_ACCOUNT}:role/software-request-scheduler`,
    SCHEDULE_GROUP_NAME,
    // The local Scheduler records a schedule's dead-letter queue; it never needs to deliver to it.
    SCHEDULER_DLQ_ARN: `arn:aws:sqs:${LOCAL_REGION}:${LOCAL_ACCOUNT}:software-request-scheduler-dead-letters`,
    RENEWAL_LEAD_DAYS: '30',
    PUBLISH_AGREEMENTS: String(LOCAL_PUBLISH_AGREEMENTS),
    REQUESTER_EMAIL_DOMAINS: LOCAL_REQUESTER_EMAIL_DOMAINS.join(','),
    SUBMISSION_LIMITS: JSON.stringify(
      (options.limits ?? 'as-deployed') === 'off' ? NO_SUBMISSION_LIMITS : LOCAL_SUBMISSION_LIMITS,
    ),
    SERVICE_LEVEL_DAYS: JSON.stringify(LOCAL_SERVICE_LEVEL_DAYS),
    // assign-task's reminder schedules invoke remind-task (the local Scheduler runs it in-process).
    REMINDER_FUNCTION_ARN: functionArn('remind-task'),
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'WARN',
    POWERTOOLS_SERVICE_NAME: 'software-request',
    // The AWS SDK's Node 20 end-of-support notice is noise on a developer's console (Lambda runs 24).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

/** A stand-in for the DPA template the district links in its emails (local only). */
export const DPA_TEMPLATE_TEXT = `Student Data Privacy Agreement (template, local runtime)

This placeholder stands for the district's student Data Privacy Agreement. On AWS, DPA_TEMPLATE_URL
points at the real document.
`;
