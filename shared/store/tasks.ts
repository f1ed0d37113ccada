/** Human tasks (PK=TASK#id): the task token's item, its single-use claim and its link secrets. */
import type { Team } from '../domain/task-kinds.ts';
import { taskKey } from './keys.ts';
import type { TaskRecord } from './records.ts';
import type { Table } from './store.ts';

/** How long a finished task stays in the table before its TTL deletes it. */
const TASK_RETENTION_DAYS = 400;

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
   * A retried waitForTaskToken call brings a new token for the same wait: the pending task (and the
   * link already emailed for it) now answers that token. Only while PENDING; otherwise ConflictError.
   */
  async retokenTask(taskId: string, taskToken: string): Promise<void> {
    await this.table.update('Renew task token', {
      Key: taskKey(taskId),
      UpdateExpression: 'SET taskToken = :token',
      ConditionExpression: '#status = :pending',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':token': taskToken, ':pending': 'PENDING' },
    });
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
    const now = claim.decidedAt ? new Date(claim.decidedAt) : this.table.now();
    await this.table.update('Record decision on task', {
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
        ':ttl': this.table.expiresAtEpoch(TASK_RETENTION_DAYS, now),
      },
    });
  }

  /**
   * Undoes a claim whose decision could not be delivered to Step Functions (throttling, outage), so
   * the link works again: back to PENDING (and into the team's pending index) only while the task
   * still holds this very claim. Fails with ConflictError when it does not.
   */
  async releaseTask(taskId: string, claim: { decidedAt: string; team: Team }): Promise<void> {
    await this.table.update('Release task claim', {
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

  /** Marks a task whose wait already ended in Step Functions (timed out or execution stopped). */
  async markTaskTimedOut(taskId: string): Promise<void> {
    await this.table.update('Mark task timed out', {
      Key: taskKey(taskId),
      UpdateExpression: 'SET #status = :timedOut, expiresAtEpoch = :ttl REMOVE GSI1PK, GSI1SK',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: {
        ':timedOut': 'TIMED_OUT',
        ':ttl': this.table.expiresAtEpoch(TASK_RETENTION_DAYS),
      },
    });
  }

  async listPendingTasks(team: Team): Promise<TaskRecord[]> {
    return this.table.query<TaskRecord>('List pending tasks', {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `TEAM#${team}` },
    });
  }
}
