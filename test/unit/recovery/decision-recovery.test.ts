/**
 * A decision killed between its claim and the end of its follow-up is finished by the decision sweep
 * (shared/recovery/decision-recovery.ts), on the real store (dynalite): the claim keeps the delivery,
 * the sweep delivers it exactly once, audits once, emails once, and a real timeout is recorded as
 * too late. A crash is simulated by a process that dies at a chosen call: from that call on, every
 * call of the decision (store, Step Functions, email) fails, as nothing runs after a `kill -9`.
 */
import { InvalidToken, SendTaskSuccessCommand, TaskDoesNotExist, TaskTimedOut } from '@aws-sdk/client-sfn';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recoverRequests } from '#lambdas/recover-requests.ts';
import type { Email } from '#shared/core/mail/mailer.ts';
import { licenseKeyKey, taskKey } from '#shared/core/store/keys.ts';
import {
  DELIVERED_BY_RECOVERY,
  type DecisionRecoveryDeps,
  FOLLOW_UP_BY_RECOVERY,
  finishUndeliveredDecisions,
  waitEnded,
} from '#shared/recovery/decision-recovery.ts';
import { hashSecret } from '#shared/tasks/task-links.ts';
import { type DecideDeps, decide } from '#shared/tasks/task-service.ts';
import type { AuditEvent, RequestRecord, TaskRecord } from '#shared/workflow/records.ts';
import requestFixture from '../../events/request-record.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const DECIDED_AT = new Date('2026-11-28T10:00:00.000Z');
const SECRET = 'Zm9yZ2VkLXNlY3JldC1mb3ItdGVzdHMtb25seS0wMDA';
const BASE = 'https://requests.district.example';
const minutes = (n: number) => new Date(DECIDED_AT.getTime() + n * 60_000);

let table: DynaliteTable;
let clock: Date;
let n = 0;
let requestId: string;
let taskId: string;
let token: string;

beforeAll(async () => {
  table = await startDynaliteTable(() => clock);
});
afterAll(async () => table.stop());

/** Step Functions' side of the tokens: a wait answers once, then is over; a timed-out wait is over. */
class FakeSfn {
  readonly waits = new Map<string, 'waiting' | 'answered' | 'timed-out'>();
  readonly delivered: { token: string; output: unknown }[] = [];
  /** Errors any call fails with until cleared (throttling), by name. */
  failWith: string | undefined;

  async send(command: unknown): Promise<object> {
    if (!(command instanceof SendTaskSuccessCommand)) throw new Error('unexpected command');
    const { taskToken = '', output = 'null' } = command.input;
    if (this.failWith) throw Object.assign(new Error(this.failWith), { name: this.failWith });
    const wait = this.waits.get(taskToken);
    const meta = { $metadata: {}, message: 'over' };
    if (wait === 'timed-out') throw new TaskTimedOut(meta);
    if (wait === 'answered') throw new TaskDoesNotExist(meta);
    if (!wait) throw new InvalidToken(meta);
    this.waits.set(taskToken, 'answered');
    this.delivered.push({ token: taskToken, output: JSON.parse(output) });
    return {};
  }
}

class FakeMailer {
  readonly sent: Email[] = [];
  async send(email: Email) {
    this.sent.push(email);
    return { messageId: `m-${this.sent.length}` };
  }
}

class ProcessDied extends Error {
  override name = 'ProcessDied';
}

let sfn: FakeSfn;
let mailer: FakeMailer;

function deps(): DecideDeps & DecisionRecoveryDeps {
  return { store: table.store, sfn, mailer, now: () => clock, publicBaseUrl: BASE, sleep: async () => {} };
}

/**
 * The decision's dependencies in a process that dies at `diesAt` (a store method name, or `sfn` for
 * the SendTaskSuccess call, `sfn-after` right after Step Functions accepted it): that call and every
 * later one fail.
 */
