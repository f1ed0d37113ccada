/**
 * Every email of the product goes through the outbox (docs/design.md "Outbox"), on a real DynamoDB
 * engine (dynalite): for each step that emails, a retry of the same step sends nothing more; a step
 * that died after recording its email and before SES leaves it to the outbox sweep, which sends it
 * once; and the next round of the same kind of email (another execution, scan, renewal, reminder) is
 * an email of its own.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Email, Mailer } from '#shared/core/mail/mailer.ts';
import { sendUnsentEffects } from '#shared/recovery/outbox-recovery.ts';
import { lapseEffectKey, recordRenewal } from '#shared/renewal/record-renewal.ts';
import { closeRequest, outcomeEffectKey } from '#shared/requests/close-request.ts';
import { recordError } from '#shared/requests/record-error.ts';
import { sendDeletionRequest } from '#shared/stewardship/deletion.ts';
import { reminderEffectKey } from '#shared/tasks/reminders.ts';
import { notifyVendorSsl, sslNoticeEffectKey } from '#shared/vetting/ssl-notice.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import { parseResourceRequest } from '#shared/workflow/request-schema.ts';
import validRequest from '../../events/resource-request.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const T0 = new Date('2026-11-28T11:00:00.000Z');
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:software-request';
let clock = T0;
let table: DynaliteTable;
let sent: Email[];
let count = 0;

const mailer: Mailer = {
  async send(email) {
    sent.push(email);
    return { messageId: `msg-${sent.length}` };
  },
};
/** SES never answers: the process is killed while the email is recorded and not sent. */
const dying: Mailer = { send: () => new Promise(() => undefined) };
const sweep = () => sendUnsentEffects({ store: table.store, mailer, now: () => clock });
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

function submitted(): RequestRecord['submitted'] {
  const parsed = parseResourceRequest(validRequest);
  if (!parsed.ok) throw new Error('the example request is invalid');
  return parsed.value;
}

/** A request of its own per test (the table is shared by the file). */
async function givenRequest(change: Partial<RequestRecord> = {}): Promise<string> {
  const requestId = `SR-20261128-STEP${String(++count).padStart(4, '0')}`;
  await table.store.createRequest({
    requestId,
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    status: 'IN_REVIEW',
    currentStep: 16,
    currentActivity: 'Reviewing',
    submitted: submitted(),
    resource: {
      name: 'Learn Portal',
      vendorName: 'Learn Co',
      url: 'https://learn.example.com',
      usesWebsite: true,
      kind: 'web-service',
      cost: 0,
      studentDataShared: false,
    },
    replacementCount: 0,
    executionArn: `${ARN}:${requestId}`,
    ...change,
  });
  return requestId;
}

/** Until the step under a dying mailer has recorded its email (the kill comes right after). */
async function recorded(requestId: string, effectKey: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await table.store.getEffect(requestId, effectKey)) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${effectKey} was never recorded`);
}

beforeAll(async () => {
  table = await startDynaliteTable(() => clock);
});
afterAll(async () => {
  await table.stop();
});
beforeEach(() => {
  clock = T0;
  sent = [];
});

describe('the outcome email (SOP 6, 16: close-request)', () => {
  const deps = (m: Mailer = mailer) => ({
    store: table.store,
    mailer: m,
    publicBaseUrl: 'https://requests.district.example',
    now: () => clock,
    sleep: async () => undefined,
  });

  it('a retry of the step sends the requester nothing more', async () => {
    const requestId = await givenRequest();

    await closeRequest({ requestId, outcome: 'APPROVED' }, deps());
    const retry = await closeRequest({ requestId, outcome: 'APPROVED' }, deps());

    expect(retry).toMatchObject({ alreadyClosed: true, emailed: false });
    expect(sent).toHaveLength(1);
    expect((await table.store.getEffect(requestId, `outcome#${requestId}`))?.messageId).toBe('msg-1');
  });

  it('a step killed after the record and before SES: the sweep sends it once, and the retry nothing more', async () => {
    const requestId = await givenRequest();
    void closeRequest({ requestId, outcome: 'APPROVED' }, deps(dying));
    await recorded(requestId, `outcome#${requestId}`);

    later(61_000);
    expect((await sweep()).sent).toEqual([`${requestId}/outcome#${requestId}`]);
    const retry = await closeRequest({ requestId, outcome: 'APPROVED' }, deps());

    expect(retry.emailed).toBe(false);
    expect(sent.map((e) => e.subject)).toEqual([expect.stringContaining(requestId)]);
  });

  it('a resumed execution that closes the request again is an email of its own', () => {
    expect(outcomeEffectKey({ executionArn: `${ARN}:SR-1` })).not.toBe(
      outcomeEffectKey({ executionArn: `${ARN}:SR-1-r1` }),
    );
  });
});

describe("the operators' error email (record-error)", () => {
  const deps = (m: Mailer = mailer) => ({
    store: table.store,
    mailer: m,
    operatorEmail: 'ops@district.example',
    now: () => clock,
  });
  const failure = { Error: 'ConfigError', Cause: 'Missing TEAM_EMAILS' };

  it('a retry of the step tells the operators once; the same error after a resume is a new email', async () => {
    const requestId = await givenRequest();

    await recordError({ requestId, error: failure }, deps());
    later(1000);
    await recordError({ requestId, error: failure }, deps());
    expect(sent).toHaveLength(1);

    // Resumed (back in review), the same error again: recorded anew, told anew.
    await table.store.updateRequest(requestId, { status: 'IN_REVIEW' });
    later(60_000);
    await recordError({ requestId, error: failure }, deps());
    expect(sent).toHaveLength(2);
  });

  it('a step killed after the record: the sweep tells the operators', async () => {
    const requestId = await givenRequest();
    void recordError({ requestId, error: failure }, deps(dying));
    await recorded(requestId, `error#${T0.toISOString()}`);

    later(61_000);
    await sweep();

    expect(sent).toEqual([expect.objectContaining({ to: ['ops@district.example'] })]);
  });
});

