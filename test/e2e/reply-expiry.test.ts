/**
 * End to end, over HTTP: a question's reply link expires (SOP 4 "work with the vendor to answer
 * questions as needed"; cdk.json humanStepDeadlineDays.answer = 7). The local clock drives the wait:
 * 6 days on the link still opens; 8 days on the review has gone on without an answer, and the reply
 * link — GET and POST, HTML and JSON — answers 410 and changes nothing: no audit event, no answer, no
 * email, no execution event. The team's new task link says that no answer came, and decides.
 */
import { describe, expect, it } from 'vitest';
import { requestBody, TEAM, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('reply-expiry');

const REQUESTER = 'maria.lopez@district.example';
const QUESTION = 'Which TEKS does the unit on fractions cover?';

describe('SOP 4: a reply link past its 7 days', () => {
  it('answers 410 and changes nothing; the review resumes with a new task link that says no answer came', async () => {
    // Prepare: curriculum asks the requester a question
    const requestId = await env.client.submitAndPassPrivacyReview(
      requestBody({
        cost: 0,
        resourceUrl: undefined,
        resourceKind: 'software',
        studentDataShared: false,
        studentDataElements: undefined,
      }),
      { vendorContactEmail: 'privacy@fractions.example' },
    );
    await env.client.complete(requestId, 'curriculum-review', { decision: 'ask', question: QUESTION });
    const reply = await env.client.nextReply(requestId, REQUESTER);
    await env.client.settled(requestId);

    // 6 days on: the reply link still opens (the wait is 7 days)
    await env.client.advanceDays(6);
    expect((await env.client.open(reply)).status).toBe(200);
    expect((await env.client.execution(requestId)).waitingFor).toEqual(['AwaitCurriculumReviewAnswer']);

    // Act: 2 more days, past the reply's deadline
    await env.client.advanceDays(2);

    // Assess: the wait timed out and the review resumed with a new task link
    const again = await env.client.nextTask(requestId, 'curriculum-review');
    const before = await env.client.settled(requestId);
    const execution = await env.client.execution(requestId);
    expect(execution.waitingFor).toEqual(['CurriculumReview']);
    expect(execution.history.map((e) => e.type)).toContain('TaskTimedOut');
    expect(again.email.to).toEqual([TEAM.instructionalTechnology]);
    expect(again.email.text).toContain(`Your question: ${QUESTION}`);
    expect(again.email.text).toContain('Answer: No answer arrived before the reply link expired');
    const outboxBefore = (await env.client.outbox()).length;
    const eventsBefore = execution.events.length;

    // The reply link now refuses, whatever its own expiry (real time) says, and changes nothing
    const page = await env.client.open(reply);
    expect(page.status).toBe(410);
    expect(page.html).toContain('This reply link has expired');
    expect(page.html).not.toContain('<textarea');
    const late = await env.client.answer(reply, { answer: 'Math 4.3(A).', decidedBy: 'Maria Lopez' });
    expect(late.status).toBe(410);
    expect(late.html).toContain('Nothing was recorded.');
    const asJson = await env.client.json<{ state: string; recorded: boolean }>(`/replies/${reply.taskId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ t: reply.secret, decision: 'answered', answer: 'Again.', decidedBy: 'Maria' }),
    });
    expect(asJson).toEqual({
      status: 410,
      body: expect.objectContaining({ state: 'expired', recorded: false }),
    });
    // a forged secret still learns nothing about the link
    expect(
      (await env.client.answer({ ...reply, secret: 'forged' }, { answer: 'x', decidedBy: 'Eve' })).status,
    ).toBe(403);

    const after = await env.client.settled(requestId);
    expect(after).toEqual(before);
    expect(after.timeline.map((t) => t.type)).not.toContain('DECISION_TOO_LATE');
    expect(after.timeline.filter((t) => /answered/.test(t.summary))).toEqual([]);
    expect((await env.client.outbox()).length).toBe(outboxBefore);
    expect((await env.client.execution(requestId)).events.length).toBe(eventsBefore);

    // The team's new link shows the question and that no answer came, and decides as usual
    const taskPage = await env.client.open(again);
    expect(taskPage.status).toBe(200);
    expect(taskPage.html).toContain(QUESTION);
    expect(taskPage.html).toContain('No answer arrived before the reply link expired');
    expect((await env.client.decide(again, { decision: 'approve' })).status).toBe(200);
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });
    const approved = await env.client.waitForStatus(requestId, 'APPROVED');
    expect(approved.timeline.filter((t) => /answered/.test(t.summary))).toEqual([]);
    // the expired link stays refused after the request finished
    expect((await env.client.open(reply)).status).toBe(410);
  });
});
