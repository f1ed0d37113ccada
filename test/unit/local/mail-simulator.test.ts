/**
 * The local SES mailbox simulator (local/mail-simulator.ts): SES's simulator addresses give the event
 * SES would publish, in the shape record-mail-event parses (the same schema as on AWS).
 */
import { describe, expect, it } from 'vitest';
import { simulatedEvents, simulatedOutcome } from '#local/mail-simulator.ts';
import type { OutboxEmail } from '#local/outbox.ts';
import { sesMailEventSchema } from '#shared/bounces/index.ts';

const email = (to: string[], cc: string[] = []): OutboxEmail => ({
  messageId: 'local-1',
  to,
  cc,
  from: 'requests@district.example',
  replyTo: [],
  subject: 's',
  text: 't',
  html: 'h',
  at: '2026-12-05T10:00:00.000Z',
});
const TAGS = { 'email-kind': ['dpa-request'], 'request-id': ['SR-20261205-AAAAAAAA'] };

describe('local SES mailbox simulator', () => {
  it('knows the simulator addresses that bounce or complain, with or without a label', () => {
    expect(simulatedOutcome('bounce@simulator.amazonses.com')).toBe('bounce');
    expect(simulatedOutcome('Bounce+vendor1@Simulator.AmazonSES.com')).toBe('bounce');
    expect(simulatedOutcome('complaint@simulator.amazonses.com')).toBe('complaint');
    expect(simulatedOutcome('suppressionlist@simulator.amazonses.com')).toBe('suppressionlist');
    expect(simulatedOutcome('success@simulator.amazonses.com')).toBeUndefined();
    expect(simulatedOutcome('bounce@vendor.example')).toBeUndefined();
  });

  it('a bounce and a complaint in one email give one event each, which record-mail-event accepts', () => {
    // Act
    const events = simulatedEvents(
      email(
        ['bounce@simulator.amazonses.com', 'ccs@district.example'],
        ['complaint@simulator.amazonses.com'],
      ),
      TAGS,
      'software-requests-local',
    );

    // Assess
    expect(events.map((e) => e['detail-type'])).toEqual(['Email Bounced', 'Email Complaint Received']);
    for (const event of events) {
      const parsed = sesMailEventSchema.parse(event);
      expect(parsed.detail.mail.tags).toMatchObject({
        'ses:configuration-set': ['software-requests-local'],
        ...TAGS,
      });
    }
    expect(events[0]?.detail).toMatchObject({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bouncedRecipients: [expect.objectContaining({ emailAddress: 'bounce@simulator.amazonses.com' })],
      },
    });
  });

  it('no configuration set, no event (SES publishes sending events through a configuration set only)', () => {
    expect(simulatedEvents(email(['bounce@simulator.amazonses.com']), TAGS, null)).toEqual([]);
  });
});
