/**
 * Requests and what hangs off them: the request item, its audit trail, its security facts and the
 * licence key item (all under PK=REQUEST#id). A new request also sits in the sparse GSI2 partition
 * UNSTARTED until its workflow is recorded as started (markRequestStarted): the recovery sweep
 * (shared/recovery/request-recovery.ts) finds the requests a crash left without a workflow there.
 */
import { randomBytes } from 'node:crypto';
import { ConflictError, NotFoundError } from '../core/errors.ts';
import {
  auditSk,
  INDEX_PARTITIONS,
  licenseKeyKey,
  policySnapshotKey,
  requestKey,
} from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import type { AuditEvent, RequestRecord, RequestStatus } from '../workflow/index.ts';

type Security = NonNullable<RequestRecord['security']>;

export class RequestStore {
  constructor(private readonly table: Table) {}

  async createRequest(record: RequestRecord): Promise<void> {
    await this.table.putNew('Create request', {
      ...requestKey(record.requestId),
      GSI1PK: `REQUESTER#${record.submitted.requesterEmail}`,
      GSI1SK: record.createdAt,
      // Until markRequestStarted: a crash before the workflow starts leaves the request findable.
      GSI2PK: INDEX_PARTITIONS.unstartedRequests.key,
      GSI2SK: record.createdAt,
      entity: 'request',
      ...record,
    });
  }

  async getRequest(requestId: string): Promise<RequestRecord | undefined> {
    return this.table.get<RequestRecord>('Read request', requestKey(requestId));
  }

