/**
 * The outbox (docs/design.md "Outbox"), on a real DynamoDB engine (dynalite) so its conditions are the
 * ones DynamoDB evaluates: an email recorded before it is sent and marked after SES accepted it is
 * never lost, whatever moment a sender dies at; it goes out twice at most, and only when the sender
 * died between SES's acceptance and the mark. Two live senders never both send it.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Email, Mailer } from '#shared/core/mail/mailer.ts';
import { sendOnce } from '#shared/core/mail/send-once.ts';
import { sendUnsentEffects } from '#shared/recovery/outbox-recovery.ts';
import { dpaEffectKey, type SendDpaDeps, sendDpa } from '#shared/vetting/send-dpa.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import { parseResourceRequest } from '#shared/workflow/request-schema.ts';
import validRequest from '../../events/resource-request.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const REQUEST = 'SR-20261128-OUTBOX01';
const T0 = new Date('2026-11-28T11:00:00.000Z');
const MINUTE = 60_000;
let clock = T0;
let table: DynaliteTable;
let sent: Email[];
let refuse: boolean;
let count = 0;

const mailer: Mailer = {
  async send(email) {
    if (refuse) throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
    sent.push(email);
    return { messageId: `msg-${sent.length}` };
  },
};
const email = (subject: string): Email => ({ to: ['maria@district.example'], subject, text: 't', html: 'h' });
const deps = () => ({ outbox: table.store, mailer, now: () => clock });
const sweep = () => sendUnsentEffects({ store: table.store, mailer, now: () => clock });
/** A fresh effect key per test: the table is shared by the file. */
const freshKey = () => `test#${++count}`;

beforeAll(async () => {
  table = await startDynaliteTable(() => clock);
});
afterAll(async () => {
  await table.stop();
});
beforeEach(() => {
  clock = T0;
  sent = [];
  refuse = false;
});

describe('the outbox: recorded, sent, marked', () => {
  it('the recorder sends it and marks it with SES message id; the item leaves the index and keeps no body', async () => {
    const key = freshKey();

    const out = await sendOnce(deps(), REQUEST, key, email('hello'));

    expect(out).toEqual({ outcome: 'sent', sentAt: T0.toISOString(), messageId: 'msg-1', before: false });
    const entry = await table.store.getEffect(REQUEST, key);
    expect(entry).toMatchObject({ sentAt: T0.toISOString(), messageId: 'msg-1' });
    expect(entry?.email).toBeUndefined();
    clock = new Date(T0.getTime() + 5 * MINUTE);
    expect((await sweep()).sent).toEqual([]);
  });

  it('a retry of the same step finds it sent and sends nothing', async () => {
    const key = freshKey();
    await sendOnce(deps(), REQUEST, key, email('once'));

    const again = await sendOnce(deps(), REQUEST, key, email('once'));

    expect(again).toMatchObject({ outcome: 'sent', before: true });
    expect(sent).toHaveLength(1);
  });

  it('a sender that died before SES: a concurrent or quick retry leaves it (pending), the sweep sends it after the cut-off, once', async () => {
    const key = freshKey();
    await table.store.recordEffect(REQUEST, key, email('recorded, then the process died'));

    clock = new Date(T0.getTime() + 10_000);
    expect(await sendOnce(deps(), REQUEST, key, email('retry'))).toEqual({
      outcome: 'pending',
      recordedAt: T0.toISOString(),
    });
    expect((await sweep()).sent).toEqual([]);
    clock = new Date(T0.getTime() + 2 * MINUTE);
    expect((await sweep()).sent).toEqual([`${REQUEST}/${key}`]);
    expect((await sweep()).sent).toEqual([]);

    // The email as the dead sender recorded it.
    expect(sent.map((e) => e.subject)).toEqual(['recorded, then the process died']);
    expect((await table.store.getEffect(REQUEST, key))?.messageId).toBe('msg-1');
  });

  it('a sender that died between SES and the mark: the sweep sends it again, the one duplicate, and then never again', async () => {
    const key = freshKey();
    await table.store.recordEffect(REQUEST, key, email('accepted, not marked'));
    await mailer.send(email('accepted, not marked'));

    clock = new Date(T0.getTime() + 2 * MINUTE);
    await sweep();
    clock = new Date(T0.getTime() + 10 * MINUTE);
    await sweep();

    expect(sent).toHaveLength(2);
  });

  it('a sweep that died after its claim: the next sweep, once the claim is stale, sends it', async () => {
    const key = freshKey();
    await table.store.recordEffect(REQUEST, key, email('claimed by a dead sweep'));
    clock = new Date(T0.getTime() + 2 * MINUTE);
    expect(
      await table.store.claimStaleEffect(REQUEST, key, new Date(T0.getTime() + MINUTE).toISOString()),
    ).toBe(true);

    expect((await sweep()).sent).toEqual([]);
    clock = new Date(T0.getTime() + 4 * MINUTE);
    expect((await sweep()).sent).toEqual([`${REQUEST}/${key}`]);
    expect(sent).toHaveLength(1);
  });

  it('SES refuses it: nothing went out, the entry is released, and the next attempt records and sends it', async () => {
    const key = freshKey();
    refuse = true;
    await expect(sendOnce(deps(), REQUEST, key, email('refused'))).rejects.toMatchObject({
      name: 'MessageRejected',
    });
    clock = new Date(T0.getTime() + 5 * MINUTE);
    expect((await sweep()).sent).toEqual([]);

    refuse = false;
    expect(await sendOnce(deps(), REQUEST, key, email('refused'))).toMatchObject({
      outcome: 'sent',
      before: false,
    });
    expect(sent).toHaveLength(1);
  });

  it('two concurrent senders of the same effect: one email', async () => {
    const key = freshKey();

    const outs = await Promise.all([
      sendOnce(deps(), REQUEST, key, email('double-click')),
      sendOnce(deps(), REQUEST, key, email('double-click')),
    ]);

    expect(sent).toHaveLength(1);
    // The other one finds it sent already, or pending while the first is at it.
    expect(outs.filter((o) => o.outcome === 'sent' && !o.before)).toHaveLength(1);
  });
});

