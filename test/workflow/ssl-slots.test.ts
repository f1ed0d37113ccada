/**
 * Issue 22: one limit on SSL Labs across all executions. When check-ssl finds every SSL Labs slot
 * taken it answers `slotWait`; the state machine Waits (a Wait state on the local clock, not a busy
 * Lambda) and tries again with the waits so far, until a slot is free and the scan runs as usual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { CheckSslOutput } from '#shared/workflow/payloads.ts';
import {
  ANNUAL_RENEWAL_ASL,
  createFlow,
  decision,
  manualClock,
  requestInput,
  resource,
  sslResult,
} from './harness.ts';

let flow: ReturnType<typeof createFlow>;
afterEach(() => flow?.abort());

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** check-ssl's answer while every slot is taken. */
const noSlot = (waits: number, waitSeconds: number): CheckSslOutput =>
  sslResult({
    finished: false,
    passed: false,
    grade: undefined,
    endpoints: [],
    reason: 'Waiting for SSL Labs: 25 of its 25 assessments are in flight',
    nextPollSeconds: waitSeconds,
    polls: 0,
    slotWait: { waits, queuedAt: '2027-08-20T09:00:00.000Z', waitSeconds },
  });

const renewalPlan = () => ({
  requestId: 'SR-20261128-TEST0001',
  dpaRenewalDue: false,
  sslRetestDue: true,
  vendorContactEmail: 'privacy@vendor.example',
  url: 'https://app.example.com',
  websites: ['app.example.com'],
});

describe('SOP 17 in a renewal wave: SSL Labs slots full', () => {
  it('the renewal waits on the clock for a slot, tries again with its waits, then re-tests and renews', async () => {
    // Prepare: no slot twice (30 s, then 45 s), then a slot and a passing grade
    const clock = manualClock();
    flow = createFlow({
      file: ANNUAL_RENEWAL_ASL,
      timers: clock.timers,
      functions: {
        PlanRenewalFunctionArn: renewalPlan,
        CheckSslFunctionArn: (_p, call) => [noSlot(1, 30), noSlot(2, 45)][call] ?? sslResult(),
      },
    });

    // Act
    flow.start({ requestId: 'SR-20261128-TEST0001' });
    await settle();
    expect(flow.statesEntered().at(-1)).toBe('WaitForSslRetestSlot');
    clock.advance(29_000);
    await settle();
    expect(flow.callsTo('CheckSslFunctionArn')).toHaveLength(1);
    clock.advance(1000);
    await settle();
    expect(flow.callsTo('CheckSslFunctionArn')).toHaveLength(2);
    clock.advance(45_000);
    const { output } = await flow.finish();

    // Assess
    expect(output).toEqual({ outcome: 'RENEWED', requestId: 'SR-20261128-TEST0001' });
    expect(flow.callsTo('CheckSslFunctionArn')).toEqual([
      { requestId: 'SR-20261128-TEST0001', websites: ['app.example.com'] },
      {
        requestId: 'SR-20261128-TEST0001',
        websites: ['app.example.com'],
        slotWait: { waits: 1, queuedAt: '2027-08-20T09:00:00.000Z', waitSeconds: 30 },
      },
      {
        requestId: 'SR-20261128-TEST0001',
        websites: ['app.example.com'],
        slotWait: { waits: 2, queuedAt: '2027-08-20T09:00:00.000Z', waitSeconds: 45 },
      },
    ]);
    const waits = flow
      .events()
      .filter((e) => e.type === 'StateEntered' && e.stateName === 'WaitForSslRetestSlot');
    expect(waits.map((e) => e.stateType)).toEqual(['Wait', 'Wait']);
    expect(flow.statesEntered()).not.toContain('WaitForSslRetest');
  });

  it('SOP 5: a request in vetting waits for a slot the same way, then continues to approval', async () => {
    const clock = manualClock();
    flow = createFlow({
      timers: clock.timers,
      functions: { CheckSslFunctionArn: (_p, call) => (call === 0 ? noSlot(1, 20) : sslResult()) },
    });
    flow.start(requestInput({ resource: resource({ usesWebsite: true, url: 'https://app.example.com' }) }));
    await flow.decide(
      'privacy-review',
      decision('acceptable', { studentDataRequired: false, websites: ['app.example.com'] }),
    );
    await settle();
    expect(flow.statesEntered().at(-1)).toBe('WaitForSslScanSlot');

    clock.advance(20_000);
    await flow.task('curriculum-review');

    expect(flow.statesEntered()).toContain('StartSslScanWithSlot');
    expect(flow.callsTo('CheckSslFunctionArn')[1]).toMatchObject({ slotWait: { waits: 1 } });
  });
});
