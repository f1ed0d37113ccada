/**
 * The mailer respects the suppression list (issue 24): a recipient whose address bounced permanently
 * or complained is left out, the others still get the email, and the left-out ones are recorded; when
 * nobody is left nothing is sent and the step goes on.
 */
import { describe, expect, it } from 'vitest';
import type { Email, Mailer } from '#shared/core/mail/mailer.ts';
import { SuppressingMailer } from '#shared/core/mail/suppressing-mailer.ts';
import type { UndeliverableAddress } from '#shared/core/mail/undeliverable.ts';

const BOUNCED: UndeliverableAddress = {
  address: 'privacy@vendor.example',
  reason: 'bounce',
  bounceType: 'Permanent',
  messageId: 'm-0',
  at: '2026-12-05T10:05:01.000Z',
};

const email = (over: Partial<Email> = {}): Email => ({
  to: ['Privacy@Vendor.example', 'ccs@district.example'],
  subject: 'Action needed',
  text: 'text',
  html: '<p>html</p>',
  tags: { kind: 'ssl-notice', requestId: 'SR-20261205-AAAAAAAA' },
  ...over,
});

function harness(
  suppressed: UndeliverableAddress[],
  options: { auditFails?: boolean; listFails?: boolean } = {},
) {
  const sent: Email[] = [];
  const recorded: { email: Email; suppressed: readonly UndeliverableAddress[] }[] = [];
  const inner: Mailer = {
    send: async (e) => {
      sent.push(e);
      return { messageId: `m-${sent.length}` };
    },
  };
  const mailer = new SuppressingMailer(inner, {
    suppressions: {
      suppressedAmong: async (addresses) => {
        if (options.listFails) throw Object.assign(new Error('throttled'), { name: 'TransientError' });
        return suppressed.filter((s) => addresses.some((a) => a.toLowerCase() === s.address));
      },
    },
    onSuppressed: async (e, s) => {
      if (options.auditFails) throw new Error('table down');
      recorded.push({ email: e, suppressed: s });
    },
  });
  return { mailer, sent, recorded };
}

describe('SuppressingMailer', () => {
  it('sends to the others and records the suppressed recipient (addresses compare case-insensitively)', async () => {
    // Prepare
    const { mailer, sent, recorded } = harness([BOUNCED]);

    // Act
    const result = await mailer.send(email());

    // Assess
    expect(sent.map((e) => e.to)).toEqual([['ccs@district.example']]);
    expect(result).toEqual({ messageId: 'm-1', suppressed: ['Privacy@Vendor.example'] });
    expect(recorded).toEqual([{ email: email(), suppressed: [BOUNCED] }]);
  });

  it('sends nothing when every recipient is suppressed, and the caller goes on', async () => {
    // Prepare
    const { mailer, sent, recorded } = harness([BOUNCED]);

    // Act
    const result = await mailer.send(email({ to: ['privacy@vendor.example'] }));

    // Assess
    expect(sent).toEqual([]);
    expect(result).toEqual({ messageId: '', suppressed: ['privacy@vendor.example'] });
    expect(recorded).toHaveLength(1);
  });

  it('a copied team still told becomes the recipient when the only To is suppressed', async () => {
    // Prepare
    const { mailer, sent } = harness([BOUNCED]);

    // Act
    await mailer.send(email({ to: ['privacy@vendor.example'], cc: ['it@district.example'] }));

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toEqual(['it@district.example']);
    expect(sent[0]?.cc).toBeUndefined();
  });

  it('passes an email with no suppressed recipient through unchanged', async () => {
    // Prepare
    const { mailer, sent, recorded } = harness([]);

    // Act
    const result = await mailer.send(email());

    // Assess
    expect(sent).toEqual([email()]);
    expect(result).toEqual({ messageId: 'm-1' });
    expect(recorded).toEqual([]);
  });

  it('a failed record of the suppression does not fail the send (the email already went)', async () => {
    // Prepare
    const { mailer, sent } = harness([BOUNCED], { auditFails: true });

    // Act
    const result = await mailer.send(email());

    // Assess
    expect(sent).toHaveLength(1);
    expect(result.suppressed).toEqual(['Privacy@Vendor.example']);
  });

  it('a failed read of the list fails the send before anything goes (the step retries)', async () => {
    // Prepare
    const { mailer, sent } = harness([BOUNCED], { listFails: true });

    // Act
    const send = mailer.send(email());

    // Assess
    await expect(send).rejects.toMatchObject({ name: 'TransientError' });
    expect(sent).toEqual([]);
  });
});
