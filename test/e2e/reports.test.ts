/**
 * Technology Services' reports (issue 21) over the running product: requests whose steps take known
 * numbers of days (the process's clock moved between decisions; the handlers run in this process) give
 * exactly those counts, medians, 90th percentiles, lead times, denials and overdue tasks in
 * /reports/summary.json, and the decided tasks in /reports/tasks.csv.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { fieldOf } from '#shared/core/guards.ts';
import { PRIVACY_OK, simpleRequestBody, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('reports');
const DAY = 86_400_000;

const simple = simpleRequestBody;
const privacyOk = PRIVACY_OK;

afterAll(() => {
  vi.useRealTimers();
});

interface Step {
  kind: string;
  decided: number;
  medianDays: number | null;
  p90Days: number | null;
  withinSlaPct: number | null;
  pendingNow: number;
  overdueNow: number;
}

describe('the reports count what happened, in days on the clock', () => {
  it('gives the counts, medians, lead times, denials and overdue tasks of known step durations', async () => {
    const t0 = Date.now();
    vi.useFakeTimers({ toFake: ['Date'] });
    const day = (d: number) => vi.setSystemTime(new Date(t0 + d * DAY));
    day(0);
    const approved = await env.client.submit(simple('Reports approved'));
    const denied = await env.client.submit(simple('Reports denied'));
    const waiting = await env.client.submit(simple('Reports waiting'));
    await env.client.nextTask(waiting, 'privacy-review');

    day(1);
    await env.client.complete(denied, 'privacy-review', {
      decision: 'unacceptable',
      comment: 'The policy sells student data',
      studentDataRequired: 'no',
      vendorContactEmail: 'privacy@vendor.example',
    });
    await env.client.waitForStatus(denied, 'DENIED');
    day(3);
    await env.client.complete(approved, 'privacy-review', privacyOk);
    day(5);
    await env.client.complete(approved, 'curriculum-review', { decision: 'approve' });
    day(6);
    await env.client.complete(approved, 'technical-review', { decision: 'sound' });
    day(10);
    await env.client.complete(approved, 'installation', { decision: 'installed' });
    await env.client.waitForStatus(approved, 'APPROVED');
    await env.client.settled(approved);

    day(11);
    const res = await env.client.json<Record<string, unknown>>('/reports/summary.json');
    expect(res.status).toBe(200);
    const summary = res.body;
    expect(fieldOf(summary, 'requests')).toEqual({
      submitted: 3,
      approved: 1,
      denied: 1,
      inReview: 1,
      error: 0,
    });
    const steps = fieldOf(summary, 'steps');
    const step = (kind: string): Step | undefined =>
      Array.isArray(steps) ? steps.find((s) => fieldOf(s, 'kind') === kind) : undefined;
    expect(step('privacy-review')).toMatchObject({
      decided: 2,
      medianDays: 1,
      p90Days: 3,
      withinSlaPct: 100,
      pendingNow: 1,
      // The waiting request's privacy review was assigned 11 days ago: past its 10-day service level.
      overdueNow: 1,
    });
    expect(step('curriculum-review')).toMatchObject({ decided: 1, medianDays: 2, p90Days: 2 });
    expect(step('technical-review')).toMatchObject({ decided: 1, medianDays: 1 });
    expect(step('installation')).toMatchObject({ decided: 1, medianDays: 4, withinSlaPct: 100 });
    expect(fieldOf(summary, 'leadTime')).toEqual({ medianDays: 1, p90Days: 10 });
    // A denied vetting is closed at SOP step 6 (the status is published Not Approved), with its reason.
    expect(fieldOf(summary, 'denials')).toEqual([
      { sopStep: 6, reason: "The resource's privacy policy is not acceptable", count: 1 },
    ]);

    const csv = await (await env.client.fetch('/reports/tasks.csv')).text();
    const rows = csv.trim().split('\n');
    expect(rows[0]).toBe(
      'taskId,requestId,kind,team,sopStep,assignedAt,decidedAt,days,serviceLevelDays,withinServiceLevel,decision,decidedBy',
    );
    expect(rows.filter((r) => r.includes(approved))).toHaveLength(4);
    expect(rows.find((r) => r.includes(approved) && r.includes('installation'))).toContain(
      ',4.00,14,true,installed,',
    );

    // The weekly digest (run as the schedule runs it) tells Technology Services of the overdue review.
    const runs = await env.runtime.runScheduledFunctions();
    expect(runs['weekly-digest']).toMatchObject({ overdue: 1, sent: 2 });
    const digest = (await env.runtime.outbox()).find((e) =>
      e.to.includes('technology-services@district.example'),
    );
    expect(digest?.subject).toMatch(/^Software requests, week \d{4}-W\d{2}: 1 overdue$/);
    expect(digest?.text).toContain('Review the resource');

    const page = await env.client.fetch('/reports', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(
      '<title id="steps-title">Days from assignment to decision, by step</title>',
    );
  }, 120_000);
});
