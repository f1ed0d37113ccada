/**
 * What keeps a deployment healthy over years (issue 24): retryable deploys, SES reputation, backups,
 * failure destinations, the integration bus archive, the DNS outputs. Synthesized without bundling
 * (the function code is not what these assertions read).
 */

import { readFileSync } from 'node:fs';
import type { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '#shared/functions.ts';
import { buildApp } from '../../cdk/app.ts';
import { MAIL_EVENTS } from '../../cdk/constructs/mail-reputation.ts';
import { MAIL_REPUTATION_ALARMS } from '../../cdk/constructs/monitoring.ts';
import type { SoftwareRequestStack } from '../../cdk/stack.ts';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};
const COPY_VAULT = 'arn:aws:backup:us-west-2:123456789012:backup-vault:district-copies';
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-aaaa-bbbb-cccc-0123456789ab';

type Json = Record<string, unknown>;
interface Resource {
  Type: string;
  Properties: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

/** The example district (placeholder domains allowed, as in every test), without bundling. */
function synth(extra: Json = {}) {
  const { app, stack } = buildApp({
    context: {
      ...cdkJson.context,
      allowPlaceholderDomains: true,
      ...extra,
      'aws:cdk:bundling-stacks': [],
    },
  });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const idOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as CfnElement);
  return { app, stack, template, resources, idOf };
}

let base: ReturnType<typeof synth>;
beforeAll(() => {
  base = synth();
}, 60_000);

const ofType = (resources: Record<string, Resource>, type: string) =>
  Object.entries(resources).filter(([, r]) => r.Type === type);
const fnId = (stack: SoftwareRequestStack, name: string) =>
  stack.getLogicalId(stack.functions.get(name)?.function.node.defaultChild as CfnElement);

describe('deploys that can be retried', () => {
  it('no retained resource has a fixed name: a failed first create leaves nothing that blocks the retry', () => {
    // Act: resources CloudFormation keeps even when the stack's creation rolls back.
    const kept = Object.entries(base.resources).filter(([, r]) => r.DeletionPolicy === 'Retain');
    const named = kept.flatMap(([id, r]) =>
      Object.entries(r.Properties ?? {})
        .filter(([key, value]) => /Name$/.test(key) && typeof value === 'string')
        .map(([key]) => `${id}.${key}`),
    );

    // Assess
    expect(kept.length).toBeGreaterThan(0);
    expect(named).toEqual([]);
  });

  it('the fixed-name schedule group and backup vault are retained except when their creation rolls back', () => {
    // Assess
    for (const id of [base.idOf(base.stack.scheduler.group), base.idOf(base.stack.backup.vault)]) {
      expect(base.resources[id]?.DeletionPolicy, id).toBe('RetainExceptOnCreate');
      expect(base.resources[id]?.UpdateReplacePolicy, id).toBe('Retain');
    }
  });

  it('outputs every DNS record the district must create: the three DKIM CNAMEs, and the custom domain CNAME', () => {
    // Act
    const custom = synth({
      customDomain: { domainName: 'requests.example.org', certificateArn: CERTIFICATE },
    }).template.toJSON().Outputs as Record<string, { Value: unknown; Description?: string }>;
    const outputs = base.template.toJSON().Outputs as Record<
      string,
      { Value: unknown; Description?: string }
    >;

    // Assess
    for (const i of [1, 2, 3]) {
      expect(JSON.stringify(outputs[`DkimRecord${i}`]?.Value)).toContain(' CNAME ');
      expect(outputs[`DkimRecord${i}`]?.Description).toContain('DNS: add this CNAME to example.org');
    }
    expect(outputs.CustomDomainRecord).toBeUndefined();
    expect(JSON.stringify(custom.CustomDomainRecord?.Value)).toContain('requests.example.org CNAME ');
    expect(JSON.stringify(custom.CustomDomainRecord?.Value)).toContain('RegionalDomainName');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'SignInDomain',
        'MailConfigurationSet',
        'BackupVaultName',
        'DeadLetterQueueUrl',
      ]),
    );
  });
});

