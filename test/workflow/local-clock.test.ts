/**
 * Issue 12 item 8: in the local runtime every wait follows the local clock. Human-step deadlines come
 * from configuration (cdk.json humanStepDeadlineDays) and fire when the clock passes them, however far
 * away (no 24.8-day Node timer ceiling); Wait states (SSL Labs polls) end when the clock reaches their
 * time. Nothing here waits in real time: the clock is moved by the test, as POST /_local/clock moves it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE_DAYS } from '#shared/workflow/deadlines.ts';
import { createFlow, decision, manualClock, requestInput, resource, sslResult } from './harness.ts';

let flow: ReturnType<typeof createFlow>;
afterEach(() => flow?.abort());

/** Lets the engine run whatever is ready (handlers, timers of 0 ms) before the test looks. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe('human-step deadlines on the local clock', () => {
  it('SOP 4: a privacy review still waits after 13 days and times out once the clock passes 14', async () => {
    const clock = manualClock();
    flow = createFlow({ timers: clock.timers });
    flow.start(requestInput());
    const task = await flow.task('privacy-review');

    clock.advanceDays(13);
    await settle();
    expect(flow.statesEntered().at(-1)).toBe('PrivacyPolicyReview');

    clock.advanceDays(2);
    const { output } = await flow.finish();
    expect(output).toMatchObject({ outcome: 'DENIED', closedBecause: 'TIMEOUT', deniedAtStep: 4 });
    expect((output as { reason: string }).reason).toContain('within 14 days');
    expect(() => flow.tokens.succeed(task.token, JSON.stringify(decision('acceptable')))).toThrow(
      expect.objectContaining({ name: 'TaskTimedOut' }),
    );
  });

  it('a configured deadline past 24.8 days (90 days for the DPA) holds until the clock passes it', async () => {
    const clock = manualClock();
    flow = createFlow({ timers: clock.timers, deadlines: { ...DEFAULT_DEADLINE_DAYS, 'dpa-signature': 90 } });
    flow.start(requestInput());
    await flow.decide(
      'privacy-review',
      decision('acceptable', { studentDataRequired: true, vendorContactEmail: 'privacy@vendor.example' }),
    );
    const dpa = await flow.task('dpa-signature');
    expect(dpa.payload.timeoutSeconds).toBe(90 * 86_400);

    clock.advanceDays(30);
    await settle();
    expect(flow.statesEntered().at(-1)).toBe('AwaitSignedDpa');
    clock.advanceDays(59);
    await settle();
    expect(flow.statesEntered().at(-1)).toBe('AwaitSignedDpa');

    clock.advanceDays(2);
    const { output } = await flow.finish();
    // SOP 6: no signed DPA in time fails security vetting (a denial, published as not approved).
    expect(output).toMatchObject({ outcome: 'DENIED' });
    expect(flow.statesEntered()).toContain('AwaitSignedDpaTimedOut');
    expect((output as { reason: string }).reason).toContain('within 90 days');
  });

  it('a decision before the deadline wins; moving the clock afterwards changes nothing', async () => {
    const clock = manualClock();
    flow = createFlow({ timers: clock.timers });
    flow.start(requestInput());
    clock.advanceDays(13);
    await flow.decide('privacy-review', decision('acceptable', { studentDataRequired: false }));
    await flow.task('curriculum-review');
    clock.advanceDays(2);
    await settle();
    expect(flow.statesEntered()).not.toContain('PrivacyPolicyReviewTimedOut');
    expect(flow.statesEntered().at(-1)).toBe('CurriculumReview');
    expect(clock.timers.size).toBe(1);
  });
});

describe('Wait states on the local clock', () => {
  it('SOP 5: the wait before an SSL Labs poll ends when the clock reaches it, not before', async () => {
    const clock = manualClock();
    flow = createFlow({
      timers: clock.timers,
      functions: {
        CheckSslFunctionArn: (_p, call) =>
          call === 0
            ? sslResult({ finished: false, passed: false, grade: undefined, nextPollSeconds: 3600, polls: 1 })
            : sslResult({ polls: 2 }),
      },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide(
      'privacy-review',
      decision('acceptable', { studentDataRequired: false, websites: ['app.example.com'] }),
    );
    await settle();
    expect(flow.statesEntered().at(-1)).toBe('WaitForSslScan');

    clock.advance(3_599_000);
    await settle();
    expect(flow.callsTo('CheckSslFunctionArn')).toHaveLength(1);

    clock.advance(1000);
    await flow.task('curriculum-review');
    expect(flow.callsTo('CheckSslFunctionArn')).toHaveLength(2);
    const waitEvents = flow.events().filter((e) => e.stateName === 'WaitForSslScan');
    expect(waitEvents.map((e) => e.stateType)).toEqual(['Wait', 'Wait']);
  });
});
