/**
 * The REST API: the routes of shared/functions.ts as Lambda proxy integrations, request validation,
 * stage throttling with per-route throttles (shared/route-throttles.ts), an optional WAF rate-based
 * rule, tracing, and access logs that never contain query strings (the task link secret `t`
 * travels in the query string of GET /tasks/{taskId}).
 */
import { Aws, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  BasePathMapping,
  DomainName,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  type Method,
  type MethodOptions,
  RequestValidator,
  RestApi,
  SecurityPolicy,
} from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { FUNCTIONS, type Route, routesOf } from '#shared/functions.ts';
import { methodSettingsKey, type RouteKey, type Throttle } from '#shared/route-throttles.ts';
import type { DistrictFunction } from './district-function.ts';

export const STAGE_NAME = 'prod';

/**
 * Access log fields. `$context.resourcePath` is the route template (`/tasks/{taskId}`): neither the
 * query string nor the concrete path is logged. No `$context.path`, no `$context.requestOverride…`.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTimeEpoch',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  errorType: '$context.error.responseType',
  xrayTraceId: '$context.xrayTraceId',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
} as const;

/**
 * The routes of signed-in people authenticate in the handler (shared/identity/caller.ts): the session
 * cookie (jose-verified, CSRF token on every POST) or a bearer token verified against the user pool's
 * keys. A REST API Cognito authorizer would require the token on every call, which browsers that carry
 * the cookie do not send.
 */
const SIGNED_IN =
  'Authenticated in the handler (shared/identity/caller.ts), not by API Gateway: the signed session cookie (CSRF token on every POST) or a bearer token verified against the Cognito user pool keys; without either the route answers 401 (or sends a browser to sign in). A Cognito authorizer would make a bearer token mandatory for browsers that carry the cookie.';
const SIGN_IN =
  'The OpenID Connect sign-in itself (authorization code flow with PKCE, state and nonce in a signed pending-login cookie): it must be reachable before anyone is signed in.';

/** Why each route is reachable without IAM/Cognito authorisation (cdk-nag APIG4 / COG4). */
const PUBLIC_ROUTE_REASONS: Record<string, string> = {
  'GET /auth/login': SIGN_IN,
  'GET /auth/callback': SIGN_IN,
  'POST /auth/logout': `${SIGN_IN} Signing out needs the session's CSRF token.`,
  'GET /auth/session':
    'Says whether the caller is signed in (and the session CSRF token to the site itself); no data.',
  'GET /queue': SIGNED_IN,
  'GET /my/requests': SIGNED_IN,
  'POST /queue/{taskId}/{action}': SIGNED_IN,
  'POST /queue/away': SIGNED_IN,
  'POST /incidents': `${SIGNED_IN} In link mode the function refuses every report (nobody is known). A vendor reports through its incident link instead: a 256-bit secret whose hash is stored, for one resource, expiring, at most ten reports.`,
  'GET /incidents':
    "The vendor's incident form, opened from the link of the DPA emails (vendors never sign in): only renders the form for a valid, unexpired link (its secret is checked against the stored hash) and changes nothing.",
  'GET /reports': `${SIGNED_IN} With AUTH_MODE=sso only Technology Services and the auditors read them.`,
  'GET /reports/summary.json': `${SIGNED_IN} With AUTH_MODE=sso only Technology Services and the auditors read them.`,
  'GET /reports/tasks.csv': `${SIGNED_IN} With AUTH_MODE=sso only Technology Services and the auditors read them.`,
  'GET /':
    'The request form (SOP 1-2) is open to every district staff member by design; it only renders HTML and changes nothing.',
  'POST /requests':
    'submit-request authenticates in the handler (shared/identity): with AUTH_MODE=sso a session cookie with its CSRF token, or a bearer token verified against the user pool keys; a REST authorizer would make the token mandatory for browsers that send the cookie. It validates every field with the shared schema, honours Idempotency-Key, accepts requesters only on the district domains, counts the submissions of each requester (and without sign-in of each client address) per hour in DynamoDB (429 beyond), and has a low throttle of its own.',
  'GET /requests/{requestId}':
    'Status lookup by a request id with 40 random bits (SR-YYYYMMDD-XXXXXXXX) that only the requester receives; it shows workflow progress and changes nothing.',
  'GET /tasks/{taskId}':
    'With AUTH_MODE=sso the handler also requires a signed-in member of the task team (shared/tasks/team-access.ts). Approvers authenticate with the single-use emailed link, not IAM/Cognito: task-page checks the 256-bit link secret (stored hashed) and only shows a confirmation form; a GET never changes state.',
  'POST /tasks/{taskId}':
    'With AUTH_MODE=sso the handler also requires a signed-in member of the task team, checked against the user pool groups on each decision, and the session CSRF token. Approvers authenticate with the single-use emailed link, not IAM/Cognito: record-decision accepts a decision once (conditional write), only with the right 256-bit secret and before expiry; forged, replayed or expired links change nothing.',
  'GET /replies/{replyId}':
    'Requesters and vendors answer a review question (SOP 4) with the single-use emailed reply link, not IAM/Cognito: reply-page checks the 256-bit link secret (stored hashed) and only shows the question and a form; a GET never changes state.',
  'POST /replies/{replyId}':
    'Requesters and vendors answer with the single-use emailed reply link, not IAM/Cognito: record-answer accepts an answer once (conditional write), only with the right 256-bit secret and before expiry; forged, replayed or expired links change nothing.',
  'GET /registry':
    'The approved-resources registry is the staff transparency list of SOP 6/16, readable without sign-in on purpose; it lists resources and statuses, no personal data.',
  'GET /registry/{resourceId}':
    'One entry of the same staff transparency list (SOP 6/16/17): status, reason, DPA expiry, SSL grade, renewal date and request numbers; never licence keys, vendor contacts or deciders comments.',
  'GET /public':
    'The public list of approved resources that state student-privacy laws ask a district to publish (operators, purpose, data elements, subprocessors, agreement dates, incidents); built from an allow-list of fields, never costs, budget codes, requesters, principals or comments.',
  'GET /public.json':
    'The same public list of approved resources as JSON, for parents and registries (same allow-list of fields).',
  'GET /public.csv':
    'The same public list of approved resources as CSV, for parents and registries (same allow-list of fields: no personal data).',
  'GET /public/agreements/{documentId}':
    'A signed agreement the district chose to publish (publishAgreements, as Illinois and Colorado ask): only the DPA of a resource Approved now, by an unguessable document id the public list links; anything else answers 404.',
  'GET /uploads/{uploadId}':
    'Vendors return the signed DPA with the single-use emailed upload link, not IAM/Cognito: upload-page checks the 256-bit link secret (stored hashed) and only shows a form that posts to S3 through a presigned POST limited to one key and 10 MB; a GET never changes state.',
  'GET /uploads/{uploadId}/received':
    "Where S3 sends the vendor's browser after storing the file: upload-received needs the link's 256-bit secret, reads only the key the presigned POST allowed, checks the PDF by content and claims the link once (conditional write); a repeat finishes the same upload, another upload on a used link is refused.",
  'GET /documents/{documentId}': `${SIGNED_IN} Only members of a team (sso), or the emailed task link of the document's own request (link mode); answers a presigned S3 GET valid 5 minutes.`,
  'GET /requests/{requestId}/audit': `${SIGNED_IN} Only Technology Services and the auditors (AUTH_MODE=sso); 404 in link mode.`,
  'GET /requests/{requestId}/audit.html': `${SIGNED_IN} Only Technology Services and the auditors (AUTH_MODE=sso); 404 in link mode.`,
  'GET /audit/export.csv': `${SIGNED_IN} Only Technology Services and the auditors (AUTH_MODE=sso); 404 in link mode.`,
  'GET /registry.csv':
    'The same staff transparency list as CSV for the TXSPA upload (SOP 6/16 "upload status to TXSPA Database"): the same public columns, no personal data.',
};

