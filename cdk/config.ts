/**
 * The district's deployment settings, read from cdk.json "context" (or `-c key=value`) and validated at
 * synth: a bad value stops `cdk synth` with the key's name, before anything reaches CloudFormation.
 */

import type { Node } from 'constructs';
import * as z from 'zod/mini';
import { asError } from '#shared/core/errors.ts';
import { isOneOf, isRecord, keysOf } from '#shared/core/guards.ts';
import { DEFAULT_SES_MAX_SEND_RATE, MAX_SES_MAX_SEND_RATE } from '#shared/core/mail/send-rate.ts';
import { MAX_SUBMISSIONS_PER_HOUR, SUBMISSION_LIMIT_DEFAULTS } from '#shared/requests/limits.ts';
import { type RouteKey, routeThrottlesFromContext, type Throttle } from '#shared/route-throttles.ts';
import { DEFAULT_INCIDENT_CLOCKS } from '#shared/stewardship/clocks.ts';
import { DEFAULT_WATCH_CHECK_DAYS, WATCH_CHECK_DAYS_BOUNDS } from '#shared/watch/checks.ts';
import { type DeadlineDays, parseDeadlineDays } from '#shared/workflow/deadlines.ts';
import { parseServiceLevelDays, type ServiceLevelDays } from '#shared/workflow/service-levels.ts';
import type { Team } from '#shared/workflow/task-kinds.ts';
import { deadlinesProblem } from '../scripts/limits/asl.ts';
import { PLACEHOLDER_NOTE, placeholderProblems } from './placeholders.ts';

/** Retention periods CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

const text = (max = 500) =>
  z.string('must be a string').check(z.trim(), z.minLength(1, 'must not be empty'), z.maxLength(max));
const email = () =>
  z
    .string('must be an email address')
    .check(z.trim(), z.regex(EMAIL, 'must be an email address, e.g. "it-security@example.org"'));
const httpsUrl = () =>
  z.url({ protocol: /^https$/, error: 'must be an absolute https:// URL' }).check(z.trim());
const int = (min: number, max: number) =>
  z
    .number('must be a number')
    .check(
      z.int('must be a whole number'),
      z.gte(min, `must be at least ${min}`),
      z.lte(max, `must be at most ${max}`),
    );

/** A Cognito domain prefix: lower-case letters, digits and hyphens; AWS reserves a few words. */
const DOMAIN_PREFIX = /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const federationName = () =>
  z
    .string('must be a name')
    .check(z.trim(), z.regex(/^[\w.-]{1,32}$/, 'must be 1-32 letters, digits, dots, hyphens or underscores'));

const identitySchema = z.object(
  {
    /** `sso` (default): a signed-in member of the task's team decides; `link`: the emailed link alone. */
    authMode: z._default(z.enum(['sso', 'link'], 'must be "sso" or "link"'), 'sso'),
    /** The Cognito sign-in domain: https://<domainPrefix>.auth.<region>.amazoncognito.com (unique per region). */
    domainPrefix: z.optional(
      z
        .string('must be a domain prefix')
        .check(
          z.regex(
            DOMAIN_PREFIX,
            'must be lower-case letters, digits and hyphens (no "aws", "amazon", "cognito")',
          ),
        ),
    ),
    /** The district's own sign-in: Google Workspace (OIDC) or Microsoft Entra ID (SAML, or OIDC). */
    federation: z.optional(
      z.discriminatedUnion(
        'type',
        [
          z.object({
            type: z.literal('oidc'),
            name: federationName(),
            issuer: httpsUrl(),
            clientId: text(256),
            /** The Secrets Manager secret (name or ARN) holding the OIDC client secret. */
            clientSecretName: text(512),
          }),
          z.object({ type: z.literal('saml'), name: federationName(), metadataUrl: httpsUrl() }),
        ],
        'must be {"type": "oidc", "name", "issuer", "clientId", "clientSecretName"} or {"type": "saml", "name", "metadataUrl"}',
      ),
    ),
  },
  'must be an object {"authMode", "domainPrefix", "federation"}',
);

export type IdentityConfig = z.infer<typeof identitySchema>;

// Spelled out rather than built from TEAMS: `satisfies` still fails the build when a team is added.
const teamEmails = z.object(
  {
    cybersecurity: email(),
    'instructional-technology': email(),
    dii: email(),
    aas: email(),
  } satisfies Record<Team, ReturnType<typeof email>>,
  'must be an object of team to email address: {"cybersecurity", "instructional-technology", "dii", "aas"}',
);

