/**
 * End to end on the local runtime: hostile input to POST /requests is refused with a 400 on its field
 * and stores nothing (so the same body answers the same way again, never a 500), bytes that are not
 * UTF-8 are refused rather than repaired, and a resubmission after a denial reports DENIED.
 */
import { describe, expect, it } from 'vitest';
import { requestBody, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('hostile', { fakeSslGrades: { 'weakssl.example.com': 'B' } });

async function post(body: string | Uint8Array, headers: Record<string, string> = {}) {
  const res = await env.client.fetch('/requests', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('TS-PE-535 end to end: hostile requests', () => {
  it('a lone surrogate, a control character, a private or oversized link → 400 on the field; repeating it answers the same, nothing is stored', async () => {
    const cases: [string, string][] = [
      [
        JSON.stringify(requestBody({ requesterName: 'PLACEHOLDER' })).replace('PLACEHOLDER', 'ab\\ud800cd'),
        'requesterName',
      ],
      [JSON.stringify(requestBody({ vendorName: 'Numeracy\u001b[2JCo' })), 'vendorName'],
      [
        JSON.stringify(requestBody({ resourceUrl: 'http://169.254.169.254/latest/meta-data/' })),
        'resourceUrl',
      ],
      [
        JSON.stringify(
          requestBody({ resourceUrl: `https://fractionlab.example.com/${'a'.repeat(250_000)}` }),
        ),
        'resourceUrl',
      ],
    ];
    for (const [body, field] of cases) {
      for (const attempt of [1, 2]) {
        const res = await post(body, { 'idempotency-key': `hostile-${field}-0001` });
        expect({
          attempt,
          status: res.status,
          fields: (res.body.errors as { field: string }[]).map((e) => e.field),
        }).toEqual({
          attempt,
          status: 400,
          fields: [field],
        });
      }
    }
    expect(await env.client.executions()).toEqual([]);
    expect(await env.client.outbox()).toEqual([]);
  });

  it('bytes that are not UTF-8 → 400 on the body, not text with U+FFFD in it', async () => {
    const json = Buffer.from(JSON.stringify(requestBody({ requesterName: 'Mar-a' })));
    json[json.indexOf('Mar-a') + 3] = 0xff;

    const res = await post(json);

    expect(res).toEqual({
      status: 400,
      body: {
        errors: [
          { field: '(body)', message: 'The request body is not valid UTF-8 text; send it encoded as UTF-8' },
        ],
      },
    });
  });

  it('a resubmission after the request was denied answers 200 with "status": "DENIED"', async () => {
    const body = JSON.stringify(
      requestBody({
        resourceName: 'Weak Quiz',
        resourceUrl: 'https://weakssl.example.com/app',
        resourceKind: 'web-service',
        vendorName: 'Weak Quiz Inc',
        cost: 0,
        studentDataShared: false,
        studentDataElements: undefined,
      }),
    );
    const key = { 'idempotency-key': 'weak-quiz-resubmit-0001' };
    const first = await post(body, key);
    expect(first.status).toBe(201);
    const requestId = String(first.body.requestId);
    await env.client.complete(requestId, 'privacy-review', {
      decision: 'acceptable',
      studentDataRequired: 'no',
      vendorContactEmail: 'security@weakquiz.example',
    });
    await env.client.complete(requestId, 'ssl-remediation', { decision: 'deny', comment: 'Grade B stays' });
    await env.client.waitForStatus(requestId, 'DENIED');

    const again = await post(body, key);

    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ requestId, status: 'DENIED' });
  });
});