/** The API's limits, as cdk.json names them (cdk/config.ts). */
export interface ApiLimits {
  /** The stage's default: each method's bucket unless routeThrottles names it. */
  apiThrottle: Throttle;
  /** Routes with a bucket of their own (shared/route-throttles.ts). */
  routeThrottles: Readonly<Record<RouteKey, Throttle>>;
  /** A WAF web ACL with a rate-based rule (requests per client address per 5 minutes); none when unset. */
  wafRateLimitPerFiveMinutes?: number | undefined;
}

export interface DistrictApiProps {
  functionsByName: ReadonlyMap<string, DistrictFunction>;
  limits: ApiLimits;
  logRetention: RetentionDays;
  /** Optional custom domain mapped at the root (no stage prefix in links). */
  customDomain?: { domainName: string; certificateArn: string };
}

export class DistrictApi extends Construct {
  readonly api: RestApi;
  readonly accessLogGroup: LogGroup;
  readonly methods = new Map<string, Method>();
  /** The custom domain, when configured (its CNAME target is a stack output). */
  domain?: DomainName;
  /** The WAF web ACL, when wafRateLimitPerFiveMinutes is set. */
  webAcl?: CfnWebACL;

  constructor(scope: Construct, id: string, props: DistrictApiProps) {
    super(scope, id);

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });

    this.api = new RestApi(this, 'Api', {
      // Unique per stack: the 5xx alarm's ApiName dimension must not count another stack's API.
      restApiName: `${Stack.of(this).stackName}-Api`,
      description: 'TS-PE-535 digital-resource requests: form, status, approver links, registry',
      endpointTypes: [EndpointType.REGIONAL],
      // Account-level role that lets API Gateway write the access log (required once per account/region).
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: STAGE_NAME,
        tracingEnabled: true,
        throttlingRateLimit: props.limits.apiThrottle.rateLimit,
        throttlingBurstLimit: props.limits.apiThrottle.burstLimit,
        // A bucket per route: the form's flood spends the form's tokens, not the approvers'.
        methodOptions: Object.fromEntries(
          Object.entries(props.limits.routeThrottles).map(([route, t]) => [
            methodSettingsKey(route),
            { throttlingRateLimit: t.rateLimit, throttlingBurstLimit: t.burstLimit },
          ]),
        ),
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        metricsEnabled: false,
        dataTraceEnabled: false,
      },
    });

    this.addRoutes(props);
    if (props.customDomain) this.mapCustomDomain(props.customDomain);
    const wafLimit = props.limits.wafRateLimitPerFiveMinutes;
    if (wafLimit) this.addWebAcl(wafLimit);
    this.acknowledgeStageFindings();
  }

  /** One method per route of shared/functions.ts, each public route with its written reason. */
  private addRoutes(props: DistrictApiProps): void {
    // Path parameters are required; the body is validated by the Lambda with the same zod schema that
    // renders the form (a JSON-schema model would duplicate it, and the body may be form-encoded).
    const validator = new RequestValidator(this, 'Validator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: true,
    });

    for (const spec of FUNCTIONS) {
      for (const route of routesOf(spec)) this.addRoute(spec.name, route, validator, props);
    }
  }

  private addRoute(name: string, route: Route, validator: RequestValidator, props: DistrictApiProps): void {
    const fn = props.functionsByName.get(name);
    if (!fn) throw new Error(`No function for route ${route.method} ${route.path}`);
    const key = `${route.method} ${route.path}`;
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].flatMap((m) => (m[1] ? [m[1]] : []));
    const options: MethodOptions = {
      requestValidator: validator,
      requestParameters: Object.fromEntries(pathParams.map((p) => [`method.request.path.${p}`, true])),
    };
    const method = this.api.root
      .resourceForPath(route.path)
      .addMethod(route.method, new LambdaIntegration(fn.function, { allowTestInvoke: false }), options);
    this.methods.set(key, method);
    const reason = PUBLIC_ROUTE_REASONS[key];
    if (!reason) throw new Error(`Route ${key} has no documented reason to be public`);
    Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason });
    Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason });
  }

  private mapCustomDomain(customDomain: NonNullable<DistrictApiProps['customDomain']>): void {
    const domain = new DomainName(this, 'Domain', {
      domainName: customDomain.domainName,
      certificate: Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn),
      endpointType: EndpointType.REGIONAL,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    this.domain = domain;
    new BasePathMapping(this, 'RootMapping', { domainName: domain, restApi: this.api });
  }

  /**
   * One rate-based rule: a client address over `limit` requests in 5 minutes is blocked (403) until it
   * slows down. US$5 a month for the web ACL, US$1 for the rule, US$0.60 per million requests.
   */
  private addWebAcl(limit: number): void {
    const metric = (name: string) => ({
      cloudWatchMetricsEnabled: true,
      metricName: `${Stack.of(this).stackName}-${name}`,
      sampledRequestsEnabled: false,
    });
    this.webAcl = new CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: metric('WebAcl'),
      rules: [
        {
          name: 'RatePerClientAddress',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP' } },
          visibilityConfig: metric('RatePerClientAddress'),
        },
      ],
    });
    new CfnWebACLAssociation(this, 'WebAclAssociation', {
      resourceArn: this.api.deploymentStage.stageArn,
      webAclArn: this.webAcl.attrArn,
    });
  }

  private acknowledgeStageFindings(): void {
    Validations.of(this.api.deploymentStage).acknowledge({
      id: 'AwsSolutions-APIG6',
      reason:
        'Execution logging is off on purpose: it writes to an API Gateway-managed log group (API-Gateway-Execution-Logs_<id>/prod, never expires, outside this stack) and at INFO records request parameters, which include the task-link secret `t`. The stage access log (route template, no query string), Lambda logs and X-Ray traces cover troubleshooting.',
    });
    if (!this.webAcl) {
      Validations.of(this.api.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAFv2 web ACL unless wafRateLimitPerFiveMinutes is set: for ~1,000 requests a year a web ACL (US$5/month + US$1/rule) would cost more than the rest of the stack; per-route throttles, the per-requester submission limits in DynamoDB and the requester domains bound abuse, every handler validates its input, and approver actions need the emailed secret.',
      });
    }
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The account-level API Gateway logging role (needed for the stage access log) uses the AWS-managed AmazonAPIGatewayPushToCloudWatchLogs policy that AWS documents for it; API Gateway chooses the log groups it writes, so it cannot be scoped to this stack.',
      });
    }
  }

  /**
   * The public base URL for emailed links, without referencing the stage or deployment (those depend on
   * the methods, which depend on the integrated functions that read this URL: a reference would be a cycle).
   */
  baseUrl(override?: string): string {
    if (override) return override.replace(/\/+$/, '');
    return Fn.join('', [
      'https://',
      this.api.restApiId,
      '.execute-api.',
      Aws.REGION,
      '.',
      Aws.URL_SUFFIX,
      `/${STAGE_NAME}`,
    ]);
  }
}