  /** Requests by id (missing ones absent), in one BatchGetItem per 100. */
  async getRequests(requestIds: readonly string[]): Promise<RequestRecord[]> {
    if (requestIds.length === 0) return [];
    return this.table.batchGet<RequestRecord>(
      'Read requests',
      [...new Set(requestIds)].map((id) => requestKey(id)),
    );
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
    const fields: Record<string, unknown> = { ...patch, updatedAt: this.table.now().toISOString() };
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
      await this.table.update('Update request', {
        Key: requestKey(requestId),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw await this.lostCondition(requestId, error, options.ifStatus);
    }
  }

  /**
   * Records the request's workflow execution and takes the request out of the UNSTARTED index
   * partition (idempotent: the same ARN again changes nothing but updatedAt). Fails with
   * NotFoundError when the request does not exist.
   */
  async markRequestStarted(requestId: string, executionArn: string): Promise<void> {
    try {
      await this.table.update('Record workflow start', {
        Key: requestKey(requestId),
        UpdateExpression: 'SET #arn = :arn, #updatedAt = :now REMOVE #gsi2pk, #gsi2sk',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: {
          '#arn': 'executionArn',
          '#updatedAt': 'updatedAt',
          '#gsi2pk': 'GSI2PK',
          '#gsi2sk': 'GSI2SK',
        },
        ExpressionAttributeValues: { ':arn': executionArn, ':now': this.table.now().toISOString() },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      throw await this.lostCondition(requestId, error);
    }
  }

  /**
   * Requests created before `createdBefore` (ISO time) whose workflow is not recorded as started,
   * oldest first: one page of at most `limit` (the index is eventually consistent: read the request
   * again before acting on it).
   */
  async listUnstartedRequests(createdBefore: string, limit: number): Promise<RequestRecord[]> {
    return this.table.query<RequestRecord>('List unstarted requests', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
      ExpressionAttributeValues: { ':pk': INDEX_PARTITIONS.unstartedRequests.key, ':before': createdBefore },
      Limit: limit,
    });
  }

  async listRequestsByRequester(email: string, limit = 50): Promise<RequestRecord[]> {
    return this.table.query<RequestRecord>('List requests', {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `REQUESTER#${email.toLowerCase()}` },
      ScanIndexForward: false,
      Limit: limit,
    });
  }

  /**
   * Sets one entry of the request's `security` map (privacyReview, dpa, ssl) without replacing the
   * others, so steps that record different security facts cannot overwrite each other. Creates the
   * map when the request has none yet. Fails with NotFoundError when the request does not exist.
   */
  async setRequestSecurity<K extends keyof Security>(
    requestId: string,
    key: K,
    value: Security[K],
  ): Promise<void> {
    const updatedAt = this.table.now().toISOString();
    const setEntry = () =>
      this.table.update('Update request security', {
        Key: requestKey(requestId),
        UpdateExpression: 'SET #security.#key = :value, updatedAt = :now',
        ConditionExpression: 'attribute_exists(PK) AND attribute_type(#security, :map)',
        ExpressionAttributeNames: { '#security': 'security', '#key': key },
        ExpressionAttributeValues: { ':value': value, ':now': updatedAt, ':map': 'M' },
      });
    try {
      await setEntry();
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
    try {
      await this.table.update('Create request security', {
        Key: requestKey(requestId),
        UpdateExpression: 'SET #security = :security, updatedAt = :now',
        ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(#security)',
        ExpressionAttributeNames: { '#security': 'security' },
        ExpressionAttributeValues: { ':security': { [key]: value }, ':now': updatedAt },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // Read again (dynalite returns no old item on a lost condition): missing, or created meanwhile?
      if (!(await this.getRequest(requestId))) throw await this.lostCondition(requestId, error);
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
    await this.table.put('Store licence key', {
      ...licenseKeyKey(requestId),
      entity: 'license-key',
      requestId,
      ...key,
    });
  }

  /**
   * Appends one event; the sort key (time + suffix) keeps the trail in order. The suffix is random, so
   * two events never collide, or the caller's `key` for an event a retried step appends again with the
   * same `at`: the retry then finds its event already there and succeeds without a second line. Either
   * way a write that landed but whose answer was lost is not a conflict (Table.putOnce).
   */
  async appendAudit(
    event: Omit<AuditEvent, 'at'> & { at?: string },
    options: { key?: string } = {},
  ): Promise<AuditEvent> {
    const full: AuditEvent = { ...event, at: event.at ?? this.table.now().toISOString() };
    await this.table.putOnce('Append audit event', {
      PK: requestKey(full.requestId).PK,
      SK: auditSk(full.at, options.key ?? randomBytes(4).toString('hex')),
      entity: 'audit',
      ...full,
    });
    return full;
  }

  /**
   * The privacy review named the policy pages it read: keep a copy of each (shared/evidence, on the
   * schedule of keep-policy-snapshots). Written with the review's facts; the same review again changes
   * nothing.
   */
  async addPolicySnapshotDue(requestId: string, reviewedAt: string, urls: readonly string[]): Promise<void> {
    try {
      await this.table.putNew('Ask for policy snapshots', {
        ...policySnapshotKey(requestId, reviewedAt),
        GSI2PK: INDEX_PARTITIONS.policySnapshotsDue.key,
        GSI2SK: reviewedAt,
        entity: 'policy-snapshot',
        requestId,
        reviewedAt,
        urls,
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  async listAudit(requestId: string): Promise<AuditEvent[]> {
    return this.table.queryAll<AuditEvent>('Read audit trail', {
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :audit)',
      ExpressionAttributeValues: { ':pk': requestKey(requestId).PK, ':audit': 'AUDIT#' },
    });
  }

  /**
   * Which error a lost condition means. The item is read again because dynalite (the local table)
   * does not return the old item on ConditionalCheckFailed (ReturnValuesOnConditionCheckFailure).
   */
  private async lostCondition(requestId: string, error: ConflictError, ifStatus?: RequestStatus) {
    if (ifStatus && (await this.getRequest(requestId))) {
      return new ConflictError(`Request ${requestId} is no longer ${ifStatus}`, { cause: error });
    }
    return new NotFoundError(`Request ${requestId} does not exist`, { cause: error });
  }
}
