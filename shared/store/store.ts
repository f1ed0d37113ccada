/**
 * The DynamoDB adapter for requests, audit trail, tasks, the resource registry and idempotency claims.
 * Every write is a single-item, conditional operation (no transactions: the same code runs on dynalite
 * locally), ordered so that a crash between two writes leaves nothing lost and a retry converges.
 */
import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { asTransient } from '../aws/transient.ts';
import type { Team } from '../domain/task-kinds.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { auditSk, idempotencyKey, licenseKeyKey, registryKey, requestKey, taskKey } from './keys.ts';
import type { AuditEvent, RegistryEntry, RequestRecord, RequestStatus, TaskRecord } from './records.ts';

const TASK_RETENTION_DAYS = 400;

export interface StoreOptions {
  tableName: string;
  client: DynamoDBDocumentClient;
  now?: () => Date;
}

type Patch = Record<string, unknown>;

export class WorkflowStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly now: () => Date;

  constructor(options: StoreOptions) {
    this.tableName = options.tableName;
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
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        throw new ConflictError(`${what}: the item changed or already exists`, { cause: error });
      }
      throw asTransient(error, what);
    }
  }

  /** Reads one item without its key attributes; strongly consistent unless told otherwise. */
  private async getItem<T>(
    what: string,
    key: { PK: string; SK: string },
    consistent = true,
  ): Promise<T | undefined> {
    const out = await this.send<{ Item?: Record<string, unknown> }>(
      what,
      new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: consistent }),
    );
    return out.Item ? stripKeys<T>(out.Item) : undefined;
  }

  // ---- requests ----------------------------------------------------------------------------------

  async createRequest(record: RequestRecord): Promise<void> {
    await this.send(
      'Create request',
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...requestKey(record.requestId),
          GSI1PK: `REQUESTER#${record.submitted.requesterEmail}`,
          GSI1SK: record.createdAt,
          entity: 'request',
          ...record,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getRequest(requestId: string): Promise<RequestRecord | undefined> {
    return this.getItem<RequestRecord>('Read request', requestKey(requestId));
  }

  async requireRequest(requestId: string): Promise<RequestRecord> {
    const record = await this.getRequest(requestId);
    if (!record) throw new NotFoundError(`Request ${requestId} does not exist`);
    return record;
  }

  /**
   * Sets top-level attributes of an existing request (nested objects are replaced whole) and bumps
   * updatedAt. Fails with NotFoundError when the request does not exist. With `ifStatus`, the update
   * applies only while the request has that status; otherwise it fails with ConflictError.
   */
  async updateRequest(
    requestId: string,
    patch: Partial<Omit<RequestRecord, 'requestId' | 'createdAt'>>,
    options: { ifStatus?: RequestStatus } = {},
  ): Promise<void> {
    const fields: Patch = { ...patch, updatedAt: this.now().toISOString() };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    let condition = 'attribute_exists(PK)';
    if (options.ifStatus) {
      names['#ifStatus'] = 'status';
      values[':ifStatus'] = options.ifStatus;
      condition += ' AND #ifStatus = :ifStatus';
    }
    const sets: string[] = [];
    const removes: string[] = [];
    for (const [i, [k, v]] of Object.entries(fields).entries()) {
      names[`#f${i}`] = k;
      if (v === undefined) removes.push(`#f${i}`);
      else {
        values[`:v${i}`] = v;
        sets.push(`#f${i} = :v${i}`);
      }
    }
    try {
      await this.send(
        'Update request',
        new UpdateCommand({
          TableName: this.tableName,
          Key: requestKey(requestId),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (options.ifStatus && (await this.getRequest(requestId))) {
        throw new ConflictError(`Request ${requestId} is no longer ${options.ifStatus}`, { cause: error });
      }
      throw new NotFoundError(`Request ${requestId} does not exist`, { cause: error });
    }
  }

  async listRequestsByRequester(email: string, limit = 50): Promise<RequestRecord[]> {
    const out = await this.send<{ Items?: Record<string, unknown>[] }>(
      'List requests',
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `REQUESTER#${email.toLowerCase()}` },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((i) => stripKeys<RequestRecord>(i));
  }

  // ---- audit trail -------------------------------------------------------------------------------

  /** Appends one event; the sort key (time + random suffix) keeps the trail in order and never collides. */
  async appendAudit(event: Omit<AuditEvent, 'at'> & { at?: string }): Promise<AuditEvent> {
    const full: AuditEvent = { ...event, at: event.at ?? this.now().toISOString() };
    await this.send(
      'Append audit event',
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: requestKey(full.requestId).PK,
          SK: auditSk(full.at, randomBytes(4).toString('hex')),
          entity: 'audit',
          ...full,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
    return full;
  }

  async listAudit(requestId: string): Promise<AuditEvent[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.send<{
        Items?: Record<string, unknown>[];
        LastEvaluatedKey?: Record<string, unknown>;
      }>(
        'Read audit trail',
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :audit)',
          ExpressionAttributeValues: { ':pk': requestKey(requestId).PK, ':audit': 'AUDIT#' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.map((i) => stripKeys<AuditEvent>(i));
  }

  // ---- human tasks -------------------------------------------------------------------------------

  async createTask(task: TaskRecord): Promise<void> {
    await this.send(
      'Create task',
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...taskKey(task.taskId),
          GSI1PK: `TEAM#${task.team}`,
          GSI1SK: task.expiresAt,
          entity: 'task',
          ...task,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    return this.getItem<TaskRecord>('Read task', taskKey(taskId));
  }

  /**
   * Claims a pending task for one decision: succeeds once, only while PENDING, only with the stored
   * secret hash and only before expiry. The loser of a race (or a replay) gets ConflictError.
   * The task leaves the team's pending index and gets a TTL so DynamoDB deletes it later.
   */
  async claimTask(
    taskId: string,
    claim: {
      secretHash: string;
      decision: string;
      decidedBy: string;
      status?: 'DECIDED' | 'TIMED_OUT';
      /** The moment of the decision (default: now); releaseTask matches it. */
      decidedAt?: string;
    },
  ): Promise<void> {
    const now = claim.decidedAt ? new Date(claim.decidedAt) : this.now();
    await this.send(
      'Record decision on task',
      new UpdateCommand({
        TableName: this.tableName,
        Key: taskKey(taskId),
        UpdateExpression:
          'SET #status = :status, decision = :decision, decidedBy = :by, decidedAt = :at, expiresAtEpoch = :ttl REMOVE GSI1PK, GSI1SK',
        ConditionExpression: '#status = :pending AND secretHash = :hash AND expiresAt > :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': claim.status ?? 'DECIDED',
          ':pending': 'PENDING',
          ':hash': claim.secretHash,
          ':decision': claim.decision,
          ':by': claim.decidedBy,
          ':at': now.toISOString(),
          ':ttl': Math.floor(now.getTime() / 1000) + TASK_RETENTION_DAYS * 86_400,
        },
      }),
    );
  }

  /**
   * Undoes a claim whose decision could not be delivered to Step Functions (throttling, outage), so the
   * link works again: back to PENDING (and into the team's pending index) only while the task still
   * holds this very claim. Fails with ConflictError when it does not.
   */
  async releaseTask(taskId: string, claim: { decidedAt: string; team: Team }): Promise<void> {
    await this.send(
      'Release task claim',
      new UpdateCommand({
        TableName: this.tableName,
        Key: taskKey(taskId),
        UpdateExpression:
          'SET #status = :pending, GSI1PK = :teamPk, GSI1SK = expiresAt REMOVE decision, decidedBy, decidedAt, expiresAtEpoch',
        ConditionExpression: '#status = :decided AND decidedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':pending': 'PENDING',
          ':decided': 'DECIDED',
          ':at': claim.decidedAt,
          ':teamPk': `TEAM#${claim.team}`,
        },
      }),
    );
  }

  /**
   * Gives a pending task a new link secret for reminder number `reminder`: only while PENDING, before
   * expiry, still holding `fromHash`, and not yet reminded with this number or a later one. The old
   * hash is kept in previousSecretHashes (its links answer "replaced"). Otherwise ConflictError.
   */
  async rotateTaskSecret(
    taskId: string,
    rotation: { fromHash: string; toHash: string; reminder: number; at?: string },
  ): Promise<void> {
    const at = rotation.at ?? this.now().toISOString();
    await this.send(
      'Rotate task link secret',
      new UpdateCommand({
        TableName: this.tableName,
        Key: taskKey(taskId),
        UpdateExpression:
          'SET secretHash = :to, previousSecretHashes = list_append(if_not_exists(previousSecretHashes, :none), :from), lastReminder = :n, remindedAt = :at',
        ConditionExpression:
          '#status = :pending AND secretHash = :fromHash AND expiresAt > :at AND (attribute_not_exists(lastReminder) OR lastReminder < :n)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':to': rotation.toHash,
          ':fromHash': rotation.fromHash,
          ':from': [rotation.fromHash],
          ':none': [],
          ':n': rotation.reminder,
          ':at': at,
          ':pending': 'PENDING',
        },
      }),
    );
  }

  /**
   * Undoes rotateTaskSecret when the reminder email could not be sent (nobody holds the new secret):
   * the previous secret works again, only while the task still holds `currentHash`.
   */
  async restoreTaskSecret(
    taskId: string,
    restore: { currentHash: string; previousHash: string; previousReminder?: number; previousCount: number },
  ): Promise<void> {
    const values: Record<string, unknown> = {
      ':current': restore.currentHash,
      ':previous': restore.previousHash,
    };
    let update = 'SET secretHash = :previous';
    if (restore.previousReminder !== undefined) {
      values[':n'] = restore.previousReminder;
      update += ', lastReminder = :n REMOVE';
    } else update += ' REMOVE lastReminder, remindedAt,';
    update += ` previousSecretHashes[${Math.max(0, Math.trunc(restore.previousCount))}]`;
    await this.send(
      'Restore task link secret',
      new UpdateCommand({
        TableName: this.tableName,
        Key: taskKey(taskId),
        UpdateExpression: update,
        ConditionExpression: 'secretHash = :current',
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Marks a task whose wait already ended in Step Functions (timed out or execution stopped). */
  async markTaskTimedOut(taskId: string): Promise<void> {
    const now = this.now();
    await this.send(
      'Mark task timed out',
      new UpdateCommand({
        TableName: this.tableName,
        Key: taskKey(taskId),
        UpdateExpression: 'SET #status = :timedOut, expiresAtEpoch = :ttl REMOVE GSI1PK, GSI1SK',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':timedOut': 'TIMED_OUT',
          ':ttl': Math.floor(now.getTime() / 1000) + TASK_RETENTION_DAYS * 86_400,
        },
      }),
    );
  }

  async listPendingTasks(team: Team): Promise<TaskRecord[]> {
    const out = await this.send<{ Items?: Record<string, unknown>[] }>(
      'List pending tasks',
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': `TEAM#${team}` },
      }),
    );
    return (out.Items ?? []).map((i) => stripKeys<TaskRecord>(i));
  }

  // ---- decision facts on the request ---------------------------------------------------------------

  /**
   * Sets one entry of the request's `security` map (privacyReview, dpa, ssl) without replacing the
   * others, so steps that record different security facts cannot overwrite each other. Creates the map
   * when the request has none yet. Fails with NotFoundError when the request does not exist.
   */
  async setRequestSecurity<K extends keyof NonNullable<RequestRecord['security']>>(
    requestId: string,
    key: K,
    value: NonNullable<RequestRecord['security']>[K],
  ): Promise<void> {
    const updatedAt = this.now().toISOString();
    const setEntry = () =>
      this.send(
        'Update request security',
        new UpdateCommand({
          TableName: this.tableName,
          Key: requestKey(requestId),
          UpdateExpression: 'SET #security.#key = :value, updatedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND attribute_type(#security, :map)',
          ExpressionAttributeNames: { '#security': 'security', '#key': key },
          ExpressionAttributeValues: { ':value': value, ':now': updatedAt, ':map': 'M' },
        }),
      );
    try {
      await setEntry();
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    try {
      await this.send(
        'Create request security',
        new UpdateCommand({
          TableName: this.tableName,
          Key: requestKey(requestId),
          UpdateExpression: 'SET #security = :security, updatedAt = :now',
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#security)',
          ExpressionAttributeNames: { '#security': 'security' },
          ExpressionAttributeValues: { ':security': { [key]: value }, ':now': updatedAt },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      if (!(await this.getRequest(requestId))) {
        throw new NotFoundError(`Request ${requestId} does not exist`, { cause: error });
      }
      await setEntry(); // another step created the map in between
    }
  }

  /**
   * Stores a software licence key (SOP 14) in its own item beside the request, never on the request
   * record, in the execution history or in the audit trail. A later key for the same request replaces it.
   */
  async storeLicenseKey(
    requestId: string,
    key: { licenseKey: string; taskId: string; storedAt: string; storedBy: string },
  ): Promise<void> {
    await this.send(
      'Store licence key',
      new PutCommand({
        TableName: this.tableName,
        Item: { ...licenseKeyKey(requestId), entity: 'license-key', requestId, ...key },
      }),
    );
  }

  // ---- resource registry (staff transparency, SOP 6 and 16) ----------------------------------------

  async putRegistryEntry(entry: RegistryEntry): Promise<void> {
    await this.send(
      'Publish registry entry',
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...registryKey(entry.resourceKey),
          GSI1PK: 'REGISTRY',
          GSI1SK: entry.resourceName.toLowerCase(),
          ...(entry.renewalDueOn
            ? { GSI2PK: 'RENEWAL', GSI2SK: `${entry.renewalDueOn}#${entry.resourceKey}` }
            : {}),
          entity: 'registry',
          ...entry,
        },
      }),
    );
  }

  async getRegistryEntry(resourceKey: string): Promise<RegistryEntry | undefined> {
    return this.getItem<RegistryEntry>('Read registry entry', registryKey(resourceKey), false);
  }

  async listRegistry(): Promise<RegistryEntry[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.send<{
        Items?: Record<string, unknown>[];
        LastEvaluatedKey?: Record<string, unknown>;
      }>(
        'List registry',
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :pk',
          ExpressionAttributeValues: { ':pk': 'REGISTRY' },
          ExclusiveStartKey: start,
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items.map((i) => stripKeys<RegistryEntry>(i));
  }

  /** Registry entries whose annual renewal (SOP 17) is due on or before `date` (YYYY-MM-DD). */
  async listRenewalsDue(date: string): Promise<RegistryEntry[]> {
    const out = await this.send<{ Items?: Record<string, unknown>[] }>(
      'List renewals due',
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK <= :until',
        ExpressionAttributeValues: { ':pk': 'RENEWAL', ':until': `${date}#\uffff` },
      }),
    );
    return (out.Items ?? []).map((i) => stripKeys<RegistryEntry>(i));
  }

  // ---- idempotent submission ---------------------------------------------------------------------

  /**
   * Claims an idempotency key for a request id. Returns the request id already holding the key when
   * the claim loses, so a repeated submission resolves to the first request.
   */
  async claimIdempotencyKey(
    key: string,
    claim: { requestId: string; bodyHash: string },
  ): Promise<{ claimed: true } | { claimed: false; requestId: string; bodyHash: string }> {
    try {
      await this.send(
        'Claim idempotency key',
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...idempotencyKey(key),
            entity: 'idempotency',
            ...claim,
            createdAt: this.now().toISOString(),
            expiresAtEpoch: Math.floor(this.now().getTime() / 1000) + 30 * 86_400,
          },
          // A released claim (its request write failed for good) is free to claim again.
          ConditionExpression: 'attribute_not_exists(PK) OR released = :released',
          ExpressionAttributeValues: { ':released': true },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const out = await this.send<{ Item?: { requestId: string; bodyHash: string } }>(
        'Read idempotency key',
        new GetCommand({ TableName: this.tableName, Key: idempotencyKey(key), ConsistentRead: true }),
      );
      if (!out.Item) throw error;
      return { claimed: false, requestId: out.Item.requestId, bodyHash: out.Item.bodyHash };
    }
  }

  /**
   * Gives a claim back, only while it still names `requestId`: the write it reserved the id for was
   * rejected for good, so the same submission must start afresh rather than meet a dead claim. The
   * claim is marked released (an update, so the functions need no DeleteItem); claiming overwrites it.
   */
  async releaseIdempotencyKey(key: string, requestId: string): Promise<void> {
    try {
      await this.send(
        'Release idempotency key',
        new UpdateCommand({
          TableName: this.tableName,
          Key: idempotencyKey(key),
          UpdateExpression: 'SET released = :released',
          ConditionExpression: 'requestId = :requestId',
          ExpressionAttributeValues: { ':released': true, ':requestId': requestId },
        }),
      );
    } catch (error) {
      // Another request holds the key now (or nobody does): nothing of ours to release.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

function stripKeys<T>(item: Record<string, unknown>): T {
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
