/**
 * AWS Backup for the table, beside its 35-day point-in-time recovery: a daily recovery point kept 35
 * days in a vault of this stack, optionally copied to a vault in another region or account
 * (`backupCopyVaultArn`), which survives the loss of this account or region. The restore procedure is
 * in docs/operations.md ("Restore the table").
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupVault,
  type IBackupVault,
} from 'aws-cdk-lib/aws-backup';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

export const BACKUP_RETENTION_DAYS = 35;

export interface TableBackupProps {
  table: ITable;
  /** A vault in another region or account that receives a copy of each recovery point. */
  copyVaultArn?: string | undefined;
}

export class TableBackup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;
  /** Only with a copy: AWS Backup cannot copy out of a vault under the AWS-managed key to another account. */
  readonly key?: Key;

  constructor(scope: Construct, id: string, props: TableBackupProps) {
    super(scope, id);
    if (props.copyVaultArn) {
      this.key = new Key(this, 'VaultKey', {
        description: 'Encrypts the software-request table backups (needed to copy them to another account)',
        enableKeyRotation: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
    }
    this.vault = new BackupVault(this, 'Vault', {
      ...(this.key ? { encryptionKey: this.key } : {}),
      // CloudFormation requires a vault name (CDK derives one from the stack): keep the vault and its
      // recovery points on update and delete, but drop it when the stack's first creation rolls back,
      // so that deploy can be retried.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    const copyTo: IBackupVault | undefined = props.copyVaultArn
      ? BackupVault.fromBackupVaultArn(this, 'CopyVault', props.copyVaultArn)
      : undefined;
    this.plan = new BackupPlan(this, 'Plan', { backupVault: this.vault });
    this.plan.addRule(
      new BackupPlanRule({
        ruleName: 'Daily',
        // 05:00 UTC: night in the Americas, after the day's work.
        scheduleExpression: Schedule.cron({ hour: '5', minute: '0' }),
        startWindow: Duration.hours(1),
        completionWindow: Duration.hours(4),
        deleteAfter: Duration.days(BACKUP_RETENTION_DAYS),
        copyActions: copyTo
          ? [{ destinationBackupVault: copyTo, deleteAfter: Duration.days(BACKUP_RETENTION_DAYS) }]
          : [],
      }),
    );
    const selection = this.plan.addSelection('Table', {
      resources: [BackupResource.fromDynamoDbTable(props.table)],
    });
    const role = selection.node.tryFindChild('Role');
    if (role) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
        reason:
          'The role AWS Backup assumes to back up the table uses AWSBackupServiceRolePolicyForBackup, the managed policy AWS documents for it (it follows the resource types AWS Backup supports); the plan selects only this table.',
      });
    }
  }
}
