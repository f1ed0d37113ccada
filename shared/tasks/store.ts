/** Human tasks (PK=TASK#id): the task token's item, its single-use claim and its link secrets. */

import { ConflictError } from '../core/errors.ts';
import { INDEX_PARTITIONS, taskKey, waitTaskKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import type { Assignee, DecisionDelivery, TaskKind, TaskRecord, Team } from '../workflow/index.ts';

/** How long a finished task stays in the table before its TTL deletes it. */
const TASK_RETENTION_DAYS = 400;
const UNDELIVERED = INDEX_PARTITIONS.undeliveredDecisions.key;
const DECIDED = INDEX_PARTITIONS.decidedTasksByMonth.key;

export class TaskStore {
  constructor(private readonly table: Table) {}

  async createTask(task: TaskRecord): Promise<void> {
    await this.table.putNew('Create task', {
      ...taskKey(task.taskId),
      GSI1PK: `TEAM#${task.team}`,
      GSI1SK: task.expiresAt,
      entity: 'task',
      ...task,
    });
  }

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    return this.table.get<TaskRecord>('Read task', taskKey(taskId));
  }

  /**
   * A stewardship wait's task (its request, execution and kind name the wait), kept beside the task
   * instead of in the request's one `currentTask` slot, which the request's own waits use and which two
   * incident reviews on one resource would take from each other. Kept a day past the task's deadline:
   * no retry of the wait comes later.
   */
  async recordWaitTask(
    task: Pick<TaskRecord, 'taskId' | 'requestId' | 'kind' | 'executionId' | 'expiresAt'>,
  ): Promise<void> {
    if (!task.executionId) return;
    await this.table.put("Record the wait's task", {
      ...waitTaskKey(task.requestId, task.executionId, task.kind),
      entity: 'task-wait',
      taskId: task.taskId,
      expiresAtEpoch: Math.floor(Date.parse(task.expiresAt) / 1000) + 86_400,
    });
  }

  /** The task recordWaitTask kept for this request's wait of this kind in this execution, if any. */
  async getWaitTask(requestId: string, executionId: string, kind: TaskKind): Promise<string | undefined> {
    const key = waitTaskKey(requestId, executionId, kind);
    return (await this.table.get<{ taskId: string }>("Read the wait's task", key))?.taskId;
  }

  /**
   * A retried waitForTaskToken call brings a new token for the same wait: the pending task (and the
   * link already emailed for it) now answers that token. With `secret`, the link is issued again: the
   * new secret's hash replaces `fromHash`, whose links then answer "replaced". Only while PENDING (and
   * still holding `fromHash`); otherwise ConflictError.
   */
  async retokenTask(
    taskId: string,
    taskToken: string,
    secret?: { fromHash: string; toHash: string },
  ): Promise<void> {
    await this.table.update('Renew task token', {
      Key: taskKey(taskId),
      UpdateExpression: secret
        ? 'SET taskToken = :token, secretHash = :to, previousSecretHashes = list_append(if_not_exists(previousSecretHashes, :none), :from)'
        : 'SET taskToken = :token',
      ConditionExpression: secret ? '#status = :pending AND secretHash = :fromHash' : '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':token': taskToken,
        ':pending': 'PENDING',
        ...(secret
          ? { ':to': secret.toHash, ':fromHash': secret.fromHash, ':from': [secret.fromHash], ':none': [] }
          : {}),
      },
    });
  }

  /**
   * Claims a pending task for one decision: succeeds once, only while PENDING, only with the stored
   * secret hash and only before expiry. The loser of a race (or a replay) gets ConflictError.
   * The task leaves the team's pending index and gets a TTL so DynamoDB deletes it later.
   * With `delivery`, the claim also remembers what is still to be done with the decision and joins
   * the sparse UNDELIVERED index (GSI2, by decision time), in the same single-item write: a crash
   * before the decision reaches Step Functions leaves it for the decision sweep, never stranded.
   * Answers the task as claimed: its token is the wait's current one (a retried assign-task may have
   * renewed it after the task was read; no renewal comes after the claim).
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
      delivery?: DecisionDelivery;
    },
  ): Promise<TaskRecord | undefined> {
    const now = claim.decidedAt ? new Date(claim.decidedAt) : this.table.now();
    const at = now.toISOString();
    const decided = (claim.status ?? 'DECIDED') === 'DECIDED';
    return this.table.updateAndRead<TaskRecord>('Record decision on task', {
      Key: taskKey(taskId),
      // A decided task moves from its team's pending index to the month's decided tasks (the reports'
      // task rows); a timed-out one leaves the index.
      UpdateExpression: `SET #status = :status, decision = :decision, decidedBy = :by, decidedAt = :at, expiresAtEpoch = :ttl${
        claim.delivery ? ', delivery = :delivery, GSI2PK = :undelivered, GSI2SK = :at' : ''
      }${decided ? ', GSI1PK = :month, GSI1SK = :decidedKey' : ' REMOVE GSI1PK, GSI1SK'}`,
      ConditionExpression: '#status = :pending AND secretHash = :hash AND expiresAt > :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':status': claim.status ?? 'DECIDED',
        ':pending': 'PENDING',
        ':hash': claim.secretHash,
        ':decision': claim.decision,
        ':by': claim.decidedBy,
        ':at': at,
        ':ttl': this.table.expiresAtEpoch(TASK_RETENTION_DAYS, now),
        ...(claim.delivery ? { ':delivery': claim.delivery, ':undelivered': UNDELIVERED } : {}),
        ...(decided ? { ':month': `${DECIDED}${at.slice(0, 7)}`, ':decidedKey': `${at}#${taskId}` } : {}),
      },
    });
  }

  /**
   * Step Functions accepted the claimed decision (`decidedAt` names the claim): a replay must not
   * deliver it again, only follow it up. ConflictError when the task no longer holds this claim.
   */
  async markTaskDelivered(taskId: string, claim: { decidedAt: string; at: string }): Promise<void> {
    await this.table.update('Mark decision delivered', {
      Key: taskKey(taskId),
      UpdateExpression: 'SET deliveredAt = if_not_exists(deliveredAt, :deliveredAt)',
      ConditionExpression: '#status = :decided AND decidedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':decided': 'DECIDED', ':at': claim.decidedAt, ':deliveredAt': claim.at },
    });
  }

  /**
   * The licence key of the claimed decision is in its own item now: a replay may say it was stored.
   * ConflictError when the task no longer holds this claim.
   */
  async markTaskLicenseKeyStored(taskId: string, claim: { decidedAt: string }): Promise<void> {
    await this.table.update('Mark licence key stored', {
      Key: taskKey(taskId),
      UpdateExpression: 'SET delivery.decision.licenseKeyStored = :stored',
      ConditionExpression: '#status = :decided AND decidedAt = :at AND attribute_exists(delivery)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':decided': 'DECIDED', ':at': claim.decidedAt, ':stored': true },
    });
  }

  /**
   * The claimed decision is delivered and followed up (facts, audit event, requester's email): the
   * task leaves the UNDELIVERED index and drops the kept delivery. ConflictError when the task no
   * longer holds this claim.
   */
  async markTaskFollowedUp(taskId: string, claim: { decidedAt: string; at: string }): Promise<void> {
    await this.table.update('Mark decision followed up', {
      Key: taskKey(taskId),
      UpdateExpression:
        'SET deliveredAt = if_not_exists(deliveredAt, :done), followedUpAt = :done REMOVE delivery, GSI2PK, GSI2SK',
      ConditionExpression: '#status = :decided AND decidedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':decided': 'DECIDED', ':at': claim.decidedAt, ':done': claim.at },
    });
  }

  /**
   * The latch of the requester's decision email: true for the one caller that may send it (the
   * decision, or the sweep that replays it), false when it was sent or is being sent already. With
   * `staleBefore` (the sweep), a latch taken before then and never marked sent counts as free: the
   * process that took it died before it could say the email went out (the sweep only sees claims older
   * than record-decision can run), so the email is sent again rather than lost.
   */
  async claimDecisionEmail(taskId: string, at: string, staleBefore?: string): Promise<boolean> {
    try {
      await this.table.update('Claim decision email', {
        Key: taskKey(taskId),
        UpdateExpression: 'SET decisionEmailAt = :at',
        ConditionExpression: staleBefore
          ? 'attribute_exists(PK) AND (attribute_not_exists(decisionEmailAt) OR (attribute_not_exists(decisionEmailSentAt) AND decisionEmailAt < :stale))'
          : 'attribute_exists(PK) AND attribute_not_exists(decisionEmailAt)',
        ExpressionAttributeValues: { ':at': at, ...(staleBefore ? { ':stale': staleBefore } : {}) },
      });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }

  /** The decision email went out (SES accepted it): no sweep sends it again. */
  async markDecisionEmailSent(taskId: string, at: string): Promise<void> {
    await this.table.update('Mark decision email sent', {
      Key: taskKey(taskId),
      UpdateExpression: 'SET decisionEmailSentAt = :at',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':at': at },
    });
  }

  /** Gives the email latch back (the send failed), only while it is still this caller's. */
  async releaseDecisionEmail(taskId: string, at: string): Promise<void> {
    try {
      await this.table.update('Release decision email', {
        Key: taskKey(taskId),
        UpdateExpression: 'REMOVE decisionEmailAt',
        ConditionExpression: 'decisionEmailAt = :at',
        ExpressionAttributeValues: { ':at': at },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }

  /**
   * Claimed decisions not yet delivered and followed up, decided before `decidedBefore` (ISO), oldest
   * first: one page of at most `limit` (the index is eventually consistent: read the task again
   * before acting on it).
   */
  async listUndeliveredTasks(decidedBefore: string, limit: number): Promise<TaskRecord[]> {
    return this.table.query<TaskRecord>('List undelivered decisions', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
      ExpressionAttributeValues: {
        ':pk': INDEX_PARTITIONS.undeliveredDecisions.key,
        ':before': decidedBefore,
      },
      Limit: limit,
    });
  }

  /**
   * Undoes a claim whose decision could not be delivered to Step Functions (throttling, outage), so
   * the link works again: back to PENDING (and into the team's pending index) only while the task
   * still holds this very claim, and off the UNDELIVERED index (nothing is left to deliver: the
   * approver was told to decide again). Fails with ConflictError when it does not.
   */
  async releaseTask(taskId: string, claim: { decidedAt: string; team: Team }): Promise<void> {
    await this.table.update('Release task claim', {
      Key: taskKey(taskId),
      UpdateExpression:
        'SET #status = :pending, GSI1PK = :teamPk, GSI1SK = expiresAt REMOVE decision, decidedBy, decidedAt, expiresAtEpoch, delivery, GSI2PK, GSI2SK',
      ConditionExpression: '#status = :decided AND decidedAt = :at',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': 'PENDING',
        ':decided': 'DECIDED',
        ':at': claim.decidedAt,
        ':teamPk': `TEAM#${claim.team}`,
      },
    });
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
    const at = rotation.at ?? this.table.now().toISOString();
    await this.table.update('Rotate task link secret', {
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
    });
  }

  /**
   * Undoes rotateTaskSecret when the reminder email could not be sent (nobody holds the new secret):
   * the previous secret works again, only while the task still holds `currentHash`.
   */
  async restoreTaskSecret(
    taskId: string,
    restore: {
      currentHash: string;
      previousHash: string;
      previousReminder?: number;
      previousCount: number;
    },
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
    await this.table.update('Restore task link secret', {
      Key: taskKey(taskId),
      UpdateExpression: update,
      ConditionExpression: 'secretHash = :current',
      ExpressionAttributeValues: values,
    });
  }

  /**
   * Marks a task whose wait already ended in Step Functions (timed out or execution stopped): nothing
   * is left to deliver, so it leaves the UNDELIVERED index too.
   */
  async markTaskTimedOut(taskId: string): Promise<void> {
    await this.table.update('Mark task timed out', {
      Key: taskKey(taskId),
      UpdateExpression:
        'SET #status = :timedOut, expiresAtEpoch = :ttl REMOVE GSI1PK, GSI1SK, delivery, GSI2PK, GSI2SK',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':timedOut': 'TIMED_OUT',
        ':ttl': this.table.expiresAtEpoch(TASK_RETENTION_DAYS),
      },
    });
  }

  /**
   * Who works on a pending task (the queue): `to` takes it (null: back to the team). `from` says whose
   * it must be now: `null` nobody's (taking an untaken task), an address that person's (releasing,
   * or handing over while away), undefined anyone's (assigning). ConflictError when it is not, or the
   * task is no longer pending.
   */
  async setTaskAssignee(taskId: string, to: Assignee | null, from?: string | null): Promise<void> {
    const owner =
      from === undefined
        ? ''
        : from === null
          ? ' AND attribute_not_exists(assignee)'
          : ' AND assignee.email = :from';
    await this.table.update('Assign task', {
      Key: taskKey(taskId),
      UpdateExpression: to ? 'SET assignee = :to' : 'REMOVE assignee',
      ConditionExpression: `#status = :pending${owner}`,
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':pending': 'PENDING',
        ...(to ? { ':to': to } : {}),
        ...(typeof from === 'string' ? { ':from': from } : {}),
      },
    });
  }

  /** One page of the tasks decided in a month (yyyy-mm), in decision order, and where the next starts. */
  async listDecidedTasks(
    month: string,
    after?: Record<string, unknown>,
  ): Promise<{ tasks: TaskRecord[]; next: Record<string, unknown> | undefined }> {
    const page = await this.table.queryPage<TaskRecord>('List decided tasks', {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `${DECIDED}${month}` },
      Limit: 200,
      ...(after ? { ExclusiveStartKey: after } : {}),
    });
    return { tasks: page.items, next: page.lastKey };
  }

  async listPendingTasks(team: Team): Promise<TaskRecord[]> {
    return this.table.query<TaskRecord>('List pending tasks', {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `TEAM#${team}` },
    });
  }
}
