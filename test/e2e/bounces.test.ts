/**
 * End to end, issue 24 (SES reputation) on the local runtime: a vendor address typed into the privacy
 * review does not exist (SES's mailbox simulator address bounce@simulator.amazonses.com, which
 * behaves the same on AWS). SES's bounce event reaches record-mail-event as EventBridge delivers it;
 * the DPA task page shows Cybersecurity the bounced address, its type and time; the audit trail has
 * EMAIL_BOUNCED; the next email to that address (the SSL notice) is not sent to it, Cybersecurity's
 * copy still goes, and the trail says EMAIL_SUPPRESSED.
 */
import { describe, expect, it } from 'vitest';
import { ADDRESS_WITHHELD } from '#shared/core/text/email-address.ts';
import { eventually, nextYear, requestBody, TEAM, useTestRuntime } from './helpers.ts';

const env = useTestRuntime('bounces', { fakeSslGrades: { 'app.bouncing.example': 'B' } });
const VENDOR = 'bounce@simulator.amazonses.com';

describe('Bounced vendor addresses: recorded, shown to Cybersecurity, and not mailed again', () => {
  it('SOP 4-5: the DPA email bounces; the DPA task shows it; the SSL notice then skips the address', async () => {
    const requestId = await env.client.submitAndPassPrivacyReview(
      requestBody({
        resourceName: 'Bouncing Maths',
        resourceUrl: 'https://app.bouncing.example/start',
        vendorName: 'Bouncing Co',
      }),
      {
        studentDataRequired: 'yes',
        vendorContactEmail: VENDOR,
        websites: 'https://app.bouncing.example/start',
        decidedBy: 'Casey',
      },
    );

    // The DPA request went to the address SES then reported as bouncing.
    const dpa = await eventually('the DPA email', async () =>
      (await env.client.emailsTo(VENDOR, requestId)).find((e) =>
        e.subject.includes('Data Privacy Agreement'),
      ),
    );
    expect(dpa.to).toEqual([VENDOR]);
    const dpaTask = await env.client.nextTask(requestId, 'dpa-signature');
    const page = await eventually('the bounce on the DPA task page', async () => {
      const opened = await env.client.open(dpaTask);
      return opened.html.includes('Emails that did not arrive') ? opened.html : undefined;
    });
    expect(page).toContain(`<code>${VENDOR}</code>`);
    expect(page).toContain('Bounced (Permanent)');
    expect(page).toContain('550 5.1.1 user unknown');
    expect(page).toContain('No more email is sent to this address.');
    expect(page).toContain('dpa request');

    // The request's timeline says it happened, without the address (anyone with the id may read it).
    const bounced = (await env.client.request(requestId)).timeline.find((e) => e.type === 'EMAIL_BOUNCED');
    expect(bounced?.summary).toContain(`to ${ADDRESS_WITHHELD} bounced`);
    expect(bounced?.summary).not.toContain(VENDOR);
    const sesEvents = env.runtime.events.list().filter((e) => e.source === 'aws.ses');
    expect(sesEvents.map((e) => [e.eventBusName, e.detailType])).toEqual([['default', 'Email Bounced']]);

    // The vendor returned the agreement another way; the B grade then sends the SSL notice.
    await env.client.decide(dpaTask, { decision: 'signed', dpaExpiresOn: nextYear(), decidedBy: 'Casey' });
    const notice = await eventually('the SSL notice', async () =>
      (await env.client.emailsTo(TEAM.cybersecurity, requestId)).find((e) =>
        e.subject.startsWith('Action needed'),
      ),
    );
    expect(notice.to).toEqual([TEAM.cybersecurity]);
    expect((await env.client.outbox()).filter((e) => e.to.includes(VENDOR))).toHaveLength(1);

    const ssl = await env.client.nextTask(requestId, 'ssl-remediation');
    const sslPage = (await env.client.open(ssl)).html;
    expect(sslPage).toContain('Not sent (address suppressed)');
    const view = await env.client.request(requestId);
    const suppressed = view.timeline.filter((e) => e.type === 'EMAIL_SUPPRESSED');
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]?.summary).toContain(`was not sent to ${ADDRESS_WITHHELD}`);
    // The suppressed send produced no second SES event: nothing was sent to the address.
    await env.runtime.mailEventsDelivered();
    expect(env.runtime.events.list().filter((e) => e.source === 'aws.ses')).toHaveLength(1);
  });
});