describe('the lapsed renewal email (SOP 17: record-renewal)', () => {
  const deps = (m: Mailer = mailer) => ({
    store: table.store,
    mailer: m,
    now: () => clock,
    publicBaseUrl: 'https://requests.district.example',
    cybersecurityEmail: 'ccs@district.example',
  });
  const lapse = (requestId: string) => ({
    requestId,
    outcome: 'LAPSED' as const,
    denial: { sopStep: 17, reason: 'The vendor did not sign the DPA again' },
  });

  it('recorded before the lapse is written: a step killed before SES is sent by the sweep, and its retry sends nothing', async () => {
    const requestId = await givenRequest({
      status: 'APPROVED',
      renewal: { dueOn: '2027-11-28', status: 'DUE' },
    });
    const key = lapseEffectKey({ dueOn: '2027-11-28' }, 'The vendor did not sign the DPA again');
    void recordRenewal(lapse(requestId), deps(dying));
    await recorded(requestId, key);

    // The retry comes before the cut-off: it leaves the email to its recorder, or the sweep.
    await recordRenewal(lapse(requestId), deps());
    expect(sent).toEqual([]);
    later(61_000);
    await sweep();
    await recordRenewal(lapse(requestId), deps());

    expect(sent.map((e) => e.subject)).toEqual([expect.stringContaining('Renewal lapsed')]);
  });

  it("next year's lapse is an email of its own", () => {
    expect(lapseEffectKey({ dueOn: '2027-11-28' }, 'r')).not.toBe(
      lapseEffectKey({ dueOn: '2028-11-28' }, 'r'),
    );
  });
});

describe("the vendor's SSL notice (SOP 5: notify-vendor-ssl)", () => {
  const deps = (m: Mailer = mailer) => ({
    store: table.store,
    mailer: m,
    now: () => clock,
    config: { cybersecurityEmail: 'ccs@district.example', remediationWindowDays: 30 },
  });
  const notice = (requestId: string, scanStartedAt: string) => ({
    requestId,
    vendorContactEmail: 'security@learn.example.com',
    grade: 'B',
    reason: 'SSL Labs grade B is below the required A',
    executionId: `${ARN}:${requestId}`,
    scanStartedAt,
  });

  it('a retry of the same scan sends nothing more; the next failed scan is a notice of its own', async () => {
    const requestId = await givenRequest({ currentStep: 5 });

    await notifyVendorSsl(notice(requestId, '2026-11-28T10:59:00.000Z'), deps());
    await notifyVendorSsl(notice(requestId, '2026-11-28T10:59:00.000Z'), deps());
    expect(sent).toHaveLength(1);

    later(86_400_000);
    await notifyVendorSsl(notice(requestId, '2026-11-29T10:59:00.000Z'), deps());
    expect(sent).toHaveLength(2);
  });

  it('a step killed after the record: the sweep sends the notice', async () => {
    const requestId = await givenRequest({ currentStep: 5 });
    const input = notice(requestId, '2026-11-28T10:59:00.000Z');
    void notifyVendorSsl(input, deps(dying));
    await recorded(requestId, sslNoticeEffectKey(input));

    later(61_000);
    await sweep();

    expect(sent).toEqual([
      expect.objectContaining({ to: ['security@learn.example.com', 'ccs@district.example'] }),
    ]);
  });
});

describe("the vendor's deletion request (send-deletion-request)", () => {
  const deps = (m: Mailer = mailer) => ({
    store: table.store,
    uploads: table.store,
    mailer: m,
    now: () => clock,
    config: {
      cybersecurityEmail: 'ccs@district.example',
      publicBaseUrl: 'https://requests.district.example',
    },
  });

  it('a retry of the step sends the vendor nothing more; a step killed before SES is sent by the sweep', async () => {
    const requestId = await givenRequest({
      security: { privacyReview: { vendorContactEmail: 'privacy@learn.example.com' } },
    } as Partial<RequestRecord>);
    const approvedOn = '2026-01-10T09:00:00.000Z';
    const resourceId = `learn co|learn portal ${requestId}`;
    await table.store.putRegistryEntry({
      resourceId,
      resourceName: 'Learn Portal',
      vendorName: 'Learn Co',
      status: 'NOT_APPROVED',
      statusDate: '2026-11-28T10:00:00.000Z',
      source: 'workflow',
      requestId,
      deletion: { approvedOn, requestId },
    });
    const input = { requestId, resourceId, approvedOn, uploadExpiresInSeconds: 30 * 86_400 };
    void sendDeletionRequest(input, deps(dying));
    await recorded(requestId, `deletion#${resourceId}#${approvedOn}`);

    // The retry before the cut-off leaves it to the sweep; after it, the retry finds it sent.
    await sendDeletionRequest(input, deps());
    later(61_000);
    await sweep();
    await sendDeletionRequest(input, deps());

    expect(sent.map((e) => e.to[0])).toEqual(['privacy@learn.example.com']);
  });
});

describe('reminders (SOP 4, 7-15: remind-task)', () => {
  it('each reminder of a task is an email of its own; a retry of one finds its own', () => {
    expect(reminderEffectKey('T'.repeat(22), 1)).toBe(reminderEffectKey('T'.repeat(22), 1));
    expect(reminderEffectKey('T'.repeat(22), 1)).not.toBe(reminderEffectKey('T'.repeat(22), 2));
    expect(reminderEffectKey('T'.repeat(22), 1)).not.toBe(reminderEffectKey('U'.repeat(22), 1));
  });
});
