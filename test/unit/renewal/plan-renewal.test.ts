import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { planRenewal } from '#lambdas/plan-renewal.ts';
import { NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { WorkflowStore } from '#shared/store.ts';
import type { RequestRecord } from '#shared/workflow/records.ts';
import planEvent from '../../events/plan-renewal.json' with { type: 'json' };
import requestFixture from '../../events/request-record.json' with { type: 'json' };

const NOW = new Date('2027-11-28T10:15:30.000Z');
const REQUEST_KEY = { PK: 'REQUEST#SR-20261128-TEST0001', SK: 'REQUEST' };

const ddb = mockClient(DynamoDBDocumentClient);
const deps = {
  store: new WorkflowStore({
    tableName: 'requests',
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    now: () => NOW,
  }),
  now: () => NOW,
};

function givenRequest(change: (r: RequestRecord) => void = () => {}) {
  const request = structuredClone(requestFixture) as RequestRecord;
  request.status = 'APPROVED';
  change(request);
  ddb
    .on(GetCommand, { Key: REQUEST_KEY })
    .resolves({ Item: { ...REQUEST_KEY, entity: 'request', ...request } });
}
const auditItem = () => ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;

beforeEach(() => {
  ddb.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
});

describe('plan-renewal: what the SOP 17 annual renewal has to do for an approved resource', () => {
  it('a signed DPA and a website: renew the DPA with the vendor contact, re-test the SSL grade of the url', async () => {
    givenRequest();

    const plan = await planRenewal(structuredClone(planEvent), deps);

    expect(plan).toEqual({
      requestId: 'SR-20261128-TEST0001',
      dpaRenewalDue: true,
      sslRetestDue: true,
      vendorContactEmail: 'privacy@blaster.example',
      url: 'https://www.MathBlaster.example/app',
      // Records from before Cybersecurity named the websites: the request's link.
      websites: ['www.mathblaster.example'],
    });
    expect(auditItem()).toMatchObject({
      requestId: 'SR-20261128-TEST0001',
      sopStep: 17,
      type: 'RENEWAL_STARTED',
      summary: 'Annual renewal started: DPA renewal and SSL re-test',
      actor: 'workflow',
      detail: { dpaRenewalDue: true, sslRetestDue: true },
    });
  });

  it('a refused or unsigned DPA is not renewed; a resource without a website is not re-tested', async () => {
    givenRequest((r) => {
      r.resource = { ...r.resource, url: undefined, usesWebsite: false };
      r.security = { dpa: { sentTo: 'privacy@blaster.example', decision: 'refused' } };
    });

    const plan = await planRenewal(structuredClone(planEvent), deps);

    // url and vendorContactEmail are always present: the state machine's ResultSelector reads them by path
    expect(plan).toEqual({
      requestId: 'SR-20261128-TEST0001',
      dpaRenewalDue: false,
      sslRetestDue: false,
      vendorContactEmail: '',
      url: '',
      websites: [],
    });
    expect(auditItem()).toMatchObject({ summary: 'Annual renewal started: nothing applies any more' });
  });

  it.each(['IN_REVIEW', 'DENIED', 'ERROR'] as const)(
    'a request that is %s is ValidationError: nothing to renew, nothing audited',
    async (status) => {
      givenRequest((r) => {
        r.status = status;
      });

      const error = await planRenewal(structuredClone(planEvent), deps).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(
        'Request SR-20261128-TEST0001 is not approved; nothing to renew',
      );
      expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    },
  );

  it('a request that does not exist is NotFoundError', async () => {
    await expect(planRenewal({ requestId: 'SR-GONE' }, deps)).rejects.toBeInstanceOf(NotFoundError);
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('DynamoDB throttling is TransientError', async () => {
    ddb
      .on(GetCommand)
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(planRenewal(structuredClone(planEvent), deps)).rejects.toBeInstanceOf(TransientError);
  });

  it('a payload without a request id is ValidationError and reads nothing', async () => {
    await expect(planRenewal({ id: 'SR-1' }, deps)).rejects.toBeInstanceOf(ValidationError);
    expect(ddb.calls()).toHaveLength(0);
  });
});
