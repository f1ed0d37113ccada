/** SOP 17: the renewal's result on the request (record-renewal), and how the requester sees it. */

import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/core/errors.ts';
import { registryReason } from '#shared/registry/registry.ts';
import { recordRenewal } from '#shared/renewal/record-renewal.ts';
import { renderRequestStatus } from '#shared/requests/pages/request-status.ts';
import { renewalView } from '#shared/requests/timeline.ts';
import { givenStoredRequest, mockedStoreAndMailer, REQUEST_ID } from '../../support/request-table.ts';

const ddb = mockClient(DynamoDBDocumentClient);
const ses = mockClient(SESClient);
const NOW = new Date('2027-11-28T10:00:00.000Z');
const CYBER = 'ccs@district.example';

const deps = () => ({
  ...mockedStoreAndMailer(NOW),
  now: () => NOW,
  publicBaseUrl: 'https://requests.district.example',
  cybersecurityEmail: CYBER,
});

beforeEach(() => {
  ddb.reset();
  ses.reset();
  ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
});

describe('record-renewal: the annual renewal result on the request (SOP 17)', () => {
  it('RENEWED: the request shows the renewal time and the next due date schedule-renewal set; nobody is emailed', async () => {
    const { item, audit } = givenStoredRequest(ddb, (r) => {
      r.status = 'APPROVED';
      r.renewal = { dueOn: '2028-11-28', scheduleName: 'renewal-x-2028', status: 'IN_PROGRESS' };
    });

    await recordRenewal({ requestId: REQUEST_ID, outcome: 'RENEWED' }, deps());

    expect(item.renewal).toEqual({
      dueOn: '2028-11-28',
      scheduleName: 'renewal-x-2028',
      status: 'RENEWED',
      lastRenewedAt: NOW.toISOString(),
      reason: 'Annual renewal complete: next renewal due 2028-11-28',
    });
    expect(renewalView(item)).toEqual({
      status: 'RENEWED',
      dueOn: '2028-11-28',
      lastRenewedAt: NOW.toISOString(),
      reason: 'Annual renewal complete: next renewal due 2028-11-28',
      renewedWith: null,
    });
    expect(audit).toEqual([expect.objectContaining({ type: 'RENEWED', sopStep: 17 })]);
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });

  it('LAPSED: the reason is kept, the due date dropped, and the requester and Cybersecurity are emailed once', async () => {
    const { item, audit } = givenStoredRequest(ddb, (r) => {
      r.status = 'APPROVED';
      r.renewal = { dueOn: '2027-11-28', scheduleName: 'renewal-x-2027', status: 'IN_PROGRESS' };
    });
    const denial = { sopStep: 17, reason: 'The vendor did not renew the student Data Privacy Agreement' };

    await recordRenewal({ requestId: REQUEST_ID, outcome: 'LAPSED', denial }, deps());
    await recordRenewal({ requestId: REQUEST_ID, outcome: 'LAPSED', denial }, deps());

    expect(item.status).toBe('APPROVED');
    expect(item.renewal).toEqual({ status: 'LAPSED', reason: denial.reason, lapsedAt: NOW.toISOString() });
    const emails = ses.commandCalls(SendEmailCommand).map((c) => c.args[0].input);
    expect(emails).toHaveLength(1);
    expect(emails[0]?.Destination?.ToAddresses).toEqual([item.submitted.requesterEmail, CYBER]);
    expect(emails[0]?.Message?.Subject?.Data).toBe(
      `Renewal lapsed: ${item.resource.name} is Not Approved (request ${REQUEST_ID})`,
    );
    expect(emails[0]?.Message?.Body?.Text?.Data).toContain(`Reason: ${denial.reason}`);
    expect(audit.filter((a) => a.type === 'RENEWAL_LAPSED')).toHaveLength(1);
  });

  it('a lapse without its reason is refused before anything is written', async () => {
    givenStoredRequest(ddb, (r) => {
      r.status = 'APPROVED';
    });
    await expect(recordRenewal({ requestId: REQUEST_ID, outcome: 'LAPSED' }, deps())).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('how staff and the requester read a lapse', () => {
  it('the registry says the annual renewal lapsed, not that a request was denied', () => {
    expect(registryReason({ sopStep: 17, reason: 'SSL grade C' })).toBe(
      'Annual renewal lapsed (SOP step 17): SSL grade C',
    );
    expect(registryReason({ sopStep: 6, reason: 'x' })).toBe('Denied at SOP step 6: x');
  });

  it('the status page shows the renewal status, the next due date or why it lapsed', () => {
    const view = {
      requestId: REQUEST_ID,
      status: 'APPROVED' as const,
      currentStep: 17,
      currentActivity: 'Annual renewal lapsed',
      deniedAtStep: null,
      reason: null,
      resourceName: 'Math Blaster',
      submittedAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      renewal: {
        status: 'LAPSED' as const,
        dueOn: null,
        lastRenewedAt: null,
        reason: 'SSL grade C',
        renewedWith: null,
      },
      sslRemediation: null,
      reusedVetting: null,
      timeline: [],
      evidence: [],
    };
    const record = { status: 'APPROVED' as const, currentStep: 17, replacementCount: 0 };

    const lapsed = renderRequestStatus({ view, record });
    const renewed = renderRequestStatus({
      view: {
        ...view,
        renewal: {
          status: 'RENEWED',
          dueOn: '2028-11-28',
          lastRenewedAt: NOW.toISOString(),
          reason: null,
          renewedWith: null,
        },
      },
      record,
    });

    expect(lapsed).toContain('<strong id="renewal-status">Renewal lapsed: Not Approved</strong>');
    expect(lapsed).toContain('<dt>Why it lapsed</dt><dd>SSL grade C</dd>');
    expect(renewed).toContain('<strong id="renewal-status">Renewed</strong>');
    expect(renewed).toContain('<dt>Next renewal due</dt><dd>2028-11-28</dd>');
  });
});
