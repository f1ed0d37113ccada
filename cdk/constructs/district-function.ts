/**
 * One Lambda of the product (an entry of shared/functions.ts) with the project's defaults, and
 * `bind…()` helpers that set the environment variable a handler reads AND grant the IAM it needs, in
 * one call, so configuration and permissions cannot drift apart.
 */
import { fileURLToPath } from 'node:url';
import { CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { EmailIdentity, IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { TABLE_ACCESS } from '#shared/core/store/access.ts';
import type { FunctionSpec } from '#shared/functions.ts';
import { REMINDER_SCHEDULE_PREFIX, RENEWAL_SCHEDULE_PREFIX } from '#shared/workflow/schedule-names.ts';
import { LAMBDA_BUNDLE, lambdaEntry } from '../lambda-bundling.ts';
import type { DistrictIdentity } from './district-identity.ts';
import type { DocumentAccess, DocumentStore } from './document-store.ts';
import { tableStatements } from './table-grants.ts';

/** Repository root: entries are `lambdas/<name>.ts` relative to it. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** SES actions for the mail senders: exactly the command shared/core/mail/ses-mailer.ts sends (SendEmailCommand). */
export const MAIL_ACTIONS = ['ses:SendEmail'] as const;

/** Step Functions task-token calls: exactly what shared/tasks/delivery.ts sends (SendTaskSuccessCommand). */
export const TASK_RESPONSE_ACTIONS = ['states:SendTaskSuccess'] as const;

/** The Powertools service name every handler logs under (shared/core/logger.ts uses the same). */
export const SERVICE_NAME = 'software-request';

export interface DistrictFunctionProps {
  spec: FunctionSpec;
  logRetention: RetentionDays;
  /** Default 30 s. */
  timeout?: Duration;
  /** Default 256 MB. */
  memorySize?: number;
}

export class DistrictFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;
  /** The rule that runs it, for functions with `everyMinutes` (runOnSchedule). */
  schedule?: Rule;
  /** The rule that delivers SES's sending events, for the function with `sesEvents` (receiveSesEvents). */
  sesEvents?: Rule;

  constructor(scope: Construct, id: string, props: DistrictFunctionProps) {
    super(scope, id);
    this.spec = props.spec;

    this.logGroup = new LogGroup(this, 'LogGroup', { retention: props.logRetention });

    // An explicit role instead of the default one: the default attaches the AWS-managed
    // AWSLambdaBasicExecutionRole (logs on every log group); this one may write its own log group only.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.spec.name} (SOP ${props.spec.sop})`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: lambdaEntry(PROJECT_ROOT, props.spec.name),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      description: `${props.spec.name}: TS-PE-535 SOP ${props.spec.sop}`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      // The state machines call published versions (fn.currentVersion, workflow-state-machine.ts): an
      // execution keeps calling the code it started with, for up to a year. CDK's default would delete
      // the previous version on the next deploy, under the executions still calling it; RETAIN keeps
      // every published version (docs/operations.md "Upgrades" says when to prune).
      currentVersionOptions: { removalPolicy: RemovalPolicy.RETAIN },
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      },
      bundling: {
        // cdk/lambda-bundling.ts: the same options the bundle tests and HANDLERS=bundled build with.
        minify: LAMBDA_BUNDLE.minify,
        sourceMap: LAMBDA_BUNDLE.sourceMap,
        format: OutputFormat.ESM,
        target: LAMBDA_BUNDLE.target,
        mainFields: [...LAMBDA_BUNDLE.mainFields],
        banner: LAMBDA_BUNDLE.banner,
        keepNames: LAMBDA_BUNDLE.keepNames,
        // Bundle the pinned AWS SDK v3 (package-lock.json) instead of the runtime's copy: the code
        // runs with exactly the versions the tests ran with.
        externalModules: [],
        bundleAwsSDK: true,
        logLevel: LogLevel.WARNING,
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Tracing.ACTIVE grants xray:PutTraceSegments and xray:PutTelemetryRecords, which do not support resource-level permissions (the X-Ray service authorisation reference lists no resource types for them).',
    });
  }

  /** Sets a plain configuration variable (no IAM involved). */
  setEnv(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /**
   * TABLE_NAME + exactly this function's entry of shared/core/store/access.ts: GetItem/Query on the
   * partitions it reads, PutItem/UpdateItem on the partitions it writes, BatchWriteItem on the ones it
   * batches (each as dynamodb:LeadingKeys
   * conditions on the partition-key prefixes), and Query on the index partitions it lists (on an
   * index, LeadingKeys is the index's partition key).
   */
  bindTable(table: ITable): this {
    const access = TABLE_ACCESS[this.spec.name];
    if (!access) throw new Error(`shared/core/store/access.ts has no entry for ${this.spec.name}`);
    this.setEnv('TABLE_NAME', table.tableName);
    for (const statement of tableStatements(access, table.tableArn)) this.function.addToRolePolicy(statement);
    return this;
  }

  /**
   * MAIL_FROM, SES_CONFIGURATION_SET and SES_MAX_SEND_RATE (the account's send rate every sender
   * counts against in the table: bindTable grants SESRATE#) + ses:SendEmail (the only SES call shared/core/mail/ses-mailer.ts
   * makes: SendEmailCommand, never SendRawEmail) on the district's verified domain identity and the
   * configuration set its emails name (SES authorises a send against both), plus, while the account is
   * in the SES sandbox, the verified recipient identities SES also authorises against.
   */
  bindMail(mail: {
    identity: EmailIdentity;
    configurationSet: IConfigurationSet;
    mailFrom: string;
    maxSendRate: number;
    sandboxRecipients: readonly string[];
  }): this {
    const { identity, configurationSet, mailFrom, sandboxRecipients } = mail;
    this.setEnv('MAIL_FROM', mailFrom);
    this.setEnv('SES_CONFIGURATION_SET', configurationSet.configurationSetName);
    this.setEnv('SES_MAX_SEND_RATE', String(mail.maxSendRate));
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendWithConfigurationSet',
        actions: [...MAIL_ACTIONS],
        resources: [
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.configurationSetName,
          }),
        ],
      }),
    );
    identity.grant(this.function, ...MAIL_ACTIONS);
    if (sandboxRecipients.length) {
      const stack = Stack.of(this);
      this.function.addToRolePolicy(
        new PolicyStatement({
          sid: 'SesSandboxRecipients',
          actions: [...MAIL_ACTIONS],
          resources: sandboxRecipients.map((address) =>
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: address }),
          ),
        }),
      );
    }
    return this;
  }

  /**
   * Who is asking (shared/identity, IDENTITY_ENV): AUTH_MODE, PUBLIC_BASE_URL, the pool's issuer and
   * the site's client, the session key's secret (secretsmanager:GetSecretValue on that secret only) and
   * the pool (cognito-idp:AdminListGroupsForUser on that pool only: teams are checked on each decision).
   */
  bindIdentity(identity: DistrictIdentity, publicBaseUrl: string): this {
    this.setEnv('AUTH_MODE', identity.authMode);
    this.setEnv('PUBLIC_BASE_URL', publicBaseUrl);
    this.setEnv('OIDC_ISSUER', identity.issuer);
    this.setEnv('OIDC_CLIENT_ID', identity.client.userPoolClientId);
    this.setEnv('SESSION_SECRET_ARN', identity.sessionSecret.secretArn);
    this.setEnv('USER_POOL_ID', identity.userPool.userPoolId);
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadSessionKey',
        actions: ['secretsmanager:GetSecretValue'],
        resources: [identity.sessionSecret.secretArn],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadTeams',
        actions: ['cognito-idp:AdminListGroupsForUser'],
        resources: [identity.userPool.userPoolArn],
      }),
    );
    return this;
  }

  /**
   * DOCUMENTS_BUCKET + exactly `access` on the evidence documents (s3:GetObject, s3:PutObject,
   * s3:DeleteObject; with read, s3:ListBucket so a missing document is a 404), on the objects under
   * `prefixes` only (default: the whole bucket). Once per function.
   */
  bindDocuments(
    documents: DocumentStore,
    access: readonly DocumentAccess[] = ['read', 'put', 'delete'],
    prefixes?: readonly string[],
  ): this {
    this.setEnv('DOCUMENTS_BUCKET', documents.bucket.bucketName);
    documents.grant(this.role, access, prefixes);
    return this;
  }

  /** EVENT_BUS_NAME + events:PutEvents on the integration bus only. */
  bindEventBus(bus: IEventBus): this {
    this.setEnv('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.function);
    return this;
  }

  /** STATE_MACHINE_ARN (or the variable named) + states:StartExecution on that machine only. */
  bindStateMachineStart(machine: IStateMachine, variable = 'STATE_MACHINE_ARN'): this {
    this.setEnv(variable, machine.stateMachineArn);
    machine.grantStartExecution(this.function);
    return this;
  }

  /** STEWARDSHIP_STATE_MACHINE_ARN + states:StartExecution on the resource-stewardship machine only. */
  bindStewardshipStart(machine: IStateMachine): this {
    this.setEnv('STEWARDSHIP_STATE_MACHINE_ARN', machine.stateMachineArn);
    machine.grantStartExecution(this.function);
    return this;
  }

  /**
   * An EventBridge rule that invokes this function every `spec.everyMinutes` minutes (shared/functions.ts;
   * the local runtime reads the same field). The rule's target adds the one lambda:InvokeFunction
   * permission, for events.amazonaws.com from this rule only. EventBridge invokes asynchronously: an
   * event the rule cannot deliver, and an invocation that still fails after Lambda's retries, go to
   * `failures` (onAsyncFailure).
   */
  runOnSchedule(failures: IQueue): this {
    const minutes = this.spec.everyMinutes;
    if (!minutes) throw new Error(`shared/functions.ts gives ${this.spec.name} no everyMinutes`);
    this.schedule = new Rule(this, 'Schedule', {
      description: `${this.spec.name} every ${minutes} minutes (TS-PE-535 SOP ${this.spec.sop})`,
      schedule: Schedule.rate(Duration.minutes(minutes)),
      targets: [new LambdaFunction(this.function, { deadLetterQueue: failures, retryAttempts: 2 })],
    });
    return this.onAsyncFailure(failures);
  }

  /**
   * An EventBridge rule on the account's default bus (the only bus SES publishes sending events to)
   * that invokes this function with the configuration set's bounce, complaint, reject and
   * delivery-delay events (`detailTypes`), and only that set's: SES tags every event with
   * `ses:configuration-set`. Failed deliveries and invocations go to `failures` (onAsyncFailure).
   */
  receiveSesEvents(
    configurationSet: IConfigurationSet,
    detailTypes: readonly string[],
    failures: IQueue,
  ): this {
    if (!this.spec.sesEvents)
      throw new Error(`shared/functions.ts does not mark ${this.spec.name} sesEvents`);
    this.sesEvents = new Rule(this, 'SesEvents', {
      description: `${this.spec.name}: SES bounces, complaints, rejections and delays of the district's emails`,
      eventBus: EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: {
        source: ['aws.ses'],
        detailType: [...detailTypes],
        detail: { mail: { tags: { 'ses:configuration-set': [configurationSet.configurationSetName] } } },
      },
      targets: [new LambdaFunction(this.function, { deadLetterQueue: failures, retryAttempts: 8 })],
    });
    return this.onAsyncFailure(failures);
  }

  /**
   * For a function invoked asynchronously (an EventBridge rule, a Scheduler schedule): Lambda retries a
   * failed invocation twice, then sends the event and its error to `queue` (an on-failure destination)
   * instead of dropping it. Grants the function sqs:SendMessage on that queue.
   */
  onAsyncFailure(queue: IQueue): this {
    // Not SqsDestination: it grants GetQueueAttributes and GetQueueUrl too; Lambda needs SendMessage.
    this.function.configureAsyncInvoke({
      onFailure: { bind: () => ({ destination: queue.queueArn }) },
      retryAttempts: 2,
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendFailedInvocations',
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );
    return this;
  }

  /**
   * states:SendTaskSuccess on the given machines only (human steps): the one task call the handlers
   * make (shared/tasks/delivery.ts). Not machine.grantTaskResponse(), which adds SendTaskFailure and
   * SendTaskHeartbeat that nothing sends.
   */
  bindTaskResponse(...machines: IStateMachine[]): this {
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'SendTaskResults',
        actions: [...TASK_RESPONSE_ACTIONS],
        resources: machines.map((machine) => machine.stateMachineArn),
      }),
    );
    return this;
  }

  /**
   * The renewal scheduler: one-time schedules in the district's group, named `renewal-…`
   * (shared/workflow/schedule-names.ts), that start the annual-renewal machine as
   * `schedulerRole`. Grants scheduler:CreateSchedule on that group's `renewal-*` schedules only and
   * iam:PassRole on that role (to EventBridge Scheduler only).
   */
  bindRenewalScheduler(options: {
    group: IScheduleGroup;
    schedulerRole: IRole;
    renewalStateMachineArn: string;
    leadDays: number;
    deadLetterQueue: IQueue;
  }): this {
    this.setEnv('RENEWAL_STATE_MACHINE_ARN', options.renewalStateMachineArn);
    this.setEnv('RENEWAL_LEAD_DAYS', String(options.leadDays));
    return this.bindScheduleCreation({
      ...options,
      namePrefix: RENEWAL_SCHEDULE_PREFIX,
      sids: { create: 'CreateRenewalSchedules', passRole: 'PassRoleToScheduler' },
      reason:
        'Each approved request gets its own one-time renewal schedule, named at run time from its request id ("renewal-<requestId>-<year>"), so CreateSchedule must cover "schedule/<this stack\'s group>/renewal-*"; it cannot create other schedules (such as reminders) or use any other group.',
    });
  }

  /**
   * Human-step reminders: one-time schedules in the district's group, named `remind-<taskId>-<n>`,
   * that invoke remind-task as `schedulerRole`. Grants scheduler:CreateSchedule on that group's
   * `remind-*` schedules only and iam:PassRole on that role (to EventBridge Scheduler only).
   */
  bindReminderScheduler(options: {
    group: IScheduleGroup;
    schedulerRole: IRole;
    reminderFunctionArn: string;
    deadLetterQueue: IQueue;
  }): this {
    this.setEnv('REMINDER_FUNCTION_ARN', options.reminderFunctionArn);
    return this.bindScheduleCreation({
      ...options,
      namePrefix: REMINDER_SCHEDULE_PREFIX,
      sids: { create: 'CreateReminderSchedules', passRole: 'PassReminderRoleToScheduler' },
      reason:
        'Each human task gets its own one-time reminder schedules, named at run time from its random task id ("remind-<taskId>-<n>"), so CreateSchedule must cover "schedule/<this stack\'s group>/remind-*"; it cannot create other schedules or use any other group.',
    });
  }

  /**
   * SCHEDULE_GROUP_NAME, SCHEDULER_ROLE_ARN and the dead-letter queue, with scheduler:CreateSchedule on
   * the group's `<namePrefix>*` schedules only and iam:PassRole on that role (to Scheduler only).
   */
  private bindScheduleCreation(options: {
    group: IScheduleGroup;
    schedulerRole: IRole;
    deadLetterQueue: IQueue;
    namePrefix: string;
    sids: { create: string; passRole: string };
    reason: string;
  }): this {
    const { group, schedulerRole } = options;
    this.setEnv('SCHEDULE_GROUP_NAME', group.scheduleGroupName);
    this.setEnv('SCHEDULER_ROLE_ARN', schedulerRole.roleArn);
    this.bindScheduleDeadLetterQueue(options.deadLetterQueue, schedulerRole);
    const schedules = `${group.scheduleGroupName}/${options.namePrefix}*`;
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: options.sids.create,
        actions: ['scheduler:CreateSchedule'],
        resources: [
          Stack.of(this).formatArn({ service: 'scheduler', resource: 'schedule', resourceName: schedules }),
        ],
      }),
    );
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: options.sids.passRole,
        actions: ['iam:PassRole'],
        resources: [schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${literal(this, group.scheduleGroupName)}/${options.namePrefix}*]`,
      reason: options.reason,
    });
    return this;
  }

  /**
   * SCHEDULER_DLQ_ARN (the DeadLetterConfig of every schedule this function creates) + sqs:SendMessage
   * on that queue for the schedules' execution role: EventBridge Scheduler sends undeliverable events
   * to the dead-letter queue as that role. The function itself needs no SQS permission.
   */
  private bindScheduleDeadLetterQueue(queue: IQueue, schedulerRole: IRole): void {
    this.setEnv('SCHEDULER_DLQ_ARN', queue.queueArn);
    // Not queue.grantSendMessages(): it adds GetQueueAttributes and GetQueueUrl, which Scheduler does
    // not need (the queue uses SQS-managed encryption, so no KMS grant either).
    schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'SendUndeliveredToDeadLetterQueue',
        actions: ['sqs:SendMessage'],
        resources: [queue.queueArn],
      }),
    );
  }
}

/** The CloudFormation logical id of a resource, as cdk-nag spells it in finding ids. */
export function logicalIdOf(element: unknown): string {
  if (!CfnElement.isCfnElement(element)) throw new Error('Expected a CloudFormation resource');
  return literal(element, element.logicalId);
}

/** A value that must be a literal at synth (e.g. a fixed physical name), for use in finding ids. */
function literal(scope: Construct, value: string): string {
  const resolved = Stack.of(scope).resolve(value);
  if (typeof resolved !== 'string') throw new Error(`Expected a literal, got ${JSON.stringify(resolved)}`);
  return resolved;
}
