/**
 * End to end: SOP 17 on the local runtime. Approving a website schedules its annual renewal on the
 * (local) EventBridge Scheduler; advancing the local clock a year starts the annual-renewal state
 * machine, which re-tests the SSL grade and keeps the resource Approved until next year.
 */
import { describe, expect, it } from 'vitest';
import { eventually, requestBody, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('renewal');

interface ClockView {
  now: string;
  pending: { name: string; dueAt: string | null; target: string }[];
  fired?: { name: string; executionArn?: string; error?: string }[];
}

describe('TS-PE-535 end to end: annual renewal', () => {
  it('SOP 17: a year after approval the renewal starts, re-tests the SSL grade and schedules the next one', async () => {
    // Prepare: an approved, free website without student data
    const requestId = await env.client.submitAndPassPrivacyReview(
      requestBody({
        resourceName: 'Star Chart',
        resourceUrl: 'https://starchart.example.com',
        resourceKind: 'web-service',
        vendorName: 'Sky Co',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
      { vendorContactEmail: 'privacy@sky.example' },
    );
    await env.client.complete(requestId, 'curriculum-review', { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });
    await env.client.waitForStatus(requestId, 'APPROVED');
    const before = (await env.client.json<ClockView>('/_local/clock')).body;
    const schedule = before.pending.find((p) => p.name.includes(requestId));
    expect(schedule?.target).toBe('arn:aws:states:us-east-1:000000000000:stateMachine:annual-renewal');
    const sslCallsBefore =
      env.runtime.fakeSslLabs?.calls.filter((c) => c.host === 'starchart.example.com').length ?? 0;

    // Act: a year and a day pass on the local clock
    const advanced = await env.client.json<ClockView>('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceDays: 366 }),
    });

    // Assess: the renewal execution started from the schedule and renewed the resource
    expect(advanced.status).toBe(200);
    // (the human steps' reminder schedules fire too, and do nothing: those steps were decided; so do
    // the watch's recurring schedules, issue 22)
    expect(
      advanced.body.fired?.filter((f) => !f.name.startsWith('remind-') && !f.name.startsWith('watch-')),
    ).toEqual([
      expect.objectContaining({
        name: schedule?.name,
        executionArn: expect.stringContaining(':annual-renewal:'),
      }),
    ]);
    const renewal = await eventually('the annual-renewal execution', async () =>
      (await env.client.executions()).find((e) => e.stateMachine === 'annual-renewal'),
    );
    const done = await env.client.waitForExecution(renewal.name, 'SUCCEEDED', 'annual-renewal');
    expect(done.input).toEqual({ requestId });
    expect(done.output).toMatchObject({ outcome: 'RENEWED', requestId });
    expect(
      env.runtime.fakeSslLabs?.calls.filter((c) => c.host === 'starchart.example.com').length,
    ).toBeGreaterThan(sslCallsBefore);
    expect(await env.client.registry('Star Chart')).toEqual([
      expect.objectContaining({ resourceName: 'Star Chart', status: 'APPROVED' }),
    ]);
    // next year's renewal is scheduled, a year after the local clock's "now", not due at once
    const after = (await env.client.json<ClockView>('/_local/clock')).body;
    const next = after.pending.find((p) => p.name.includes(requestId));
    expect(next).toBeDefined();
    expect(Date.parse(next?.dueAt ?? '')).toBeGreaterThan(Date.parse(after.now) + 300 * 86_400_000);
    // The request says it was renewed and when the next renewal is due (SOP 17).
    const view = await env.client.request(requestId);
    expect(view.status).toBe('APPROVED');
    expect(view.renewal).toMatchObject({
      status: 'RENEWED',
      // (handlers keep real time: the date is a year after the renewal ran, by the wall clock)
      dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      lastRenewedAt: expect.any(String),
    });
  });

  it('the clock only moves forward and refuses anything but advanceDays/Hours/Seconds', async () => {
    const back = await env.client.json<{ message: string }>('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceDays: -1 }),
    });
    const unknown = await env.client.json<{ message: string }>('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ days: 1 }),
    });

    expect(back.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toContain('advanceDays');
  });
});