const configSchema = z
  .object({
    districtName: text(120),
    mailDomain: z
      .string('must be a domain name')
      .check(
        z.trim(),
        z.toLowerCase(),
        z.regex(DOMAIN, 'must be a domain name such as "example.org" (no scheme, no @)'),
      ),
    mailFrom: email(),
    operatorEmail: email(),
    escalationEmail: z.optional(email()),
    teamEmails,
    dpaTemplateUrl: httpsUrl(),
    dpaReturnInstructions: text(1000),
    sslLabsEmail: email(),
    sslLabsApiBase: z._default(httpsUrl(), 'https://api.ssllabs.com/api/v4'),
    sslMaxWaitSeconds: z._default(int(60, 86_400), 3600),
    /** SOP 5-6: days the vendor has to bring the SSL grade to A once notified (at most 30). */
    sslRemediationWindowDays: z._default(int(1, 30), 30),
    renewalLeadDays: z._default(int(0, 180), 30),
    /** Issue 22: how often the reviewed privacy policies are fetched and compared (shared/watch/checks.ts). */
    policyCheckDays: z._default(
      int(WATCH_CHECK_DAYS_BOUNDS.min, WATCH_CHECK_DAYS_BOUNDS.max),
      DEFAULT_WATCH_CHECK_DAYS.policyCheckDays,
    ),
    /** Issue 22: how often the SSL grade of every approved website is spot-checked between renewals. */
    sslCheckDays: z._default(
      int(WATCH_CHECK_DAYS_BOUNDS.min, WATCH_CHECK_DAYS_BOUNDS.max),
      DEFAULT_WATCH_CHECK_DAYS.sslCheckDays,
    ),
    /**
     * The state notice clocks of a data incident, each counted from the incident's date (Illinois
     * SOPPA: parents within 30 days; New York Ed Law 2-d: contractor to district within 7).
     */
    incidentClocks: z._default(
      z.array(z.object({ name: text(100), days: int(1, 365) }), 'must be a list of {"name", "days"}'),
      DEFAULT_INCIDENT_CLOCKS.map((c) => ({ ...c })),
    ),
    /**
     * Link each approved resource's signed agreement on the public page (Illinois and Colorado ask for
     * a copy of each agreement). Off by default: a district turns it on once its DPAs allow it.
     */
    publishAgreements: z._default(z.boolean('must be true or false'), false),
    /** Task kind → days (shared/workflow/deadlines.ts); checked by parseConfig, with the execution limit. */
    humanStepDeadlineDays: z.optional(z.unknown()),
    /** Task kind → days (shared/workflow/service-levels.ts); checked by parseConfig against the deadlines. */
    serviceLevelDays: z.optional(z.unknown()),
    apiThrottle: z._default(
      z.object(
        { rateLimit: int(1, 10_000), burstLimit: int(1, 5_000) },
        'must be an object {"rateLimit": number, "burstLimit": number}',
      ),
      { rateLimit: 10, burstLimit: 20 },
    ),
    /** Route → throttle over shared/route-throttles.ts's defaults; checked by parseConfig. */
    routeThrottles: z.optional(z.unknown()),
    /**
     * The domains a requester's address must be on (subdomains included): the acknowledgement goes
     * there. Default: mailDomain alone.
     */
    requesterEmailDomains: z.optional(
      z
        .array(
          z
            .string('must be a domain name')
            .check(
              z.trim(),
              z.toLowerCase(),
              z.regex(DOMAIN, 'must be domain names such as "example.org" (no scheme, no @)'),
            ),
          'must be a list of domain names, e.g. ["example.org"]',
        )
        .check(z.minLength(1, 'must name at least one domain'), z.maxLength(20)),
    ),
    /** Submissions an hour per requester and, without sign-in, per client address (DynamoDB counts). */
    submissionLimits: z._default(
      z.object(
        {
          perRequesterPerHour: int(1, MAX_SUBMISSIONS_PER_HOUR),
          perAddressPerHour: int(1, MAX_SUBMISSIONS_PER_HOUR),
        },
        'must be an object {"perRequesterPerHour": number, "perAddressPerHour": number}',
      ),
      SUBMISSION_LIMIT_DEFAULTS,
    ),
    /** A WAF web ACL with one rate-based rule (requests per client address per 5 minutes); off when unset. */
    wafRateLimitPerFiveMinutes: z.optional(int(10, 2_000_000_000)),
    logRetentionDays: z._default(
      z
        .number('must be a number')
        .check(
          z.refine(
            (days) => isOneOf(LOG_RETENTION_DAYS, days),
            `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
          ),
        ),
      365,
    ),
    /**
     * Years the evidence documents (signed DPAs, policy snapshots, deletion certificates) are kept, then
     * deleted by the bucket's lifecycle (cdk/constructs/document-store.ts). At least 2: documents move
     * to Glacier Instant Retrieval after one year, where S3 bills 90 days at least, and S3 refuses an
     * expiration that does not come after every transition.
     */
    documentRetentionYears: z._default(
      z
        .number('must be a number of years')
        .check(
          z.int('must be a whole number of years'),
          z.gte(2, 'must be at least 2 (documents move to Glacier Instant Retrieval after 1 year)'),
          z.lte(100, 'must be at most 100'),
        ),
      7,
    ),
    publicBaseUrl: z.optional(httpsUrl()),
    customDomain: z.optional(
      z.object(
        {
          domainName: z
            .string('must be a domain name')
            .check(z.trim(), z.toLowerCase(), z.regex(DOMAIN, 'must be a domain name')),
          certificateArn: z
            .string('must be an ACM certificate ARN')
            .check(
              z.regex(
                /^arn:aws[\w-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/,
                'must be an ACM certificate ARN',
              ),
            ),
        },
        'must be an object {"domainName": string, "certificateArn": string}',
      ),
    ),
    /** Signed-in people (shared/identity): the Cognito user pool, optionally federated to the district's SSO. */
    identity: z._default(identitySchema, { authMode: 'sso' }),
    /**
     * Issue 22: the account's SES send rate (emails a second, the SES console's "Sending quota"):
     * every sender shares it through the table. SES's production default is 14 (1 in the sandbox).
     */
    sesMaxSendRate: z._default(int(1, MAX_SES_MAX_SEND_RATE), DEFAULT_SES_MAX_SEND_RATE),
    sesSandboxRecipients: z.optional(
      z.array(email(), 'must be a list of verified recipient email addresses').check(z.maxLength(50)),
    ),
    /**
     * Only for the repository's example values (tests, benchmarks, `npm run synth`): synthesize although
     * settings name placeholder domains (cdk/placeholders.ts). Never in a district's cdk.json.
     */
    allowPlaceholderDomains: z._default(z.boolean('must be true or false'), false),
    /** AWS Backup: where each daily recovery point of the table is also copied (another region or account). */
    backupCopyVaultArn: z.optional(
      z
        .string('must be a backup vault ARN')
        .check(
          z.regex(
            /^arn:aws[\w-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[\w.-]{2,50}$/,
            'must be a backup vault ARN, e.g. arn:aws:backup:us-west-2:123456789012:backup-vault:district-copies',
          ),
        ),
    ),
    /**
     * After a restore (docs/operations.md): the restored table's name. Every function is repointed to
     * it (TABLE_NAME and its IAM grants) and so is the backup plan; the stack's own table leaves the
     * stack but is retained.
     */
    restoredTableName: z.optional(
      z
        .string('must be a table name')
        .check(z.regex(/^[\w.-]{3,255}$/, 'must be a DynamoDB table name (3-255 letters, digits, _ . -)')),
    ),
    /** Days the integration bus archive keeps events for replay (0: indefinitely). */
    integrationEventArchiveDays: z._default(int(0, 3650), 365),
    account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'must be a 12-digit AWS account id'))),
    region: z.optional(
      z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region, e.g. us-east-1')),
    ),
  })
  .check(
    z.refine(
      (c) => {
        const domain = c.mailFrom.split('@')[1]?.toLowerCase() ?? '';
        return domain === c.mailDomain || domain.endsWith(`.${c.mailDomain}`);
      },
      {
        message: 'must be an address on mailDomain (SES sends only from the verified domain)',
        path: ['mailFrom'],
      },
    ),
  );

export type DistrictConfig = Omit<
  z.infer<typeof configSchema>,
  'humanStepDeadlineDays' | 'serviceLevelDays' | 'routeThrottles' | 'requesterEmailDomains'
> & {
  humanStepDeadlineDays: DeadlineDays;
  serviceLevelDays: ServiceLevelDays;
  routeThrottles: Record<RouteKey, Throttle>;
  requesterEmailDomains: readonly string[];
};

/** Every context key the stack reads; anything else in cdk.json context belongs to CDK itself. */
export const CONFIG_KEYS = keysOf(configSchema.def.shape);

/** Thrown when cdk.json context is missing or malformed; the message lists every bad key. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/**
 * Validates raw context values. Values given on the command line (`-c apiThrottle={"rateLimit":5,...}`,
 * `-c sslMaxWaitSeconds=600`) arrive as strings: JSON-looking strings are parsed first.
 */
export function parseConfig(raw: Record<string, unknown>): DistrictConfig {
  const input: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const value = raw[key];
    if (value === undefined || value === null || value === '') continue;
    input[key] = typeof value === 'string' ? fromCommandLine(value) : value;
  }
  const result = configSchema.safeParse(input);
  const deadlines = checkDeadlines(input.humanStepDeadlineDays);
  const levels = 'days' in deadlines ? checkServiceLevels(input.serviceLevelDays, deadlines.days) : undefined;
  const throttles = checkRouteThrottles(input);
  const placeholders =
    result.success && !result.data.allowPlaceholderDomains ? placeholderProblems(result.data) : [];
  if (
    result.success &&
    !placeholders.length &&
    'days' in deadlines &&
    levels &&
    'days' in levels &&
    'throttles' in throttles
  ) {
    return {
      ...result.data,
      humanStepDeadlineDays: deadlines.days,
      serviceLevelDays: levels.days,
      routeThrottles: throttles.throttles,
      requesterEmailDomains: result.data.requesterEmailDomains ?? [result.data.mailDomain],
    };
  }
  const issues = result.success ? [] : result.error.issues;
  const lines = issues.map((issue) => {
    const key = issue.path.length ? issue.path.join('.') : '(context)';
    const missing = issue.code === 'invalid_type' && valueAt(input, issue.path) === undefined;
    const message = missing ? 'is required' : issue.message;
    return `  - ${key}: ${message}`;
  });
  if ('problem' in deadlines) lines.push(`  - humanStepDeadlineDays: ${deadlines.problem}`);
  if (levels && 'problem' in levels) lines.push(`  - serviceLevelDays: ${levels.problem}`);
  if ('problem' in throttles) lines.push(`  - ${throttles.problem}`);
  if (placeholders.length) lines.push(...placeholders, PLACEHOLDER_NOTE);
  throw new ConfigurationError(
    `Invalid deployment configuration (cdk.json "context" or -c key=value):\n${lines.join('\n')}`,
  );
}

/** Reads and validates the configuration from a construct's context (the App's, normally). */
export function readConfig(node: Node): DistrictConfig {
  const raw: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) raw[key] = node.tryGetContext(key);
  return parseConfig(raw);
}

/** Bounds per step (parseDeadlineDays), then the worst execution they allow (scripts/limits). */
function checkDeadlines(raw: unknown): { days: DeadlineDays } | { problem: string } {
  let days: DeadlineDays;
  try {
    days = parseDeadlineDays(raw);
  } catch (error) {
    return { problem: asError(error).message.replaceAll('humanStepDeadlineDays.', '') };
  }
  const problem = deadlinesProblem(days);
  return problem ? { problem } : { days };
}

function checkRouteThrottles(
  input: Record<string, unknown>,
): { throttles: Record<RouteKey, Throttle> } | { problem: string } {
  try {
    return { throttles: routeThrottlesFromContext(input) };
  } catch (error) {
    return { problem: asError(error).message };
  }
}

function checkServiceLevels(
  raw: unknown,
  deadlines: DeadlineDays,
): { days: ServiceLevelDays } | { problem: string } {
  try {
    return { days: parseServiceLevelDays(raw, deadlines) };
  } catch (error) {
    return { problem: asError(error).message.replaceAll('serviceLevelDays.', '') };
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (!isRecord(value) || typeof key === 'symbol') return undefined;
    value = value[key];
  }
  return value;
}

function fromCommandLine(value: string): unknown {
  const trimmed = value.trim();
  if (/^[{[]/.test(trimmed) || /^-?\d+(\.\d+)?$/.test(trimmed) || trimmed === 'true' || trimmed === 'false') {
    try {
      return JSON.parse(trimmed);
    } catch {
      return value;
    }
  }
  return value;
}
