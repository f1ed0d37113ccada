/**
 * Issue 24, end to end on the local runtime with the limits as deployed (the per-route throttles of
 * shared/route-throttles.ts, the numbers CDK sets on API Gateway): a script floods the public form.
 * What it gets beyond the limits is 429 and starts nothing (no execution, no acknowledgement), and an
 * approver who decides through their emailed task link during the flood gets through, and the
 * request moves on. The hourly limits are lowered for this file so that the refusals do not depend
 * on how fast this machine is: a per-requester limit of 2 and a per-address limit of 20 an hour.
 */
import { describe, expect, it } from 'vitest';
import { FORM_THROTTLE } from '#shared/route-throttles.ts';
import { PRIVACY_OK, simpleRequestBody, TEAM, useTestRuntime } from './helpers.ts';

const LIMITS = { perRequesterPerHour: 2, perAddressPerHour: 20 };
const FLOOD = 40;

describe('a flood of the public form (issue 24)', () => {
  const env = useTestRuntime('flood', {
    limits: 'as-deployed',
    env: { SUBMISSION_LIMITS: JSON.stringify(LIMITS) },
  });

  const post = (body: Record<string, unknown>) =>
    env.client.fetch('/requests', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  const softwareRequests = async () =>
    (await env.client.executions()).filter((e) => e.stateMachine === 'software-request');

  it('refuses what is over the limits with 429, starting nothing, while an approver decides through their link', async () => {
    // Prepare: a teacher's request, and a third one over their hourly limit (429, Retry-After).
    const teacher = 'flood.teacher@district.example';
    const mine = simpleRequestBody('Reading Garden');
    const first = await post({ ...mine, requesterEmail: teacher });
    expect(first.status).toBe(201);
    const { requestId } = (await first.json()) as { requestId: string };
    expect((await post({ ...simpleRequestBody('Second'), requesterEmail: teacher })).status).toBe(201);
    const third = await post({ ...simpleRequestBody('Third'), requesterEmail: teacher });
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(third.headers.get('retry-after'))).toBeLessThanOrEqual(3600);
    expect(await third.json()).toEqual({ error: 'Too Many Requests', message: expect.any(String) });
    expect(await softwareRequests()).toHaveLength(2);
    const review = await env.client.nextTask(requestId, 'privacy-review');
    expect(review.email.to).toEqual([TEAM.cybersecurity]);

    // Act: the flood, each with another requester, and the approver's decision at the same time.
    const started = Date.now();
    const flooding = Promise.all(
      Array.from({ length: FLOOD }, (_, n) =>
        post({ ...simpleRequestBody(`Flood ${n}`), requesterEmail: `flood-${n}@district.example` }).then(
          async (res) => ({
            status: res.status,
            body: await res.text(),
            requester: `flood-${n}@district.example`,
          }),
        ),
      ),
    );
    const deciding = (async () => {
      const page = await env.client.open(review);
      const decided = await env.client.decide(review, PRIVACY_OK);
      return { page: page.status, decided: decided.status };
    })();
    const [answers, approver] = await Promise.all([flooding, deciding]);
    const seconds = (Date.now() - started) / 1000;

    // Assess: the approver got through, and the request moves on to its next step.
    expect(approver).toEqual({ page: 200, decided: 200 });
    const next = await env.client.nextTask(requestId, 'curriculum-review');
    expect(next.email.to).toEqual([TEAM.instructionalTechnology]);

    // Only 201 or 429; never more accepted than the form's bucket and the address's hour allow.
    const accepted = answers.filter((a) => a.status === 201);
    const refused = answers.filter((a) => a.status === 429);
    expect(accepted.length + refused.length, JSON.stringify(answers.map((a) => a.status))).toBe(FLOOD);
    expect(accepted.length).toBeLessThanOrEqual(LIMITS.perAddressPerHour - 2);
    expect(accepted.length).toBeLessThanOrEqual(
      FORM_THROTTLE.burstLimit + Math.ceil(seconds * FORM_THROTTLE.rateLimit),
    );
    expect(refused.length).toBeGreaterThanOrEqual(FLOOD - (LIMITS.perAddressPerHour - 2));

    // A refused submission started nothing and mailed nobody; each accepted one did both, once.
    expect(await softwareRequests()).toHaveLength(2 + accepted.length);
    const outbox = await env.client.outbox();
    const mailedTo = (requester: string) => outbox.filter((e) => e.to.includes(requester)).length;
    for (const a of accepted) expect(mailedTo(a.requester), a.requester).toBe(1);
    for (const r of refused) expect(mailedTo(r.requester), r.requester).toBe(0);
  }, 120_000);
});