describe('SES reputation', () => {
  it('a configuration set with reputation metrics and the suppression list sends bounce, complaint, reject and delay events to the default bus', () => {
    // Assess
    base.template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
    base.template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      ConfigurationSetName: { Ref: base.idOf(base.stack.mailReputation.configurationSet) },
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: [...MAIL_EVENTS],
        EventBridgeDestination: Match.anyValue(),
      }),
    });
    expect(MAIL_EVENTS).toEqual(expect.arrayContaining(['bounce', 'complaint', 'reject', 'deliveryDelay']));
    const destination = ofType(base.resources, 'AWS::SES::ConfigurationSetEventDestination')[0]?.[1];
    const busArn = JSON.stringify(destination?.Properties.EventDestination ?? {});
    expect(busArn).toContain(':event-bus/default');
  });

  it('alarms on the account bounce rate at 4 % and complaint rate at 0.08 %, to the operator topic', () => {
    // Assess
    for (const { metricName, threshold } of Object.values(MAIL_REPUTATION_ALARMS)) {
      base.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SES',
        MetricName: metricName,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [{ Ref: base.idOf(base.stack.monitoring.topic) }],
      });
    }
    expect(MAIL_REPUTATION_ALARMS.bounceRate.threshold).toBe(0.04);
    expect(MAIL_REPUTATION_ALARMS.complaintRate.threshold).toBe(0.0008);
  });
});

describe('backup', () => {
  it('backs the table up daily, kept 35 days, in a vault of the stack; no KMS key without a copy', () => {
    // Assess
    base.template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanName: Match.anyValue(),
        BackupPlanRule: [
          Match.objectLike({
            ScheduleExpression: 'cron(0 5 * * ? *)',
            Lifecycle: { DeleteAfterDays: 35 },
            TargetBackupVault: { 'Fn::GetAtt': [base.idOf(base.stack.backup.vault), 'BackupVaultName'] },
          }),
        ],
      },
    });
    const selection = JSON.stringify(ofType(base.resources, 'AWS::Backup::BackupSelection')[0]?.[1]);
    expect(selection).toContain(JSON.stringify({ 'Fn::GetAtt': [base.idOf(base.stack.table), 'Arn'] }));
    base.template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('with backupCopyVaultArn, copies each recovery point there (35 days) from a vault under its own key; cdk-nag stays clean', () => {
    // Act
    const copy = synth({ backupCopyVaultArn: COPY_VAULT });

    // Assess
    copy.template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: Match.objectLike({
        BackupPlanRule: [
          Match.objectLike({
            CopyActions: [{ DestinationBackupVaultArn: COPY_VAULT, Lifecycle: { DeleteAfterDays: 35 } }],
          }),
        ],
      }),
    });
    copy.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    copy.template.hasResourceProperties('AWS::Backup::BackupVault', {
      EncryptionKeyArn: Match.objectLike({ 'Fn::GetAtt': Match.arrayWith(['Arn']) }),
    });
    expect(new AwsSolutionsChecks().validateScope(copy.app).violations).toEqual([]);
  });
});

describe('restore', () => {
  it('with restoredTableName, every function, its grants and the backup plan use the restored table; the old one is not in the stack', () => {
    // Act
    const restored = synth({ restoredTableName: 'SoftwareRequestWorkflow-restored-20270105' });
    const functions = ofType(restored.resources, 'AWS::Lambda::Function').map(([, r]) => r.Properties);
    const dynamoResources = ofType(restored.resources, 'AWS::IAM::Policy').flatMap(([, r]) =>
      (
        r.Properties.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }
      ).Statement.filter((st) => [st.Action].flat().some((a) => a.startsWith('dynamodb:'))).map((st) =>
        JSON.stringify(st.Resource),
      ),
    );

    // Assess
    restored.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    const tableNames = functions.flatMap((f) => {
      const value = (f.Environment as { Variables?: Json } | undefined)?.Variables?.TABLE_NAME;
      return value === undefined ? [] : [value];
    });
    expect(tableNames.length).toBeGreaterThan(20);
    expect(new Set(tableNames)).toEqual(new Set(['SoftwareRequestWorkflow-restored-20270105']));
    expect(dynamoResources.length).toBeGreaterThan(20);
    for (const resource of dynamoResources)
      expect(resource).toContain(':table/SoftwareRequestWorkflow-restored-20270105');
    expect(JSON.stringify(ofType(restored.resources, 'AWS::Backup::BackupSelection'))).toContain(
      ':table/SoftwareRequestWorkflow-restored-20270105',
    );
    expect(new AwsSolutionsChecks().validateScope(restored.app).violations).toEqual([]);
  });
});

