import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ProcurementHookDeps, procurementHook } from '#lambdas/procurement-hook.ts';
import { NotFoundError, TransientError, ValidationError } from '#shared/core/errors.ts';
import { WorkflowStore } from '#shared/store.ts';
import issuedEvent from '../../events/procurement-po-issued.json' with { type: 'json' };
import requestedEvent from '../../events/procurement-po-requested.json' with { type: 'json' };
import requestFixture from '../../events/request-record.json' with { type: 'json' };

const NOW = new Date('2026-11-28T10:15:30.000Z');
const REQUEST_KEY = { PK: 'REQUEST#SR-20261128-TEST0001', SK: 'REQUEST' };

const ddb = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const deps: ProcurementHookDeps = {
  store: new WorkflowStore({
    tableName: 'requests',
    client: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
    now: () => NOW,
  }),
  events: new EventBridgeClient({ region: 'us-east-1' }),
  eventBusName: 'software-requests',
  now: () => NOW,
};

const entry = () => eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0];
const auditItem = () => ddb.commandCalls(PutCommand)[0]?.args[0].input.Item;

beforeEach(() => {
  ddb.reset();
  eventBridge.reset();
  ddb.on(GetCommand).resolves({});
  ddb
    .on(GetCommand, { Key: REQUEST_KEY })
    .resolves({ Item: { ...REQUEST_KEY, entity: 'request', ...structuredClone(requestFixture) } });
  ddb.on(PutCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
});

describe('procurement-hook: SOP 13 events for the purchasing system', () => {
  it('PurchaseOrderRequested carries cost, payment responsibility, budget code and principal so quotes can start', async () => {
    // Act
    const out = await procurementHook(structuredClone(requestedEvent), deps);

    // Assess
    expect(out).toEqual({ event: 'PurchaseOrderRequested' });
    expect(entry()).toEqual({
      EventBusName: 'software-requests',
      Source: 'district.software-requests',
      DetailType: 'PurchaseOrderRequested',
      Detail: expect.any(String),
      Time: NOW,
    });
    expect(JSON.parse(entry()?.Detail ?? '{}')).toEqual({
      requestId: 'SR-20261128-TEST0001',
      resourceName: 'Math Blaster',
      vendorName: 'Blaster Learning',
      cost: 1200,
      paymentResponsibility: 'Campus',
      budgetCode: '199-11-6399-00-101',
      principal: 'Pat Morgan',
    });
    expect(auditItem()).toMatchObject({
      requestId: 'SR-20261128-TEST0001',
      sopStep: 13,
      type: 'PO_REQUESTED',
      actor: 'workflow',
    });
  });

  it('PurchaseOrderIssued carries the PO number, amount and quote reference, and never licence details', async () => {
    const out = await procurementHook(structuredClone(issuedEvent), deps);

    expect(out).toEqual({ event: 'PurchaseOrderIssued' });
    expect(entry()?.DetailType).toBe('PurchaseOrderIssued');
    const detail = entry()?.Detail ?? '';
    expect(JSON.parse(detail)).toEqual({
      requestId: 'SR-20261128-TEST0001',
      resourceName: 'Math Blaster',
      vendorName: 'Blaster Learning',
      poNumber: 'PO-2026-0042',
      amount: 1150.5,
      quoteReference: 'Q-BL-311',
    });
    expect(detail).not.toMatch(/licen[cs]e|9F3K|LIC-77/i);
    expect(auditItem()).toMatchObject({
      sopStep: 13,
      type: 'PO_ISSUED',
      summary: 'Purchase order PO-2026-0042 issued',
      detail: { poNumber: 'PO-2026-0042', amount: 1150.5, quoteReference: 'Q-BL-311' },
    });
    expect(JSON.stringify(auditItem())).not.toMatch(/9F3K|LIC-77/);
  });

  it('an entry EventBridge rejects is TransientError and the step is not audited', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'slow' }],
    });

    await expect(procurementHook(structuredClone(requestedEvent), deps)).rejects.toBeInstanceOf(
      TransientError,
    );
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('DynamoDB throttling reading the request is TransientError and no event is put', async () => {
    ddb
      .on(GetCommand, { Key: REQUEST_KEY })
      .rejects(new ProvisionedThroughputExceededException({ message: 'slow down', $metadata: {} }));

    await expect(procurementHook(structuredClone(issuedEvent), deps)).rejects.toBeInstanceOf(TransientError);
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it('a request that does not exist is NotFoundError and no event is put', async () => {
    await expect(
      procurementHook({ requestId: 'SR-MISSING', event: 'PurchaseOrderRequested' }, deps),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(eventBridge.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown event', { requestId: 'SR-1', event: 'InvoicePaid' }, 'event'],
    [
      'PurchaseOrderIssued without the purchase order',
      { requestId: 'SR-1', event: 'PurchaseOrderIssued' },
      'purchaseOrder',
    ],
    [
      'a purchase order without its number',
      { requestId: 'SR-1', event: 'PurchaseOrderIssued', purchaseOrder: { amount: 5, quoteReference: 'Q' } },
      'purchaseOrder.poNumber',
    ],
    [
      'a negative amount',
      {
        requestId: 'SR-1',
        event: 'PurchaseOrderIssued',
        purchaseOrder: { poNumber: 'PO-1', amount: -1, quoteReference: 'Q' },
      },
      'purchaseOrder.amount',
    ],
    [
      'a purchase order on PurchaseOrderRequested',
      {
        requestId: 'SR-1',
        event: 'PurchaseOrderRequested',
        purchaseOrder: { poNumber: 'PO-1', amount: 1, quoteReference: 'Q' },
      },
      'purchaseOrder',
    ],
  ])('%s is ValidationError and nothing is read, put or written', async (_label, payload, field) => {
    const error = await procurementHook(payload, deps).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field)).toContain(field);
    expect(ddb.calls()).toHaveLength(0);
    expect(eventBridge.calls()).toHaveLength(0);
  });
});
