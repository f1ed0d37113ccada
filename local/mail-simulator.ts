/**
 * The SES mailbox simulator, locally: an email the handlers send to one of SES's simulator addresses
 * gets the sending event real SES would publish for it, delivered as EventBridge delivers it from the
 * configuration set (source `aws.ses`, detail-type "Email Bounced", …) to the function marked
 * `sesEvents` in shared/functions.ts (record-mail-event), after the send returned, asynchronously.
 * The same addresses behave the same on AWS, so a test or a demo bounces a vendor address by typing:
 *   bounce@simulator.amazonses.com          a permanent bounce (user unknown)
 *   complaint@simulator.amazonses.com       a complaint (marked as spam)
 *   suppressionlist@simulator.amazonses.com a permanent bounce: on the account's suppression list
 * with an optional label (`bounce+vendor1@simulator.amazonses.com`), as SES allows. Other simulator
 * addresses (success@, ooto@) produce no event the product listens to. Each event is also listed at
 * /_local/events (bus `default`).
 */
import { randomUUID } from 'node:crypto';
import { asError } from '#shared/core/errors.ts';
import { FUNCTIONS } from '#shared/functions.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './config.ts';
import type { EventsSink } from './events-sink.ts';
import type { AcceptedCall } from './faults.ts';
import { type OutboxEmail, sentEmail } from './outbox.ts';

export const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

type Outcome = 'bounce' | 'complaint' | 'suppressionlist';
const OUTCOMES: readonly Outcome[] = ['bounce', 'complaint', 'suppressionlist'];

/** What SES's simulator does with `address`, if it is one of the addresses that produce an event. */
export function simulatedOutcome(address: string): Outcome | undefined {
  const m = /^([a-z]+)(?:\+[^@]*)?@(.+)$/i.exec(address.trim());
  if (!m || m[2]?.toLowerCase() !== SIMULATOR_DOMAIN) return undefined;
  const mailbox = m[1]?.toLowerCase();
  return OUTCOMES.find((o) => o === mailbox);
}

export interface MailSimulator {
  /** After SES accepted a send: schedules the events its simulator recipients produce. */
  sent(call: AcceptedCall): void;
  /** Resolves once every event scheduled so far was delivered (or failed and was logged). */
  settled(): Promise<void>;
}

export function mailSimulator(options: {
  invoke: (name: string, payload: unknown) => Promise<unknown>;
  events: EventsSink;
  log: (message: string) => void;
}): MailSimulator {
  const target = FUNCTIONS.find((fn) => fn.sesEvents)?.name;
  const pending = new Set<Promise<void>>();
  const deliver = async (event: SesEventBridgeEvent): Promise<void> => {
    // EventBridge delivers after the send returned: never inside the sender's call.
    await new Promise((resolve) => setImmediate(resolve));
    options.events.record({
      id: event.id,
      at: event.time,
      eventBusName: 'default',
      source: event.source,
      detailType: event['detail-type'],
      detail: event.detail,
      resources: event.resources,
    });
    if (!target) return;
    try {
      await options.invoke(target, event);
    } catch (error) {
      options.log(`${target} failed on ${event['detail-type']}: ${asError(error).message}`);
    }
  };
  return {
    sent(call) {
      const form = new URLSearchParams(call.request.toString('utf8'));
      const email = sentEmail(call, new Date());
      if (!email) return;
      for (const event of simulatedEvents(email, tagsOf(form), form.get('ConfigurationSetName'))) {
        const delivery = deliver(event);
        pending.add(delivery);
        void delivery.finally(() => pending.delete(delivery));
      }
    },
    async settled() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** `Tags.member.N.Name` / `.Value` of an SES v1 SendEmail (the Query protocol's list encoding). */
function tagsOf(form: URLSearchParams): Record<string, string[]> {
  const tags: Record<string, string[]> = {};
  for (const [key, name] of form) {
    const m = /^Tags\.member\.(\d+)\.Name$/.exec(key);
    const value = m ? form.get(`Tags.member.${m[1]}.Value`) : null;
    if (m && value !== null) tags[name] = [value];
  }
  return tags;
}

export interface SesEventBridgeEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: 'aws.ses';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

/** One event per simulator outcome among the recipients, shaped as SES publishes it to EventBridge. */
export function simulatedEvents(
  email: OutboxEmail,
  tags: Record<string, string[]>,
  configurationSet: string | null,
): SesEventBridgeEvent[] {
  // Without a configuration set SES publishes no sending events (the stack sets one on every send).
  if (!configurationSet) return [];
  const recipients = [...email.to, ...email.cc];
  const by = (outcome: Outcome) => recipients.filter((r) => simulatedOutcome(r) === outcome);
  const now = new Date().toISOString();
  const mail = {
    timestamp: email.at,
    source: email.from,
    sendingAccountId: LOCAL_ACCOUNT,
    messageId: email.messageId,
    destination: recipients,
    tags: {
      'ses:configuration-set': [configurationSet],
      'ses:from-domain': [email.from.split('@')[1] ?? ''],
      ...tags,
    },
  };
  const event = (detailType: string, detail: Record<string, unknown>): SesEventBridgeEvent => ({
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: 'aws.ses',
    account: LOCAL_ACCOUNT,
    time: now,
    region: LOCAL_REGION,
    resources: [`arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT}:configuration-set/${configurationSet}`],
    detail: { eventType: detail.eventType, mail, ...detail },
  });
  const events = bounceEvents(by('bounce'), by('suppressionlist'), now).map((d) => event('Email Bounced', d));
  const complained = by('complaint');
  if (complained.length > 0) {
    events.push(
      event('Email Complaint Received', {
        eventType: 'Complaint',
        complaint: {
          feedbackId: randomUUID(),
          complaintFeedbackType: 'abuse',
          complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
          timestamp: now,
        },
      }),
    );
  }
  return events;
}

/** One Bounce event per kind of permanent bounce among the recipients (as SES groups them). */
function bounceEvents(unknown: string[], onList: string[], now: string): Record<string, unknown>[] {
  const kinds = [
    { recipients: unknown, subType: 'General', diagnostic: 'smtp; 550 5.1.1 user unknown' },
    {
      recipients: onList,
      subType: 'OnAccountSuppressionList',
      diagnostic:
        'Amazon SES did not send the message to this address because it is on the suppression list for your account.',
    },
  ];
  return kinds
    .filter((k) => k.recipients.length > 0)
    .map((k) => ({
      eventType: 'Bounce',
      bounce: {
        feedbackId: randomUUID(),
        bounceType: 'Permanent',
        bounceSubType: k.subType,
        bouncedRecipients: k.recipients.map((emailAddress) => ({
          emailAddress,
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: k.diagnostic,
        })),
        timestamp: now,
        reportingMTA: `dns; ${SIMULATOR_DOMAIN}`,
      },
    }));
}
