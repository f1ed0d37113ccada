/**
 * End to end: a human step is reminded on schedule (docs/design.md "reminders and escalation are
 * scheduled, not polled inside the execution"). assign-task creates one-time schedules on the local
 * EventBridge Scheduler; advancing the local clock past half the wait invokes remind-task, which
 * emails the team a new link and retires the old one.
 */
import { describe, expect, it } from 'vitest';
import { eventually, parseTaskLink, requestBody, type TaskLink, TEAM, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('reminders');

interface ClockView {
  now: string;
  pending: { name: string; dueAt: string | null; target: string }[];
  fired?: { name: string; invoked?: string; executionArn?: string; error?: string }[];
}

describe('TS-PE-535 end to end: reminders for human steps', () => {
  it('SOP 4: after 8 of 14 days the team is reminded with a new link; the old link says it was replaced; the new one decides', async () => {
    // Prepare: a request waiting for the privacy review, with its reminders scheduled
    const requestId = await env.client.submit(
      requestBody({
        resourceName: 'Tide Tables',
        resourceUrl: 'https://tidetables.example.com',
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    );
    const first = await env.client.nextTask(requestId, 'privacy-review');
    // assign-task schedules the reminders after it sends the email: wait for the schedules themselves.
    const reminders = await eventually(
      'both reminder schedules',
      async () => {
        const pending = (await env.client.json<ClockView>('/_local/clock')).body.pending.filter((p) =>
          p.name.startsWith(`remind-${first.taskId}-`),
        );
        return pending.length === 2 ? pending : undefined;
      },
      { seen: async () => (await env.client.json<ClockView>('/_local/clock')).body.pending },
    );
    expect(reminders.map((r) => r.name).sort()).toEqual([
      `remind-${first.taskId}-1`,
      `remind-${first.taskId}-2`,
    ]);
    expect(reminders.every((r) => r.target.endsWith(':function:software-request-remind-task'))).toBe(true);

    // Act: 8 days pass on the local clock (the first reminder is due on day 7)
    const advanced = await env.client.json<ClockView>('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceDays: 8 }),
    });

    // Assess: remind-task ran and the team got a reminder for the same task with a new link
    expect(advanced.status).toBe(200);
    // (the watch's recurring schedules, issue 22, fire on the same clock)
    expect(advanced.body.fired?.filter((f) => !f.name.startsWith('watch-'))).toEqual([
      expect.objectContaining({
        name: `remind-${first.taskId}-1`,
        invoked: expect.stringContaining(':function:software-request-remind-task'),
      }),
    ]);
    const reminder: TaskLink = await eventually(
      'the reminder email',
      async () => {
        const email = (await env.client.emailsTo(TEAM.cybersecurity, requestId)).find((e) =>
          e.subject.startsWith('Reminder: decision due by'),
        );
        return email ? parseTaskLink(email) : undefined;
      },
      { seen: async () => (await env.client.outbox()).map((e) => e.subject) },
    );
    expect(reminder.taskId).toBe(first.taskId);
    expect(reminder.secret).not.toBe(first.secret);
    expect(reminder.email.text).toContain('links in earlier emails about this step no longer work');
    expect((await env.client.request(requestId)).timeline.map((t) => t.type)).toContain('TASK_REMINDED');

    // the old link's page says it was replaced; a decision through it changes nothing
    const oldPage = await env.client.open(first);
    expect(oldPage.status).toBe(410);
    expect(oldPage.html).toContain('This link was replaced by a newer reminder email');
    const oldPost = await env.client.decide(first, {
      decision: 'acceptable',
      studentDataRequired: 'no',
      vendorContactEmail: 'privacy@tide.example',
    });
    expect(oldPost.status).toBe(410);

    // the new link decides, and the flow continues to the next step
    expect((await env.client.open(reminder)).status).toBe(200);
    const decided = await env.client.decide(reminder, {
      decision: 'acceptable',
      studentDataRequired: 'no',
      vendorContactEmail: 'privacy@tide.example',
    });
    expect(decided.status).toBe(200);
    const next = await env.client.nextTask(requestId, 'curriculum-review');
    expect(next.email.to).toEqual([TEAM.instructionalTechnology]);

    // the second reminder of the decided step fires later and sends nothing
    const emailsBefore = (await env.client.outbox()).length;
    const later = await env.client.json<ClockView>('/_local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceDays: 5 }),
    });
    expect(later.body.fired?.map((f) => f.name)).toContain(`remind-${first.taskId}-2`);
    expect(later.body.fired?.every((f) => !f.error)).toBe(true);
    const reminded = (await env.client.outbox())
      .slice(emailsBefore)
      .filter((e) => e.subject.startsWith('Reminder:'));
    expect(reminded).toEqual([]);
  });
});