/** The functions an EventBridge rule runs (shared/functions.ts `everyMinutes`). */
describe('SES bounces and complaints reach the product', () => {
  it("a rule on the default bus sends this configuration set's bounce, complaint, reject and delay events to record-mail-event, with the dead-letter queue", () => {
    // Act
    const rules = ofType(base.resources, 'AWS::Events::Rule').filter(
      ([, r]) => (r.Properties.EventPattern as Json | undefined)?.source !== undefined,
    );
    const sesRules = rules.filter(([, r]) => JSON.stringify(r.Properties.EventPattern).includes('aws.ses'));

    // Assess
    expect(sesRules).toHaveLength(1);
    const rule = sesRules[0]?.[1].Properties ?? {};
    // No EventBusName: the account's default bus, the only one SES publishes to.
    expect(rule.EventBusName ?? 'default').toBe('default');
    expect(rule.EventPattern).toEqual({
      source: ['aws.ses'],
      'detail-type': [
        'Email Bounced',
        'Email Complaint Received',
        'Email Rejected',
        'Email Delivery Delayed',
      ],
      detail: {
        mail: {
          tags: { 'ses:configuration-set': [{ Ref: base.idOf(base.stack.mailReputation.configurationSet) }] },
        },
      },
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [fnId(base.stack, 'record-mail-event'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [base.idOf(base.stack.scheduler.deadLetterQueue), 'Arn'] } },
      }),
    ]);
  });

  it('record-mail-event is told only the table: it sends no mail and starts nothing', () => {
    // Act
    const fn = base.resources[fnId(base.stack, 'record-mail-event')];
    const variables = (fn?.Properties.Environment as { Variables: Json } | undefined)?.Variables ?? {};

    // Assess
    expect(Object.keys(variables).sort()).toEqual(['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME']);
  });
});

const SCHEDULED = FUNCTIONS.filter((spec) => spec.everyMinutes).map((spec) => spec.name);
/** Issue 22: the watch's functions, invoked by recurring Scheduler schedules (not EventBridge rules). */
const EVERY_FEW_DAYS = FUNCTIONS.filter((spec) => spec.everyDays).map((spec) => spec.name);

describe('asynchronous failures', () => {
  it('the scheduled functions, remind-task and record-mail-event send failed invocations (after 2 retries) to the dead-letter queue, which alarms', () => {
    // Prepare
    const queueArn = { 'Fn::GetAtt': [base.idOf(base.stack.scheduler.deadLetterQueue), 'Arn'] };

    // Act
    const configs = ofType(base.resources, 'AWS::Lambda::EventInvokeConfig').map(([, r]) => r.Properties);

    // Assess
    expect(configs.map((c) => (c.FunctionName as { Ref: string }).Ref).sort()).toEqual(
      [...SCHEDULED, ...EVERY_FEW_DAYS, 'remind-task', 'record-mail-event']
        .map((n) => fnId(base.stack, n))
        .sort(),
    );
    for (const c of configs) {
      expect(c).toMatchObject({
        MaximumRetryAttempts: 2,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
    }
    base.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [base.idOf(base.stack.scheduler.deadLetterQueue), 'QueueName'] },
        },
      ],
    });
  });

  it('the EventBridge rules of the scheduled functions name the same queue as their dead-letter queue', () => {
    // Act
    const targets = ofType(base.resources, 'AWS::Events::Rule')
      .filter(([, r]) => r.Properties.ScheduleExpression)
      .flatMap(([, r]) => r.Properties.Targets as Json[]);

    // Assess
    expect(targets).toHaveLength(SCHEDULED.length);
    for (const target of targets) {
      expect(target).toMatchObject({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [base.idOf(base.stack.scheduler.deadLetterQueue), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 2 },
      });
    }
  });
});

describe('smaller items', () => {
  it('no role may send task heartbeats or failures: the handlers send SendTaskSuccess only', () => {
    // Act
    const text = JSON.stringify(base.template.toJSON());

    // Assess
    expect(text).not.toContain('states:SendTaskHeartbeat');
    expect(text).not.toContain('states:SendTaskFailure');
  });

  it('archives the integration bus events (365 days by default, configurable, 0 for indefinitely)', () => {
    // Act
    const busId = ofType(base.resources, 'AWS::Events::EventBus')[0]?.[0];
    const indefinite = synth({ integrationEventArchiveDays: 0 });

    // Assess
    base.template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [busId, 'Arn'] },
      RetentionDays: 365,
    });
    const archive = ofType(indefinite.resources, 'AWS::Events::Archive')[0]?.[1];
    expect(archive?.Properties.RetentionDays ?? 0).toBe(0);
  });
});
