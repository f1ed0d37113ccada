/**
 * The stack's outputs: where the product is, what operators look up, and every DNS record the district
 * must create (the SES domain's Easy DKIM CNAMEs, which also verify the domain, and the custom domain's
 * CNAME when there is one). The Cognito sign-in domain is under amazoncognito.com: no DNS to set.
 */
import { CfnOutput, type Stack } from 'aws-cdk-lib';
import type { DomainName } from 'aws-cdk-lib/aws-apigateway';
import type { BackupVault } from 'aws-cdk-lib/aws-backup';
import type { UserPool, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ConfigurationSet, EmailIdentity } from 'aws-cdk-lib/aws-ses';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { DistrictConfig } from './config.ts';

/** What the outputs read of the stack (structurally, so this module does not import stack.ts). */
export interface OutputSources extends Stack {
  table: ITable;
  softwareRequest: { machine: StateMachine };
  annualRenewal: { machine: StateMachine };
  monitoring: { topic: Topic };
  identity: { userPool: UserPool; domain: UserPoolDomain };
  api: { domain?: DomainName | undefined };
  mailReputation: { configurationSet: ConfigurationSet };
  backup: { vault: BackupVault };
  documents: { bucket: IBucket };
  scheduler: { deadLetterQueue: Queue };
}

export function addOutputs(
  stack: OutputSources,
  {
    publicBaseUrl,
    mailIdentity,
    config,
  }: { publicBaseUrl: string; mailIdentity: EmailIdentity; config: DistrictConfig },
): void {
  const output = (id: string, value: string, description?: string) =>
    new CfnOutput(stack, id, { value, ...(description ? { description } : {}) });
  output('PublicBaseUrl', publicBaseUrl, 'Request form and emailed links');
  output('TableName', stack.table.tableName);
  output(
    'DocumentsBucketName',
    stack.documents.bucket.bucketName,
    'Evidence documents (signed DPAs, policy snapshots, deletion certificates)',
  );
  output('SoftwareRequestStateMachineArn', stack.softwareRequest.machine.stateMachineArn);
  output('AnnualRenewalStateMachineArn', stack.annualRenewal.machine.stateMachineArn);
  output('OperatorAlarmTopicArn', stack.monitoring.topic.topicArn);
  output(
    'UserPoolId',
    stack.identity.userPool.userPoolId,
    'Add people to the groups (teams) here: aws cognito-idp admin-add-user-to-group',
  );
  output(
    'SignInDomain',
    stack.identity.domain.baseUrl(),
    'The managed sign-in (no DNS record needed); for federation, the IdP redirect is <this>/oauth2/idpresponse (OIDC) or /saml2/idpresponse (SAML)',
  );
  output(
    'MailConfigurationSet',
    stack.mailReputation.configurationSet.configurationSetName,
    'SES configuration set of every email: bounce, complaint, reject and delivery-delay events go to the default event bus',
  );
  output('BackupVaultName', stack.backup.vault.backupVaultName, 'Daily backups of the table (35 days)');
  output(
    'DeadLetterQueueUrl',
    stack.scheduler.deadLetterQueue.queueUrl,
    'Undelivered schedules, and failed runs of weekly-digest, recover-requests and remind-task (after retries)',
  );
  mailIdentity.dkimRecords.forEach((record, i) => {
    output(
      `DkimRecord${i + 1}`,
      `${record.name} CNAME ${record.value}`,
      `DNS: add this CNAME to ${config.mailDomain} (SES Easy DKIM; it also verifies the domain)`,
    );
  });
  const domain = stack.api.domain;
  if (domain && config.customDomain) {
    output(
      'CustomDomainRecord',
      `${config.customDomain.domainName} CNAME ${domain.domainNameAliasDomainName}`,
      'DNS: point the custom domain at the API (a CNAME, or a Route 53 alias to this regional name)',
    );
  }
}
