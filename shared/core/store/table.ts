/**
 * The DynamoDB table client that every feature's store (requests + audit, tasks, registry,
 * idempotency; assembled in shared/store.ts) uses over one table. Every write is a single-item, conditional operation (no transactions:
 * the same code runs on dynalite locally), ordered so that a crash between two writes leaves nothing
 * lost and a retry converges. The registry's search index items, which are derived from an entry and
 * checked against it on read, are written and read in batches (idempotent puts and deletes). This is
 * the only file that builds DynamoDB commands (the CDK grant
 * test reads it).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { asTransient } from '../aws/transient.ts';
import { ConflictError, errorName, TransientError } from '../errors.ts';

export interface StoreOptions {
  tableName: string;
  client: DynamoDBDocumentClient;
  now?: () => Date;
}

export type Item = Record<string, unknown>;
type Key = { PK: string; SK: string };
type TableInput<T> = Omit<T, 'TableName'>;

/** One table: send with error translation, reads without key attributes, conditional puts, pagination. */
export class Table {
  readonly name: string;
  readonly now: () => Date;
  private readonly client: DynamoDBDocumentClient;

  constructor(options: StoreOptions) {
    this.name = options.tableName;
    this.client = options.client;
    this.now = options.now ?? (() => new Date());
  }

