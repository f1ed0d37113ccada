/**
 * An in-memory table behind a mocked DynamoDBDocumentClient, for tests that run the real
 * WorkflowStore: conditional puts (new item, or over a released claim), gets, updates with SET/REMOVE
 * and `attribute_exists(PK)`, queries of a partition (optionally `begins_with(SK, …)`) and of the
 * GSI2 index (`GSI2PK = :pk AND GSI2SK < :before`, oldest first, Limit). Enough for the stores the
 * tests use, not a DynamoDB.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AwsStub } from 'aws-sdk-client-mock';

type Item = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: the stub's command types do not matter here.
type DocumentStub = AwsStub<any, any, any>;

export const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

export function installMemoryTable(ddb: DocumentStub) {
  const items = new Map<string, Item>();
  const keyOf = (k: Item) => `${k.PK}|${k.SK}`;

  ddb.on(PutCommand).callsFake((input: { Item: Item; ConditionExpression?: string }) => {
    const key = keyOf(input.Item);
    const overReleased =
      input.ConditionExpression?.includes('released = :released') && items.get(key)?.released === true;
    if (input.ConditionExpression?.includes('attribute_not_exists(PK)') && items.has(key) && !overReleased)
      throw conditionFailed();
    items.set(key, structuredClone(input.Item));
    return {};
  });
  ddb.on(GetCommand).callsFake((input: { Key: Item }) => {
    const item = items.get(keyOf(input.Key));
    return item ? { Item: structuredClone(item) } : {};
  });
  ddb
    .on(UpdateCommand)
    .callsFake(
      (input: {
        Key: Item;
        UpdateExpression: string;
        ExpressionAttributeNames?: Record<string, string>;
        ExpressionAttributeValues?: Item;
      }) => {
        const item = items.get(keyOf(input.Key));
        if (!item) throw conditionFailed();
        const name = (n: string) => input.ExpressionAttributeNames?.[n] ?? n;
        const [, sets = '', removes = ''] = /^SET (.*?)(?: REMOVE (.*))?$/.exec(input.UpdateExpression) ?? [];
        for (const part of sets.split(', ').filter(Boolean)) {
          const [n, v] = part.split(' = ') as [string, string];
          item[name(n)] = input.ExpressionAttributeValues?.[v];
        }
        for (const n of removes.split(', ').filter(Boolean)) delete item[name(n)];
        return {};
      },
    );
  ddb
    .on(QueryCommand)
    .callsFake((input: { IndexName?: string; ExpressionAttributeValues: Item; Limit?: number }) => {
      const values = input.ExpressionAttributeValues;
      let found: Item[];
      if (input.IndexName === 'GSI2') {
        found = [...items.values()]
          .filter((i) => i.GSI2PK === values[':pk'] && String(i.GSI2SK) < String(values[':before']))
          .sort((a, b) => String(a.GSI2SK).localeCompare(String(b.GSI2SK)));
      } else {
        const prefix = String(values[':audit'] ?? '');
        found = [...items.values()]
          .filter((i) => i.PK === values[':pk'] && String(i.SK).startsWith(prefix))
          .sort((a, b) => String(a.SK).localeCompare(String(b.SK)));
      }
      return { Items: structuredClone(found.slice(0, input.Limit ?? found.length)) };
    });

  return {
    items,
    /** Items whose partition key starts with `prefix`. */
    stored: (prefix: string) => [...items.values()].filter((i) => String(i.PK).startsWith(prefix)),
    request: (requestId: string) => items.get(`REQUEST#${requestId}|REQUEST`),
    audit: (requestId: string) =>
      [...items.values()].filter((i) => i.PK === `REQUEST#${requestId}` && String(i.SK).startsWith('AUDIT#')),
  };
}
