/**
 * End to end: the local runtime stops and starts again on the same data folder. Requests, registry,
 * audit trail, outbox and execution histories survive; an execution that was waiting for a person is
 * resumed from its journal (nothing is done twice: no task email, audit event or SSL scan is repeated)
 * and the link emailed before the restart still records the decision.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#local/runtime.ts';
import {
  Client,
  eventually,
  removeDataDir,
  requestBody,
  startTestRuntime,
  type TaskLink,
  tempDataDir,
} from './helpers.ts';

const dataDir = tempDataDir('restart');
let runtime: LocalRuntime | undefined;

afterAll(async () => {
  await runtime?.stop();
  removeDataDir(dataDir);
});

const privacyOk = {
  decision: 'acceptable',
  studentDataRequired: 'no',
  vendorContactEmail: 'privacy@vendor.example',
};

describe('TS-PE-535 end to end: restart of the local runtime', () => {
  let approvedId: string;
  let waitingId: string;
  let curriculumLink: TaskLink;
  let before: {
    approved: Awaited<ReturnType<Client['request']>>;
    waiting: Awaited<ReturnType<Client['request']>>;
    approvedEvents: number;
    waitingEvents: number;
    outbox: number;
    registry: Awaited<ReturnType<Client['registry']>>;
  };

  beforeAll(async () => {
    // Prepare: one request approved, one waiting for its curriculum review, then a clean stop
    runtime = await startTestRuntime(dataDir);
    const client = new Client(runtime);
    approvedId = await client.submit(
      requestBody({
        resourceName: 'Spelling Bee',
        resourceUrl: undefined,
        resourceKind: 'application',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    );
    await client.complete(approvedId, 'privacy-review', privacyOk);
    await client.complete(approvedId, 'curriculum-review', { decision: 'approve' });
    await client.complete(approvedId, 'technical-review', { decision: 'sound' });
    await client.complete(approvedId, 'installation', { decision: 'installed' });
    await client.waitForStatus(approvedId, 'APPROVED');
    await client.waitForExecution(approvedId, 'SUCCEEDED');

    waitingId = await client.submit(
      requestBody({
        resourceName: 'Planet Tour',
        resourceUrl: 'https://planettour.example.com',
        resourceKind: 'web-service',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    );
    await client.complete(waitingId, 'privacy-review', privacyOk);
    curriculumLink = await client.nextTask(waitingId, 'curriculum-review');
    before = {
      approved: await client.request(approvedId),
      waiting: await client.request(waitingId),
      approvedEvents: (await client.execution(approvedId)).events.length,
      waitingEvents: (await client.execution(waitingId)).events.length,
      outbox: (await client.outbox()).length,
      registry: await client.registry(),
    };
    await runtime.stop();

    runtime = await startTestRuntime(dataDir);
  });

  it('requests, registry, audit trail, outbox and finished execution histories are still there', async () => {
    const client = new Client(runtime as LocalRuntime);

    expect(await client.request(approvedId)).toEqual(before.approved);
    expect(await client.request(waitingId)).toEqual(before.waiting);
    expect(await client.registry()).toEqual(before.registry);
    expect((await client.outbox()).length).toBe(before.outbox);
    const approved = await client.execution(approvedId);
    expect(approved.status).toBe('SUCCEEDED');
    expect(approved.events).toHaveLength(before.approvedEvents);
    expect(approved.history.at(-1)).toMatchObject({ type: 'ExecutionSucceeded' });
  });

  it('the waiting execution is resumed from its journal without repeating any task', async () => {
    const client = new Client(runtime as LocalRuntime);

    expect(runtime?.resumed.map((r) => r.name)).toEqual([waitingId]);
    const resumed = await eventually('the replay to reach the open wait', async () => {
      const d = await client.execution(waitingId);
      return d.replaying ? undefined : d;
    });
    expect(resumed.status).toBe('RUNNING');
    expect(resumed.waitingFor).toEqual(['CurriculumReview']);
    expect(resumed.resumes).toHaveLength(1);
    expect(resumed.events.filter((e) => e.type === 'ExecutionResumed')).toHaveLength(1);
    expect(
      resumed.events.filter((e) => e.type === 'StateEntered' && e.stateName === 'StartSecurityVetting'),
    ).toHaveLength(1);
    expect(resumed.history.map((e) => e.type)).toContain('ExecutionResumed');
    // nothing was sent, recorded or scanned again
    expect((await client.outbox()).length).toBe(before.outbox);
    expect(await client.request(waitingId)).toEqual(before.waiting);
    expect(runtime?.fakeSslLabs?.calls).toEqual([]);
  });

  it('the link emailed before the restart records the decision and the request goes on to approval', async () => {
    const client = new Client(runtime as LocalRuntime);

    const page = await client.open(curriculumLink);
    const decided = await client.decide(curriculumLink, { decision: 'approve' });
    await client.complete(waitingId, 'technical-review', { decision: 'sound' });
    await client.complete(waitingId, 'installation', { decision: 'installed' });

    expect(page.status).toBe(200);
    expect(decided.status).toBe(200);
    await client.waitForStatus(waitingId, 'APPROVED');
    const done = await client.waitForExecution(waitingId, 'SUCCEEDED');
    expect(done.output).toMatchObject({ outcome: 'APPROVED' });
    const curriculumEmails = (await client.outbox()).filter(
      (e) => e.subject.includes(waitingId) && e.subject.includes('Curriculum review'),
    );
    expect(curriculumEmails).toHaveLength(1);
  });
});
