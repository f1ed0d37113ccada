/**
 * End to end, over HTTP: SOP 4 "the Cybersecurity team will work with the vendor to answer questions
 * as needed" and SOP 3/7 re-routing. A review asks the requester (or the vendor) a question; the
 * reply link follows the task links' rules (GET changes nothing, once only, forged links refused);
 * the answer joins the audit trail and the team gets a new task link showing question and answer.
 */
import { describe, expect, it } from 'vitest';
import { requestBody, TEAM, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('questions');

const REQUESTER = 'maria.lopez@district.example';
const VENDOR = 'privacy@fractions.example';
const free = { cost: 0, resourceUrl: undefined, resourceKind: 'software', studentDataShared: false };
const studentDataElements = undefined;

describe('SOP 4: a review asks a question through a single-use reply link', () => {
  it('curriculum asks the requester: reply page, answer once, the team sees question and answer, then approves', async () => {
    const requestId = await env.client.submitAndPassPrivacyReview(
      requestBody({ ...free, studentDataElements }),
      {
        vendorContactEmail: VENDOR,
      },
    );
    await env.client.complete(requestId, 'curriculum-review', {
      decision: 'ask',
      question: 'Which TEKS does the unit on fractions cover?',
    });

    // The requester is emailed a reply link (not a task link).
    const reply = await env.client.nextReply(requestId, REQUESTER);
    expect(reply.email.text).toContain('Which TEKS does the unit on fractions cover?');

    // Opening it shows the question and changes nothing.
    const before = await env.client.settled(requestId);
    const page = await env.client.open(reply);
    expect(page.status).toBe(200);
    expect(page.html).toContain('Which TEKS does the unit on fractions cover?');
    expect(await env.client.request(requestId)).toEqual(before);

    // Forged, misplaced and incomplete links are refused and change nothing.
    expect((await env.client.open({ ...reply, path: `/replies/${reply.taskId}?t=forged` })).status).toBe(403);
    expect(
      (await env.client.open({ ...reply, path: `/tasks/${reply.taskId}?t=${reply.secret}` })).status,
    ).toBe(404);
    expect(
      (await env.client.answer({ ...reply, secret: 'forged' }, { answer: 'x', decidedBy: 'Eve' })).status,
    ).toBe(403);
    expect((await env.client.answer(reply, { decidedBy: 'Maria Lopez' })).status).toBe(400);

    // The answer is accepted once; a replay is refused.
    const answered = await env.client.answer(reply, {
      answer: 'Math 4.3(A) to 4.3(G).',
      decidedBy: 'Maria Lopez',
    });
    expect(answered.status).toBe(200);
    const replay = await env.client.answer(reply, { answer: 'Something else', decidedBy: 'Maria Lopez' });
    expect(replay.status).toBe(409);

    // The team gets a new task link; its email and page show the question and the answer.
    const again = await env.client.nextTask(requestId, 'curriculum-review');
    expect(again.email.text).toContain('Your question: Which TEKS does the unit on fractions cover?');
    expect(again.email.text).toContain('Answer: Math 4.3(A) to 4.3(G).');
    expect((await env.client.open(again)).html).toContain('Math 4.3(A) to 4.3(G).');

    await env.client.decide(again, { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });
    const view = await env.client.waitForStatus(requestId, 'APPROVED');

    // The answer is in the audit trail.
    expect(view.timeline).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'QUESTION_SENT', sopStep: 8 }),
        expect.objectContaining({
          type: 'DECISION_RECORDED',
          summary: expect.stringMatching(/requester answered/),
        }),
      ]),
    );
  });

  it('Cybersecurity asks the vendor at its privacy contact; the answer comes back to the privacy review', async () => {
    const requestId = await env.client.submit(
      requestBody({ ...free, studentDataElements, resourceName: 'Decimal Dash' }),
    );
    await env.client.complete(requestId, 'privacy-review', {
      decision: 'ask',
      question: 'Do you sell or share student data with third parties?',
      recipient: 'vendor',
      vendorContactEmail: VENDOR,
    });
    const reply = await env.client.nextReply(requestId, VENDOR);
    expect(reply.email.to).toEqual([VENDOR]);
    expect((await env.client.answer(reply, { answer: 'Never.', decidedBy: 'Pat Vendor' })).status).toBe(200);

    const again = await env.client.nextTask(requestId, 'privacy-review');
    expect(again.email.to).toEqual([TEAM.cybersecurity]);
    expect(again.email.text).toContain('Answer: Never.');
  });
});

describe('SOP 3/7: a review sends the request to the other review, once per request', () => {
  it('DII re-routes an "administrative" classroom tool to curriculum approval; curriculum cannot send it back', async () => {
    const requestId = await env.client.submitAndPassPrivacyReview(
      requestBody({
        ...free,
        studentDataElements,
        requestType: 'administrative',
        resourceName: 'Seat Planner',
      }),
      { vendorContactEmail: VENDOR },
    );
    // A re-routing must say why.
    const admin = await env.client.nextTask(requestId, 'administrative-review');
    expect((await env.client.decide(admin, { decision: 'reroute' })).status).toBe(400);
    expect(
      (await env.client.decide(admin, { decision: 'reroute', comment: 'Students use it in class' })).status,
    ).toBe(200);

    const curriculum = await env.client.nextTask(requestId, 'curriculum-review');
    const page = await env.client.open(curriculum);
    expect(page.html).not.toContain('value="reroute"');
    expect(page.html).toContain('already sent to the other approval review');
    expect(
      (await env.client.decide(curriculum, { decision: 'reroute', comment: 'Back to DII' })).status,
    ).toBe(400);
    await env.client.decide(curriculum, { decision: 'approve' });
    await env.client.complete(requestId, 'technical-review', { decision: 'sound' });
    await env.client.complete(requestId, 'installation', { decision: 'installed' });
    await env.client.waitForStatus(requestId, 'APPROVED');

    const execution = await env.client.waitForExecution(requestId, 'SUCCEEDED');
    const entered = execution.events.filter((e) => e.type === 'StateEntered').map((e) => e.stateName);
    expect(entered).toEqual(
      expect.arrayContaining(['AdministrativeReview', 'RerouteToCurriculumReview', 'CurriculumReview']),
    );
  });
});
