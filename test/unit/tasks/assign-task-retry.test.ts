/**
 * A human step's assignment is run again when Step Functions retries it, or after a crash cut it off:
 * the wait keeps its one task, which answers the new task token. Once its audit event says the link
 * went out, nothing is sent again; before that, the link is issued again (the first one answers
 * "replaced"). Runs the real store on
 * dynalite; SES and Scheduler are mocked.
 */
import { CreateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { beforeEach, describe, expect, it } from 'vitest';
import { assignTask } from '#lambdas/assign-task.ts';
import { TransientError } from '#shared/core/errors.ts';
import type { WorkflowStore } from '#shared/store.ts';
import { useAssignTaskWorld } from '../../support/assign-task-world.ts';

const NOW = new Date('2026-11-28T10:00:00.000Z');
const EXECUTION = 'arn:aws:states:us-west-2:123456789012:execution:software-request:';
const { table, sesMock, schedulerMock, storedRequest, deps } = useAssignTaskWorld(NOW);
let requestId: string;
beforeEach(async () => {
  requestId = await storedRequest('SR-20261128-RETRY');
});

/** The store, with the next `failures` calls of `method` throttled. */
function flaky(method: 'appendAudit', failures: number): WorkflowStore {
  let left = failures;
  return new Proxy(table.store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key !== method || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (left-- > 0) return Promise.reject(new TransientError(`${method} throttled`));
        return value.apply(target, args);
      };
    },
  });
}

const call = (token: string, extra: Record<string, unknown> = {}) => ({
  taskToken: token,
  requestId,
  kind: 'privacy-review',
  timeoutSeconds: 1_209_600,
  executionId: `${EXECUTION}${requestId}`,
  stateName: 'PrivacyPolicyReview',
  ...extra,
});
const emails = () => sesMock.commandCalls(SendEmailCommand).length;
const audited = async (type: string) =>
  (await table.store.listAudit(requestId)).filter((e) => e.type === type).length;

describe('a wait run again keeps its one task: no second task, and no second email once it was audited', () => {
  it('cut off after its audit event (the link went out): the retry gives the same task the new token and sends nothing', async () => {
    const first = await assignTask(call('token-1'), deps());

    const out = await assignTask(call('token-2'), deps());

    expect(out.taskId).toBe(first.taskId);
    expect(emails()).toBe(1);
    expect(await table.store.getTask(out.taskId)).toMatchObject({ status: 'PENDING', taskToken: 'token-2' });
    expect(await audited('TASK_ASSIGNED')).toBe(1);
    // Reminders are per task: the retry finds the same schedule names.
    const names = schedulerMock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input.Name);
    expect(new Set(names).size).toBe(2);
  });

  it('a throttled audit write after the email is retried in the call itself: one email, one audit event', async () => {
    const out = await assignTask(call('token-1'), deps(flaky('appendAudit', 2)));

    expect(emails()).toBe(1);
    expect(await audited('TASK_ASSIGNED')).toBe(1);
    expect((await table.store.requireRequest(requestId)).currentTask).toEqual({
      taskId: out.taskId,
      kind: 'privacy-review',
      executionId: `${EXECUTION}${requestId}`,
    });
  });

  it('cut off between the email and its audit event: the retry finds the email sent (outbox), sends nothing and keeps the link', async () => {
    await expect(assignTask(call('token-1'), deps(flaky('appendAudit', 9)))).rejects.toBeInstanceOf(
      TransientError,
    );
    const before = (await table.store.requireRequest(requestId)).currentTask;

    const out = await assignTask(call('token-2'), deps());

    expect(out.taskId).toBe(before?.taskId);
    expect(emails()).toBe(1);
    const task = await table.store.getTask(out.taskId);
    expect(task?.taskToken).toBe('token-2');
    // The emailed link still works: its secret was not replaced.
    expect(task?.previousSecretHashes ?? []).toHaveLength(0);
    expect(await audited('TASK_ASSIGNED')).toBe(1);
  });

  it('the email itself failed: the retry sends it, for the same task', async () => {
    sesMock
      .on(SendEmailCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'Throttling' }))
      .resolves({ MessageId: 'm-2' });
    await expect(assignTask(call('token-1'), deps())).rejects.toBeInstanceOf(TransientError);
    const before = (await table.store.requireRequest(requestId)).currentTask;

    const out = await assignTask(call('token-2'), deps());

    expect(out.taskId).toBe(before?.taskId);
    expect(sesMock.commandCalls(SendEmailCommand)).toHaveLength(2);
    expect((await table.store.getTask(out.taskId))?.taskToken).toBe('token-2');
    expect(await audited('TASK_ASSIGNED')).toBe(1);
  });

  it('a later wait of the same kind after a decision is a new task with its own email', async () => {
    const first = await assignTask(call('token-1'), deps());
    await table.store.claimTask(first.taskId, {
      secretHash: (await table.store.getTask(first.taskId))?.secretHash ?? '',
      decision: 'ask',
      decidedBy: 'A. Reviewer',
    });

    const second = await assignTask(call('token-2'), deps());

    expect(second.taskId).not.toBe(first.taskId);
    expect(emails()).toBe(2);
  });

  it('the pending task is decided between the read and its new token: the wait gets a new task, no error', async () => {
    const first = await assignTask(call('token-1'), deps());
    const racing = new Proxy(table.store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver);
        if (key !== 'retokenTask' || typeof value !== 'function') return value;
        // Someone claims the task just before the retried call renews its token.
        return async (...args: unknown[]) => {
          await target.claimTask(first.taskId, {
            secretHash: (await target.getTask(first.taskId))?.secretHash ?? '',
            decision: 'acceptable',
            decidedBy: 'A. Reviewer',
          });
          return value.apply(target, args);
        };
      },
    });

    const second = await assignTask(call('token-2'), deps(racing));

    expect(second.taskId).not.toBe(first.taskId);
    expect((await table.store.getTask(second.taskId))?.taskToken).toBe('token-2');
    expect(emails()).toBe(2);
  });

  it('the same kind in another execution (the annual renewal) is a new task', async () => {
    const first = await assignTask(call('token-1'), deps());
    const second = await assignTask(
      call('token-2', { executionId: `${EXECUTION}renewal-${requestId}` }),
      deps(),
    );

    expect(second.taskId).not.toBe(first.taskId);
    expect(emails()).toBe(2);
  });

  it('a question cut off after its audit event: the retry sends no second reply link', async () => {
    const question = {
      kind: 'answer',
      askedBy: 'privacy-review',
      question: { question: 'Which grades use it?', recipient: 'requester' },
    };
    const first = await assignTask(call('token-1', question), deps());

    const out = await assignTask(call('token-2', question), deps());

    expect(out.taskId).toBe(first.taskId);
    expect(emails()).toBe(1);
    expect(out.reminders).toEqual([]);
    expect((await table.store.getTask(out.taskId))?.taskToken).toBe('token-2');
    expect(await audited('QUESTION_SENT')).toBe(1);
  });
});
