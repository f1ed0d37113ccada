/**
 * End to end (issue 12 item 8): the local clock drives every wait. `POST /_local/clock` with
 * `{"advanceDays": 15}` times out a 14-day privacy review at once, a review 13 days in still waits,
 * and a deadline survives a restart of the runtime (it is kept in local clock time in the journal).
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '#local/runtime.ts';
import { Client, removeDataDir, requestBody, startTestRuntime, tempDataDir } from './helpers.ts';

const dataDir = tempDataDir('local-clock');
let runtime: LocalRuntime | undefined;

afterAll(async () => {
  await runtime?.stop();
  removeDataDir(dataDir);
});

const body = (resourceName: string) =>
  requestBody({
    resourceName,
    resourceUrl: undefined,
    resourceKind: 'application',
    cost: 0,
    studentDataShared: false,
    studentDataElements: undefined,
  });

describe('TS-PE-535 end to end: human-step deadlines follow the local clock', () => {
  it('SOP 4: 13 days on, the privacy review still waits; 2 more and the request is closed for the timeout', async () => {
    // Prepare
    runtime = await startTestRuntime(dataDir);
    const client = new Client(runtime);
    const requestId = await client.submit(body('Tide Tables'));
    await client.nextTask(requestId, 'privacy-review');

    // Act: 13 days pass
    await client.advanceDays(13);
    const after13 = await client.settled(requestId);

    // Assess: still waiting for the review
    expect(after13.deniedAtStep).toBeNull();
    expect((await client.execution(requestId)).waitingFor).toEqual(['PrivacyPolicyReview']);

    // Act: 2 more days (past the 14-day deadline)
    await client.advanceDays(2);

    // Assess: closed at once, with the reason the SOP gives
    const closed = await client.waitForStatus(requestId, 'DENIED');
    expect(closed.deniedAtStep).toBe(4);
    expect(closed.reason).toContain('No decision on the privacy policy review within 14 days');
    const execution = await client.waitForExecution(requestId, 'SUCCEEDED');
    expect(execution.events.map((e) => e.stateName)).toContain('PrivacyPolicyReviewTimedOut');
  });

  it('a deadline is kept across a restart: 10 days before it, 5 after, and the review has timed out', async () => {
    // Prepare: a review 10 days into its 14, then a clean stop and a new start on the same data
    let client = new Client(runtime as LocalRuntime);
    const requestId = await client.submit(body('Star Charts'));
    await client.nextTask(requestId, 'privacy-review');
    await client.advanceDays(10);
    await client.settled(requestId);
    await runtime?.stop();
    runtime = await startTestRuntime(dataDir);
    client = new Client(runtime);
    expect((await client.execution(requestId)).waitingFor).toEqual(['PrivacyPolicyReview']);

    // Act: 5 more days (15 since the review was assigned, only 5 since the restart)
    await client.advanceDays(5);

    // Assess
    const closed = await client.waitForStatus(requestId, 'DENIED');
    expect(closed.deniedAtStep).toBe(4);
  });
});
