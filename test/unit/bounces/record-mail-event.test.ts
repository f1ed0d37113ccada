/**
 * record-mail-event (issue 24) on a real DynamoDB engine: SES's bounce and complaint events, as
 * EventBridge delivers them from the configuration set, put the address on the suppression list and
 * leave an audit event on the request the email's tags name; a redelivered event is recorded once; a
 * transient bounce is told but suppresses nothing; a malformed event changes nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { recordMailEventStep } from '#lambdas/record-mail-event.ts';
import type { RecordMailEventDeps } from '#shared/bounces/index.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import requestFixture from '../../events/request-record.json' with { type: 'json' };
import permanent from '../../events/ses/bounce-permanent.json' with { type: 'json' };
import transient from '../../events/ses/bounce-transient.json' with { type: 'json' };
import complaint from '../../events/ses/complaint.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const NOW = new Date('2026-12-05T10:06:00.000Z');
let table: DynaliteTable;
let deps: RecordMailEventDeps;
let n = 0;
let requestId: string;

/** Each test its own request and its own addresses (one table for the file). */
function withFreshIds<T>(event: T): T {
  const text = JSON.stringify(event)
    .replaceAll('SR-20261128-TEST0001', requestId)
    .replaceAll('Privacy@Blaster.example', `Privacy${n}@Blaster.example`)
    .replaceAll('parent@home.example', `parent${n}@home.example`);
  return JSON.parse(text) as T;
}

beforeAll(async () => {
  table = await startDynaliteTable(() => NOW);
  deps = { bounces: table.store, store: table.store };
});
afterAll(async () => table.stop());
beforeEach(async () => {
  n++;
  requestId = `SR-20261205-BNC0000${n}`;
  await table.store.createRequest({ ...(requestFixture as unknown as RequestRecord), requestId });
});

describe('record-mail-event: what SES reports after sending', () => {
  it('a permanent bounce suppresses the address (lower-case) and audits EMAIL_BOUNCED on the tagged request', async () => {
    // Act
    const outcome = await recordMailEventStep(withFreshIds(permanent), deps);

    // Assess
    expect(outcome).toEqual({ eventType: 'Bounce', suppressed: 1, audited: 1 });
    const address = `privacy${n}@blaster.example`;
    expect(
      await table.store.suppressedAmong([`  PRIVACY${n}@blaster.example`, 'someone@else.example']),
    ).toEqual([
      {
        address,
        reason: 'bounce',
        bounceType: 'Permanent',
        bounceSubType: 'General',
        diagnostic: 'smtp; 550 5.1.1 user unknown',
        messageId: '0100019b-dpa-0001',
        at: '2026-12-05T10:05:01.000Z',
        requestId,
        kind: 'dpa-request',
      },
    ]);
    const audit = (await table.store.listAudit(requestId)).filter((e) => e.type === 'EMAIL_BOUNCED');
    expect(audit).toEqual([
      expect.objectContaining({
        sopStep: requestFixture.currentStep,
        actor: 'Amazon SES (mail delivery report)',
        summary: `The dpa request email to ${address} bounced: the address does not accept mail (no more email is sent to it)`,
        detail: expect.objectContaining({
          address,
          bounceType: 'Permanent',
          suppressed: true,
          kind: 'dpa-request',
        }),
      }),
    ]);
  });

  it('the same event delivered twice (EventBridge delivers at least once) is recorded once', async () => {
    // Act
    const event = withFreshIds(permanent);
    await recordMailEventStep(event, deps);
    const again = await recordMailEventStep(event, deps);

    // Assess
    expect(again).toEqual({ eventType: 'Bounce', suppressed: 0, audited: 0 });
    expect((await table.store.listAudit(requestId)).filter((e) => e.type === 'EMAIL_BOUNCED')).toHaveLength(
      1,
    );
  });

  it('a complaint suppresses the address and audits EMAIL_COMPLAINED', async () => {
    // Act
    const outcome = await recordMailEventStep(withFreshIds(complaint), deps);

    // Assess
    expect(outcome).toEqual({ eventType: 'Complaint', suppressed: 1, audited: 1 });
    const [kept] = await table.store.suppressedAmong([`parent${n}@home.example`]);
    expect(kept).toMatchObject({ reason: 'complaint', kind: 'outcome', requestId });
    const audit = (await table.store.listAudit(requestId)).find((e) => e.type === 'EMAIL_COMPLAINED');
    expect(audit?.detail).toMatchObject({ reason: 'complaint', feedbackType: 'abuse', suppressed: true });
  });

  it('a transient bounce (a full mailbox) is audited but the address stays deliverable', async () => {
    // Act
    const outcome = await recordMailEventStep(withFreshIds(transient), deps);

    // Assess
    expect(outcome).toEqual({ eventType: 'Bounce', suppressed: 0, audited: 1 });
    expect(await table.store.suppressedAmong([`privacy${n}@blaster.example`])).toEqual([]);
    const audit = (await table.store.listAudit(requestId)).find((e) => e.type === 'EMAIL_BOUNCED');
    expect(audit?.detail).toMatchObject({
      bounceType: 'Transient',
      bounceSubType: 'MailboxFull',
      suppressed: false,
    });
  });

  it('an email without a request id tag (the weekly digest) still suppresses its bounced address, with no audit event', async () => {
    // Prepare
    const event = withFreshIds(permanent);
    delete (event.detail.mail.tags as Record<string, unknown>)['request-id'];

    // Act
    const outcome = await recordMailEventStep(event, deps);

    // Assess
    expect(outcome).toEqual({ eventType: 'Bounce', suppressed: 1, audited: 0 });
    expect(await table.store.listAudit(requestId)).toEqual([]);
  });

  it('an event that is not an SES event is refused with a ValidationError, and nothing is written', async () => {
    // Prepare
    const event = { ...withFreshIds(permanent), source: 'aws.events' };

    // Act
    const run = recordMailEventStep(event, deps);

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('source'),
    });
    expect(await table.store.suppressedAmong([`privacy${n}@blaster.example`])).toEqual([]);
  });
});