function submitted(): RequestRecord['submitted'] {
  const parsed = parseResourceRequest(validRequest);
  if (!parsed.ok) throw new Error('the example request is invalid');
  return parsed.value;
}

describe('SOP 4: the DPA email through the outbox', () => {
  const request: RequestRecord = {
    requestId: REQUEST,
    createdAt: '2026-11-28T10:00:00.000Z',
    updatedAt: '2026-11-28T10:00:00.000Z',
    status: 'IN_REVIEW',
    currentStep: 4,
    currentActivity: 'Vetting',
    submitted: submitted(),
    resource: { name: 'Learn Portal', vendorName: 'Learn Co' } as RequestRecord['resource'],
    replacementCount: 0,
  };
  const dpaDeps = (): SendDpaDeps => ({
    store: table.store,
    uploads: table.store,
    incidentLinks: table.store,
    mailer,
    now: () => clock,
    config: {
      cybersecurityEmail: 'ccs@district.example',
      dpaTemplateUrl: 'https://district.example.org/dpa.pdf',
      returnInstructions: 'Sign page 4.',
      publicBaseUrl: 'https://requests.district.example.org',
    },
  });
  const payload = (executionId: string, replacementCount = 0) => ({
    requestId: REQUEST,
    vendorContactEmail: 'privacy@learn.example.com',
    executionId,
    replacementCount,
  });
  const dpaSent = async () =>
    (await table.store.listAudit(REQUEST)).filter((e) => e.type === 'DPA_SENT').length;

  beforeAll(async () => {
    await table.store.createRequest(request);
  });

  it('a retry of the step (the first attempt died after the mark) sends the vendor nothing more and audits once', async () => {
    const first = await sendDpa(payload('exec-a'), dpaDeps());
    const audited = await dpaSent();

    const retry = await sendDpa(payload('exec-a'), dpaDeps());

    expect(retry).toEqual(first);
    expect(sent).toHaveLength(1);
    expect(await dpaSent()).toBe(audited);
    expect((await table.store.getRequest(REQUEST))?.security?.dpa?.messageId).toBe('msg-1');
  });

  it('a replacement (a new vetting round) or a renewal (a new execution) is a DPA of its own', async () => {
    expect(dpaEffectKey(payload('exec-b', 0))).not.toBe(dpaEffectKey(payload('exec-b', 1)));
    expect(dpaEffectKey({ ...payload('exec-c'), renewal: true })).not.toBe(dpaEffectKey(payload('exec-c')));

    await sendDpa(payload('exec-b', 0), dpaDeps());
    await sendDpa(payload('exec-b', 1), dpaDeps());

    expect(sent).toHaveLength(2);
  });
});
