/**
 * The IAM statements of a function's entry of shared/core/store/access.ts, each limited by
 * dynamodb:LeadingKeys to the partitions (or index partitions) that function uses.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { TableAccess } from '#shared/core/store/access.ts';
import { INDEX_PARTITIONS, PARTITIONS, type PartitionKind } from '#shared/core/store/keys.ts';

/**
 * DynamoDB actions per access level: exactly the commands shared/core/store/table.ts sends (GetCommand,
 * BatchGetCommand, QueryCommand, PutCommand, UpdateCommand, BatchWriteCommand: no transactions).
 * BatchWriteItem can delete, so it is its own level, granted only on the partitions a function batches
 * (the registry's search index). LeadingKeys limits batches too.
 */
export const TABLE_ACTIONS = {
  // In the order CloudFormation shows them (CDK sorts a statement's actions).
  read: ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'],
  write: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
  batchWrite: ['dynamodb:BatchWriteItem'],
  query: ['dynamodb:Query'],
} as const;

/** The IAM condition that limits an action to items whose partition key matches one of `patterns`. */
export function leadingKeysCondition(patterns: readonly string[]) {
  // ForAllValues: every leading key of the request must match (the DynamoDB guide requires it).
  return { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...patterns] } };
}

/**
 * GetItem/Query on the partitions it reads, PutItem/UpdateItem on the partitions it writes,
 * BatchWriteItem on the ones it batches, and Query on the index partitions it lists (on an index,
 * LeadingKeys is the index's partition key).
 */
export function tableStatements(access: TableAccess, tableArn: string): PolicyStatement[] {
  const prefixes = (kinds: readonly PartitionKind[]) => kinds.map((kind) => `${PARTITIONS[kind]}*`);
  const levels = [
    ['ReadItems', TABLE_ACTIONS.read, access.read],
    ['WriteItems', TABLE_ACTIONS.write, access.write],
    ['BatchWriteItems', TABLE_ACTIONS.batchWrite, access.batchWrite],
  ] as const;
  const statements = levels
    .filter(([, , kinds]) => kinds.length > 0)
    .map(
      ([sid, actions, kinds]) =>
        new PolicyStatement({
          sid,
          actions: [...actions],
          resources: [tableArn],
          conditions: leadingKeysCondition(prefixes(kinds)),
        }),
    );
  const byIndex = new Map<string, string[]>();
  for (const kind of access.query) {
    const { index, key, prefix } = INDEX_PARTITIONS[kind];
    byIndex.set(index, [...(byIndex.get(index) ?? []), prefix ? `${key}*` : key]);
  }
  // By index name (GSI1 before GSI2), whatever order the access entry lists its partitions in.
  for (const [index, patterns] of [...byIndex].sort(([a], [b]) => a.localeCompare(b))) {
    statements.push(
      new PolicyStatement({
        sid: `Query${index}`,
        actions: [...TABLE_ACTIONS.query],
        resources: [`${tableArn}/index/${index}`],
        conditions: leadingKeysCondition(patterns),
      }),
    );
  }
  return statements;
}