  /** Sends one command, translating a lost condition to ConflictError and retryable faults to TransientError. */
  private async send<T>(what: string, command: object): Promise<T> {
    try {
      return (await this.client.send(command as never)) as T;
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        errorName(error) === 'ConditionalCheckFailedException'
      ) {
        throw new ConflictError(`${what}: the item changed or already exists`, { cause: error });
      }
      throw asTransient(error, what);
    }
  }

  /** Reads one item without its key attributes; strongly consistent unless told otherwise. */
  async get<T>(what: string, key: Key, consistent = true): Promise<T | undefined> {
    const out = await this.send<{ Item?: Item }>(
      what,
      new GetCommand({ TableName: this.name, Key: key, ConsistentRead: consistent }),
    );
    return out.Item ? stripKeys<T>(out.Item) : undefined;
  }

  /** Writes the whole item, replacing any item with the same key. */
  async put(what: string, item: Item): Promise<void> {
    await this.send(what, new PutCommand({ TableName: this.name, Item: item }));
  }

  /**
   * Writes a new item; ConflictError when an item with this key already exists, unless it matches
   * `replaceable` (e.g. a released claim), which the new item then replaces.
   */
  async putNew(
    what: string,
    item: Item,
    replaceable?: { condition: string; values: Record<string, unknown> },
  ): Promise<void> {
    await this.send(
      what,
      new PutCommand({
        TableName: this.name,
        Item: item,
        ConditionExpression: `attribute_not_exists(PK)${replaceable ? ` OR ${replaceable.condition}` : ''}`,
        ...(replaceable ? { ExpressionAttributeValues: replaceable.values } : {}),
      }),
    );
  }

  /**
   * Writes a new item that a retry writes again unchanged (an audit event): when the key is taken by
   * an item equal to this one, an earlier attempt's write landed and only its answer was lost (the
   * SDK resends a PutItem whose response timed out), so that is success. ConflictError when another
   * item holds the key.
   */
  async putOnce(what: string, item: Item & Key): Promise<void> {
    try {
      await this.putNew(what, item);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const stored = await this.send<{ Item?: Item }>(
        what,
        new GetCommand({ TableName: this.name, Key: { PK: item.PK, SK: item.SK }, ConsistentRead: true }),
      );
      if (!stored.Item || canonical(stored.Item) !== canonical(item)) throw error;
    }
  }

  /**
   * Writes the whole item when `condition` holds (or no item has this key) and returns the item it
   * replaced (with its keys), if any; ConflictError when the condition does not hold.
   */
  async putIf(
    what: string,
    item: Item,
    condition: string,
    values: Record<string, unknown>,
    names?: Record<string, string>,
  ): Promise<Item | undefined> {
    const out = await this.send<{ Attributes?: Item }>(
      what,
      new PutCommand({
        TableName: this.name,
        Item: item,
        ConditionExpression: `attribute_not_exists(PK) OR (${condition})`,
        ExpressionAttributeValues: values,
        ...(names ? { ExpressionAttributeNames: names } : {}),
        ReturnValues: 'ALL_OLD',
      }),
    );
    return out.Attributes;
  }

  async update(what: string, input: TableInput<UpdateCommandInput>): Promise<void> {
    await this.send(what, new UpdateCommand({ ...input, TableName: this.name }));
  }

  /** An update that answers the item as the update left it (ReturnValues ALL_NEW), in the same write. */
  async updateAndRead<T>(what: string, input: TableInput<UpdateCommandInput>): Promise<T | undefined> {
    const out = await this.send<{ Attributes?: Item }>(
      what,
      new UpdateCommand({ ...input, TableName: this.name, ReturnValues: 'ALL_NEW' }),
    );
    return out.Attributes ? stripKeys<T>(out.Attributes) : undefined;
  }

  /** One page of a query (callers that bound the result, or whose result fits one page). */
  async query<T>(what: string, input: TableInput<QueryCommandInput>): Promise<T[]> {
    const out = await this.send<{ Items?: Item[] }>(
      what,
      new QueryCommand({ ...input, TableName: this.name }),
    );
    return (out.Items ?? []).map((i) => stripKeys<T>(i));
  }

  /** One page of a query and where the next one starts (undefined: no more). */
  async queryPage<T>(
    what: string,
    input: TableInput<QueryCommandInput>,
    options: { keepKeys?: boolean } = {},
  ): Promise<{ items: T[]; lastKey: Item | undefined }> {
    const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Item }>(
      what,
      new QueryCommand({ ...input, TableName: this.name }),
    );
    const items = out.Items ?? [];
    return {
      items: options.keepKeys ? (items as T[]) : items.map((i) => stripKeys<T>(i)),
      lastKey: out.LastEvaluatedKey,
    };
  }

  /** Every page of a query. */
  async queryAll<T>(what: string, input: TableInput<QueryCommandInput>): Promise<T[]> {
    const items: Item[] = [];
    let start: Item | undefined;
    do {
      const out = await this.send<{ Items?: Item[]; LastEvaluatedKey?: Item }>(
        what,
        new QueryCommand({ ...input, TableName: this.name, ExclusiveStartKey: start }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.map((i) => stripKeys<T>(i));
  }

  /**
   * Puts and deletes, 25 per BatchWriteItem, resending what DynamoDB left unprocessed. Unconditional:
   * only for items that are idempotent and checked on read (the registry search index).
   */
  async batchWrite(what: string, writes: { put?: Item; delete?: Key }[]): Promise<void> {
    for (let i = 0; i < writes.length; i += BATCH_WRITE_MAX) {
      let requests: Record<string, unknown>[] = writes
        .slice(i, i + BATCH_WRITE_MAX)
        .map((w) => (w.put ? { PutRequest: { Item: w.put } } : { DeleteRequest: { Key: w.delete } }));
      for (let attempt = 0; requests.length > 0; attempt++) {
        if (attempt > 0) await backOff(attempt, what);
        const out = await this.send<{ UnprocessedItems?: Record<string, Record<string, unknown>[]> }>(
          what,
          new BatchWriteCommand({ RequestItems: { [this.name]: requests as never } }),
        );
        requests = out.UnprocessedItems?.[this.name] ?? [];
      }
    }
  }

  /** Items by key (without key attributes), 100 per BatchGetItem; missing ones are absent. */
  async batchGet<T>(what: string, keys: Key[]): Promise<T[]> {
    const items: Item[] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_MAX) {
      let pending: Key[] = keys.slice(i, i + BATCH_GET_MAX);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt > 0) await backOff(attempt, what);
        const out = await this.send<{
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys?: Key[] }>;
        }>(what, new BatchGetCommand({ RequestItems: { [this.name]: { Keys: pending } } }));
        items.push(...(out.Responses?.[this.name] ?? []));
        pending = out.UnprocessedKeys?.[this.name]?.Keys ?? [];
      }
    }
    return items.map((i) => stripKeys<T>(i));
  }

  /** The TTL attribute's value (epoch seconds) `days` after `from`: DynamoDB deletes the item later. */
  expiresAtEpoch(days: number, from: Date = this.now()): number {
    return Math.floor(from.getTime() / 1000) + days * 86_400;
  }
}

const BATCH_WRITE_MAX = 25;
const BATCH_GET_MAX = 100;
/** DynamoDB leaves items unprocessed when throttled: wait a little longer each time (at most 1 s). */
const MAX_BATCH_ATTEMPTS = 10;
async function backOff(attempt: number, what: string): Promise<void> {
  if (attempt >= MAX_BATCH_ATTEMPTS) throw new TransientError(`${what}: items left unprocessed`);
  await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
}

function stripKeys<T>(item: Item): T {
  const {
    PK: _pk,
    SK: _sk,
    GSI1PK: _g1,
    GSI1SK: _g1s,
    GSI2PK: _g2,
    GSI2SK: _g2s,
    entity: _e,
    expiresAtEpoch: _t,
    ...rest
  } = item;
  return rest as T;
}

/**
 * An item as JSON with its map keys sorted and undefined values left out, as DynamoDB stores it (a map
 * keeps no key order; the document client drops undefined), so that a read-back compares equal.
 */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