function dyingDeps(diesAt: string): DecideDeps {
  let dead = false;
  const check = (name: string) => {
    if (name === diesAt) dead = true;
    if (dead) throw new ProcessDied(`killed at ${name}`);
  };
  const store = new Proxy(table.store, {
    get(target, prop: string) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        check(prop);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    ...deps(),
    store,
    sfn: {
      send: (async (command: unknown) => {
        check('sfn');
        const out = await sfn.send(command);
        check('sfn-after');
        return out;
      }) as DecideDeps['sfn']['send'],
    },
    mailer: {
      send: async (email: Email) => {
        check('mailer');
        return mailer.send(email);
      },
    },
  };
}

const sound = { decision: 'sound', comment: 'Works on Chromebooks', decidedBy: 'Sam Lee' };

async function givenTask(overrides: Partial<TaskRecord> = {}): Promise<TaskRecord> {
  n++;
  requestId = `SR-20261128-DREC${String(n).padStart(4, '0')}`;
  taskId = `DecisionRecovery${String(n).padStart(6, '0')}`;
  token = `token-${n}`;
  clock = minutes(-60);
  const request: RequestRecord = { ...structuredClone(requestFixture as RequestRecord), requestId };
  await table.store.createRequest(request);
  await table.store.markRequestStarted(requestId, `arn:aws:states:::execution:software-request:${requestId}`);
  const task: TaskRecord = {
    taskId,
    requestId,
    kind: 'technical-review',
    team: 'dii',
    sopStep: 10,
    taskToken: token,
    secretHash: hashSecret(SECRET),
    status: 'PENDING',
    createdAt: clock.toISOString(),
    expiresAt: new Date(DECIDED_AT.getTime() + 14 * 86_400_000).toISOString(),
    ...overrides,
  };
  await table.store.createTask(task);
  sfn.waits.set(token, 'waiting');
  clock = DECIDED_AT;
  return task;
}

const post = (values: Record<string, unknown>, d: DecideDeps = deps()) =>
  decide({ taskId, secret: SECRET, values, sourceIp: '203.0.113.9' }, d);

const audit = async (type?: string): Promise<AuditEvent[]> =>
  (await table.store.listAudit(requestId)).filter((e) => !type || e.type === type);
const emailsToRequester = () => mailer.sent.filter((m) => m.subject.includes(requestId));
const sweepAt = (at: Date) => {
  clock = at;
  return finishUndeliveredDecisions(deps());
};
const undelivered = () => table.store.listUndeliveredTasks('9999', 100);
const nothingDone = { delivered: [], followedUp: [], tooLate: [], failed: [] };

beforeEach(async () => {
  sfn = new FakeSfn();
  mailer = new FakeMailer();
  // Each test sweeps only its own claims: the earlier tests' leftovers leave the index.
  for (const left of await undelivered()) await table.store.markTaskTimedOut(left.taskId);
});

/**
 * The decision's dependencies in a process where Step Functions retries the wait's assign-task just
 * before the claim: the task keeps its link and takes the retry's token; the old token no longer
 * reaches the wait.
 */
function renewedBeforeClaim(renewed: string): DecideDeps {
  const store = new Proxy(table.store, {
    get(target, prop: string) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (prop === 'claimTask') {
          await target.retokenTask(taskId, renewed);
          sfn.waits.delete(token);
          sfn.waits.set(renewed, 'waiting');
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { ...deps(), store };
}

describe('a decision racing a retried assign-task (read with the old token, claimed after the renewal)', () => {
  it("is delivered with the claimed task's token and counts; the step is not taken for timed out", async () => {
    await givenTask();

    const result = await post(sound, renewedBeforeClaim(`${token}-renewed`));

    expect(result.state).toBe('recorded');
    expect(sfn.delivered).toEqual([
      { token: `${token}-renewed`, output: { ...sound, decidedAt: DECIDED_AT.toISOString() } },
    ]);
    expect((await table.store.getTask(taskId))?.status).toBe('DECIDED');
    expect(await audit('DECISION_TOO_LATE')).toEqual([]);
    expect(await audit('DECISION_RECORDED')).toHaveLength(1);
  });
});

describe('a decision killed between its claim and SendTaskSuccess', () => {
  it('is kept on the claim (exactly the output SendTaskSuccess would send) and the link says "decided"', async () => {
    await givenTask();

    const result = await post(sound, dyingDeps('sfn'));

    expect(result.state).toBe('delivery-pending'); // what the dead process would have answered, had it lived
    const task = await table.store.getTask(taskId);
    expect(task).toMatchObject({ status: 'DECIDED', decidedAt: DECIDED_AT.toISOString() });
    expect(task?.delivery?.decision.output).toEqual({ ...sound, decidedAt: DECIDED_AT.toISOString() });
    expect(task?.delivery?.origin).toEqual({
      sourceIp: '203.0.113.9',
      actor: { sub: null, email: null, name: 'Sam Lee', via: 'link' },
      identityVerified: false,
    });
    expect(task?.deliveredAt).toBeUndefined();
    expect((await undelivered()).map((t) => t.taskId)).toContain(taskId);
    expect(sfn.delivered).toEqual([]);
  });

  it('is left alone while younger than a minute (record-decision may still be running)', async () => {
    await givenTask();
    await post(sound, dyingDeps('sfn'));

    expect(await sweepAt(minutes(0.5))).toEqual(nothingDone);
    expect(sfn.delivered).toEqual([]);
  });

  it('younger than a minute but claimed before the local runtime restarted: delivered at once (its process died)', async () => {
    await givenTask();
    await post(sound, dyingDeps('sfn'));
    clock = minutes(0.5);

    const result = await finishUndeliveredDecisions(deps(), { restartedAt: minutes(0.25) });

    expect(result).toEqual({ ...nothingDone, delivered: [taskId] });
    expect(sfn.delivered).toEqual([{ token, output: { ...sound, decidedAt: DECIDED_AT.toISOString() } }]);
  });

  it('claimed after the restart and younger than a minute: left alone, its record-decision may be running now', async () => {
    await givenTask();
    await post(sound, dyingDeps('sfn'));
    clock = minutes(0.5);

    const result = await finishUndeliveredDecisions(deps(), { restartedAt: minutes(-1) });

    expect(result).toEqual(nothingDone);
    expect(sfn.delivered).toEqual([]);
  });

  it('is delivered by the sweep exactly once, audited once, emailed once; a second sweep does nothing', async () => {
    await givenTask();
    await post(sound, dyingDeps('sfn'));

    const first = await sweepAt(minutes(2));
    const second = await sweepAt(minutes(17));

    expect(first).toEqual({ ...nothingDone, delivered: [taskId] });
    expect(second).toEqual(nothingDone);
    expect(sfn.delivered).toEqual([{ token, output: { ...sound, decidedAt: DECIDED_AT.toISOString() } }]);
    expect(await audit('DECISION_RECORDED')).toHaveLength(1);
    expect((await audit('DECISION_RECORDED'))[0]).toMatchObject({
      at: DECIDED_AT.toISOString(),
      actor: 'Sam Lee',
      detail: { taskId, decision: 'sound', sourceIp: '203.0.113.9', identityVerified: false },
    });
    expect(await audit(DELIVERED_BY_RECOVERY)).toHaveLength(1);
    expect(await audit(FOLLOW_UP_BY_RECOVERY)).toHaveLength(0);
    expect(emailsToRequester()).toHaveLength(1);
    expect(await table.store.getTask(taskId)).toMatchObject({
      status: 'DECIDED',
      deliveredAt: minutes(2).toISOString(),
      followedUpAt: minutes(2).toISOString(),
    });
    expect((await table.store.getTask(taskId))?.delivery).toBeUndefined();
    expect((await undelivered()).map((t) => t.taskId)).not.toContain(taskId);
  });

  it('a throttled SendTaskSuccess is left for the next sweep, which delivers it', async () => {
    await givenTask();
    await post(sound, dyingDeps('sfn'));
    sfn.failWith = 'ThrottlingException';

    const first = await sweepAt(minutes(2));
    sfn.failWith = undefined;
    const second = await sweepAt(minutes(17));

    expect(first).toEqual({ ...nothingDone, failed: [taskId] });
    expect(second).toEqual({ ...nothingDone, delivered: [taskId] });
    expect(sfn.delivered).toHaveLength(1);
    expect(emailsToRequester()).toHaveLength(1);
  });

  it('a step that had timed out meanwhile: DECISION_TOO_LATE, nothing delivered, audited or emailed', async () => {
    const task = await givenTask();
    await post(sound, dyingDeps('sfn'));
    sfn.waits.set(token, 'timed-out');

    const result = await sweepAt(new Date(Date.parse(task.expiresAt) + 60_000));

    expect(result).toEqual({ ...nothingDone, tooLate: [taskId] });
    expect(sfn.delivered).toEqual([]);
    expect(await audit('DECISION_RECORDED')).toEqual([]);
    expect(await audit('DECISION_TOO_LATE')).toHaveLength(1);
    expect((await audit('DECISION_TOO_LATE'))[0]).toMatchObject({
      actor: 'Sam Lee',
      detail: { taskId, decision: 'sound', stepFunctionsError: 'TaskTimedOut' },
    });
    expect(emailsToRequester()).toEqual([]);
    expect((await table.store.getTask(taskId))?.status).toBe('TIMED_OUT');
    expect((await undelivered()).map((t) => t.taskId)).not.toContain(taskId);
    expect(await sweepAt(new Date(Date.parse(task.expiresAt) + 20 * 60_000))).toEqual(nothingDone);
  });
});

describe('a decision killed after Step Functions accepted it', () => {
  it('before any mark or write: the sweep only follows it up (facts, audit, email), once', async () => {
    await givenTask();
    await post(sound, dyingDeps('sfn-after'));

    const first = await sweepAt(minutes(2));
    const second = await sweepAt(minutes(17));

    expect(first).toEqual({ ...nothingDone, followedUp: [taskId] });
    expect(second).toEqual(nothingDone);
    expect(sfn.delivered).toHaveLength(1); // the decision's own delivery, never a second one
    expect(await audit('DECISION_RECORDED')).toHaveLength(1);
    expect(await audit(FOLLOW_UP_BY_RECOVERY)).toHaveLength(1);
    expect(await audit(DELIVERED_BY_RECOVERY)).toEqual([]);
    expect(await audit('DECISION_TOO_LATE')).toEqual([]);
    expect(emailsToRequester()).toHaveLength(1);
    expect(await table.store.getTask(taskId)).toMatchObject({
      status: 'DECIDED',
      followedUpAt: minutes(2).toISOString(),
    });
  });

  it('after "delivered" was marked and the audit written: the sweep sends the email, and writes no second audit event', async () => {
    await givenTask();
    await post(sound, dyingDeps('claimDecisionEmail'));
    expect((await table.store.getTask(taskId))?.deliveredAt).toBeDefined();
    expect(await audit('DECISION_RECORDED')).toHaveLength(1);

    const result = await sweepAt(minutes(2));

    expect(result).toEqual({ ...nothingDone, followedUp: [taskId] });
    expect(await audit('DECISION_RECORDED')).toHaveLength(1);
    expect(emailsToRequester()).toHaveLength(1);
  });

  it('after the email, before "followed up": the sweep sends no second email', async () => {
    await givenTask();
    await post(sound, dyingDeps('markTaskFollowedUp'));
    expect(emailsToRequester()).toHaveLength(1);

    const result = await sweepAt(minutes(2));

    expect(result).toEqual({ ...nothingDone, followedUp: [taskId] });
    expect(emailsToRequester()).toHaveLength(1);
    expect(await audit('DECISION_RECORDED')).toHaveLength(1);
    expect(sfn.delivered).toHaveLength(1);
  });

  it("between the email latch and SES: the sweep sends the email (a dead sender's latch is taken again)", async () => {
    await givenTask();
    await post(sound, dyingDeps('mailer'));
    expect((await table.store.getTask(taskId))?.decisionEmailAt).toBeDefined();
    expect(emailsToRequester()).toEqual([]);

    const first = await sweepAt(minutes(2));
    const second = await sweepAt(minutes(17));

    expect(first).toEqual({ ...nothingDone, followedUp: [taskId] });
    expect(second).toEqual(nothingDone);
    expect(emailsToRequester()).toHaveLength(1);
    expect((await table.store.getTask(taskId))?.decisionEmailSentAt).toBe(minutes(2).toISOString());
  });

  it('between SES and the "sent" mark: the email goes again (at least once: a duplicate, never a loss)', async () => {
    await givenTask();
    await post(sound, dyingDeps('markDecisionEmailSent'));
    expect(emailsToRequester()).toHaveLength(1);

    await sweepAt(minutes(2));

    expect(emailsToRequester()).toHaveLength(2);
    expect(await audit('DECISION_RECORDED')).toHaveLength(1);
  });

  it("a latch younger than the sweep's cutoff may be another sweep's: left for the next sweep, then sent", async () => {
    await givenTask();
    await post(sound, dyingDeps('mailer'));
    // the same latch, as if taken by a sweep that is sending right now
    await table.store.releaseDecisionEmail(
      taskId,
      (await table.store.getTask(taskId))?.decisionEmailAt ?? '',
    );
    await table.store.claimDecisionEmail(taskId, minutes(1.9).toISOString());

    const first = await sweepAt(minutes(2));
    const second = await sweepAt(minutes(17));

    expect(first).toEqual({ ...nothingDone, failed: [taskId] });
    expect(second).toEqual({ ...nothingDone, followedUp: [taskId] });
    expect(emailsToRequester()).toHaveLength(1);
  });

  it('the decision facts are replayed: the licence facts without the key, which the claim never holds', async () => {
    const KEY = 'ABCD-EFGH-1234-9F3K';
    await givenTask({ kind: 'license', team: 'aas', sopStep: 14 });
    const licence = {
      decision: 'license-stored',
      decidedBy: 'Alex',
      licenseReference: 'LIC-77',
      seats: '30',
      expiresOn: '2027-11-30',
      licenseKey: KEY,
    };
    await post(licence, dyingDeps('sfn-after'));
    const item = await table.client.send(
      new GetCommand({ TableName: 'software-requests', Key: taskKey(taskId) }),
    );
    expect(JSON.stringify(item.Item)).not.toContain(KEY);

    await sweepAt(minutes(2));

    const request = await table.store.getRequest(requestId);
    expect(request?.license).toEqual({
      licenseReference: 'LIC-77',
      seats: 30,
      expiresOn: '2027-11-30',
      storedAt: DECIDED_AT.toISOString(),
      licenseKeyLast4: '9F3K',
    });
    expect((await audit('DECISION_RECORDED'))[0]?.detail).toMatchObject({ licenseKeyStored: true });
    expect(JSON.stringify(await audit())).not.toContain(KEY);
    expect(JSON.stringify(sfn.delivered)).not.toContain(KEY);
    const stored = await table.client.send(
      new GetCommand({ TableName: 'software-requests', Key: licenseKeyKey(requestId) }),
    );
    expect(stored.Item?.licenseKey).toBe(KEY);
  });
});

describe('a licence decision killed before its key was stored', () => {
  it('is delivered without the key (never in the output), and the trail says the key was lost, not stored', async () => {
    await givenTask({ kind: 'license', team: 'aas', sopStep: 14 });
    await post(
      {
        decision: 'license-stored',
        decidedBy: 'Alex',
        licenseReference: 'LIC-77',
        seats: '30',
        expiresOn: '2027-11-30',
        licenseKey: 'ABCD-EFGH-1234-9F3K',
      },
      dyingDeps('storeLicenseKey'),
    );

    const result = await sweepAt(minutes(2));

    expect(result).toEqual({ ...nothingDone, delivered: [taskId] });
    expect(JSON.stringify(sfn.delivered)).not.toContain('9F3K');
    const [recorded] = await audit('DECISION_RECORDED');
    expect(recorded?.detail).toMatchObject({ licenseKeyLost: true });
    expect(recorded?.detail).not.toHaveProperty('licenseKeyStored');
    expect((await table.store.getRequest(requestId))?.license).not.toHaveProperty('licenseKeyLast4');
  });
});

describe('what the sweep leaves alone', () => {
  it('a decision that finished: nothing is left on the index', async () => {
    await givenTask();

    const result = await post(sound);

    expect(result.state).toBe('recorded');
    expect((await undelivered()).map((t) => t.taskId)).not.toContain(taskId);
    expect(await sweepAt(minutes(2))).toEqual(nothingDone);
    expect(sfn.delivered).toHaveLength(1);
    expect(emailsToRequester()).toHaveLength(1);
  });

  it('a claim released because Step Functions was throttled: the approver retries, nothing to sweep', async () => {
    await givenTask();
    sfn.failWith = 'ThrottlingException';

    const result = await post(sound);

    expect(result.state).toBe('not-recorded');
    expect((await table.store.getTask(taskId))?.status).toBe('PENDING');
    expect((await table.store.getTask(taskId))?.delivery).toBeUndefined();
    expect((await undelivered()).map((t) => t.taskId)).not.toContain(taskId);
    sfn.failWith = undefined;
    expect(await sweepAt(minutes(2))).toEqual(nothingDone);
  });

  it('a decision too late for its step (timed out): marked, off the index', async () => {
    await givenTask();
    sfn.waits.set(token, 'timed-out');

    const result = await post(sound);

    expect(result.state).toBe('too-late');
    expect((await undelivered()).map((t) => t.taskId)).not.toContain(taskId);
  });

  it('the recover-requests Lambda runs the decision sweep with the request sweep', async () => {
    await givenTask();
    await post(sound, dyingDeps('sfn'));
    clock = minutes(2);

    const result = await recoverRequests(
      {},
      {
        ...deps(),
        store: table.store,
        stateMachineArn: 'arn:aws:states:::stateMachine:x',
        stewardship: { sfn, stateMachineArn: 'arn:aws:states:::stateMachine:stewardship' },
      },
    );

    expect(result.decisions).toMatchObject({ delivered: [taskId], failed: [] });
  });
});

describe('waitEnded: "the wait is over" after a crash, decided from what the store knows', () => {
  const task = { taskId: 'T1', expiresAt: '2026-12-12T10:00:00.000Z' } as TaskRecord;
  const request = { status: 'IN_REVIEW' } as RequestRecord;
  const recorded = [{ type: 'DECISION_RECORDED', detail: { taskId: 'T1' } }] as unknown as AuditEvent[];
  const beforeDeadline = new Date('2026-12-01T10:00:00.000Z');
  const afterDeadline = new Date('2026-12-13T10:00:00.000Z');

  it('its DECISION_RECORDED in the trail: delivered, even after the deadline', () => {
    expect(waitEnded(task, request, recorded, afterDeadline)).toBe('delivered');
  });
  it('the deadline still ahead: only a decision ends a wait before it, so delivered (also once closed)', () => {
    expect(waitEnded(task, request, [], beforeDeadline)).toBe('delivered');
    expect(waitEnded(task, { status: 'APPROVED' } as RequestRecord, [], beforeDeadline)).toBe('delivered');
  });
  it('past the deadline, or within its margin, without the audit event: timed out', () => {
    expect(waitEnded(task, request, [], afterDeadline)).toBe('timed-out');
    expect(waitEnded(task, request, [], new Date('2026-12-12T09:30:00.000Z'))).toBe('timed-out');
  });
  it('a workflow stopped by an error: timed out (the decision cannot be shown to have counted)', () => {
    expect(waitEnded(task, { status: 'ERROR' } as RequestRecord, [], beforeDeadline)).toBe('timed-out');
  });
});
