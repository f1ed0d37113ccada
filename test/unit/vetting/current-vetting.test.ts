/**
 * SOP 3–6, reuse of a current vetting: a request for a resource the registry already lists as
 * Approved skips security vetting when the earlier request's evidence still covers it, and is vetted
 * as usual otherwise — with the reason in the audit trail. Runs the real store on dynalite.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkCurrentVetting } from '#lambdas/check-current-vetting.ts';
import { ValidationError } from '#shared/core/errors.ts';
import {
  buildRegistryEntry,
  DPA_MIN_REMAINING_DAYS,
  SSL_PASS_MAX_AGE_DAYS,
} from '#shared/registry/registry.ts';
import { resourceIdOf } from '#shared/registry/resource-identity.ts';
import { scheduleRenewal } from '#shared/renewal/schedule-renewal.ts';
import { renderRequestStatus } from '#shared/requests/pages/request-status.ts';
import { publishStatus } from '#shared/requests/publish-status.ts';
import { readRequestStatus } from '#shared/requests/request-status.ts';
import { sopProgress } from '#shared/requests/timeline.ts';
import type { RegistryEntry, RequestRecord } from '#shared/workflow/records.ts';
import requestFixture from '../../events/request-record.json' with { type: 'json' };
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';

const NOW = new Date('2026-11-30T12:00:00.000Z');
const EARLIER = 'SR-20260901-EARL';
const NEW = 'SR-20261130-NEWR';
const HOST = 'www.mathblaster.example';
const daysBefore = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();
const dayAfter = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString().slice(0, 10);

let table: DynaliteTable;
let n = 0;
beforeAll(async () => {
  table = await startDynaliteTable(() => NOW);
});
afterAll(async () => table.stop());

/** Each test gets its own resource, so entries and requests never meet across tests. */
let names: { name: string; vendorName: string };
beforeEach(() => {
  n += 1;
  names = { name: `Math Blaster ${n}`, vendorName: 'Blaster Learning' };
});
const ids = () => ({
  earlier: `${EARLIER}${String(n).padStart(4, '0')}`,
  fresh: `${NEW}${String(n).padStart(4, '0')}`,
});

/** A request for this test's resource, from the fixture. */
function requestOf(requestId: string, status: RequestRecord['status'], currentStep: number): RequestRecord {
  const r = structuredClone(requestFixture) as RequestRecord;
  r.requestId = requestId;
  r.status = status;
  r.currentStep = currentStep;
  r.resource = { ...r.resource, ...names };
  r.submitted = { ...r.submitted, resourceName: names.name, vendorName: names.vendorName };
  return r;
}

/** The approved request that vetted the resource: student data with a signed DPA, SSL A on its website. */
function approvedRequest(change: (r: RequestRecord) => void = () => {}): RequestRecord {
  const r = requestOf(ids().earlier, 'APPROVED', 16);
  r.security = {
    ...r.security,
    dpa: { decision: 'signed', expiresOn: '2028-06-30', decidedAt: daysBefore(80) },
    ssl: {
      grade: 'A',
      endpoints: [{ ipAddress: '203.0.113.10', grade: 'A', host: HOST }],
      hosts: [{ host: HOST, passed: true, grade: 'A', reason: 'A' }],
      passed: true,
      reason: 'SSL Labs grade A for every endpoint',
      testedAt: daysBefore(30),
    },
  };
  change(r);
  return r;
}

/** The new request, as submit-request stored it (IN_REVIEW at step 2). */
function newRequest(change: (r: RequestRecord) => void = () => {}): RequestRecord {
  const r = requestOf(ids().fresh, 'IN_REVIEW', 2);
  delete r.security;
  delete r.purchaseOrder;
  delete r.license;
  change(r);
  return r;
}

async function given(options: {
  earlier?: RequestRecord;
  entry?: (e: RegistryEntry) => void;
  fresh?: RequestRecord;
}) {
  const earlier = options.earlier ?? approvedRequest();
  await table.store.createRequest(earlier);
  const entry = buildRegistryEntry({
    request: earlier,
    status: 'APPROVED',
    sopStep: 16,
    statusDate: daysBefore(25),
  });
  options.entry?.(entry);
  await table.store.putRegistryEntry(entry);
  const fresh = options.fresh ?? newRequest();
  await table.store.createRequest(fresh);
  return fresh;
}

const deps = () => ({ store: table.store, now: () => NOW });
const payload = (fresh: RequestRecord, step = 3) => ({
  requestId: fresh.requestId,
  sopStep: step,
  summary: 'Assigned to the Cybersecurity (CCS) team to begin security vetting',
  resource: fresh.resource,
});
const audit = async (requestId: string) => table.store.listAudit(requestId);

describe('check-current-vetting: SOP 3 begins security vetting unless a current vetting covers the request', () => {
  it('an Approved resource whose evidence covers the request: steps 3–6 are satisfied by the earlier request', async () => {
    const fresh = await given({});

    const out = await checkCurrentVetting(payload(fresh), deps());

    expect(out).toEqual({
      reused: true,
      reusedFrom: ids().earlier,
      reason: `Satisfied by request ${ids().earlier}`,
    });
    const record = await table.store.requireRequest(fresh.requestId);
    expect(record.security?.reusedVetting).toEqual({
      requestId: ids().earlier,
      resourceId: resourceIdOf(names),
      approvedAt: daysBefore(25),
      dpaExpiresOn: '2028-06-30',
      sslGrade: 'A',
      sslTestedAt: daysBefore(30),
      websites: [HOST],
    });
    expect(record.currentStep).toBe(6);
    expect(record.currentActivity).toBe(`Security vetting satisfied by request ${ids().earlier}`);
    const events = await audit(fresh.requestId);
    expect(events.map((e) => [e.sopStep, e.type])).toEqual([
      [3, 'VETTING_REUSED'],
      [4, 'VETTING_REUSED'],
      [5, 'VETTING_REUSED'],
      [6, 'VETTING_REUSED'],
    ]);
    for (const e of events) {
      expect(e.summary).toContain(`request ${ids().earlier}`);
      expect(e.detail).toEqual({ reusedFrom: ids().earlier, resourceId: resourceIdOf(names) });
    }
    expect(events[1]?.summary).toContain('signed DPA runs until 2028-06-30');
    expect(events[2]?.summary).toContain(`SSL grade A on ${HOST}`);
  });

  it('the same resource spelled differently (case, accents, spacing) still finds its entry', async () => {
    const fresh = await given({
      fresh: newRequest((r) => {
        r.resource = { ...r.resource, name: `  MATH   blaster ${n}`, vendorName: 'Blaster Léarning' };
      }),
      earlier: approvedRequest((r) => {
        r.resource = { ...r.resource, vendorName: 'Blaster Learning' };
      }),
    });
    // "Léarning" folds to "learning": the same vendor.
    const out = await checkCurrentVetting(payload(fresh), deps());
    expect(out.reused).toBe(true);
  });

  it('no student data shared: no DPA is needed, so one expiring soon does not matter', async () => {
    const fresh = await given({
      earlier: approvedRequest((r) => {
        r.security = { ...r.security, dpa: { decision: 'signed', expiresOn: dayAfter(5) } };
      }),
      fresh: newRequest((r) => {
        r.resource = { ...r.resource, studentDataShared: false };
        delete r.submitted.studentDataElements;
        r.submitted.studentDataShared = false;
      }),
    });

    const out = await checkCurrentVetting(payload(fresh), deps());

    expect(out.reused).toBe(true);
    const record = await table.store.requireRequest(fresh.requestId);
    expect(record.security?.reusedVetting?.dpaExpiresOn).toBeUndefined();
    expect((await audit(fresh.requestId))[1]?.summary).toContain('no student data is shared');
  });

  it('no website anywhere: step 5 does not apply and is not recorded', async () => {
    const fresh = await given({
      earlier: approvedRequest((r) => {
        const { ssl: _ssl, ...security } = r.security ?? {};
        r.security = security;
        r.resource = { ...r.resource, usesWebsite: false };
        delete r.resource.url;
      }),
      fresh: newRequest((r) => {
        r.resource = { ...r.resource, usesWebsite: false };
        delete r.resource.url;
      }),
    });

    const out = await checkCurrentVetting(payload(fresh), deps());

    expect(out.reused).toBe(true);
    expect((await audit(fresh.requestId)).map((e) => e.sopStep)).toEqual([3, 4, 6]);
  });

  it.each<
    [
      string,
      {
        earlier?: (r: RequestRecord) => void;
        entry?: (e: RegistryEntry) => void;
        fresh?: (r: RequestRecord) => void;
      },
      string,
    ]
  >([
    [
      'the signed DPA expires within 30 days',
      {
        earlier: (r) =>
          (r.security = {
            ...r.security,
            dpa: { decision: 'signed', expiresOn: dayAfter(DPA_MIN_REMAINING_DAYS - 1) },
          }),
      },
      `expires on ${dayAfter(DPA_MIN_REMAINING_DAYS - 1)}, within 30 days`,
    ],
    [
      'the earlier vetting needed no DPA but this request shares student data',
      { earlier: (r) => (r.security = { ...r.security, dpa: { decision: 'not-required' } }) },
      'has no signed DPA',
    ],
    [
      'this request shares student data the DPA does not list',
      { fresh: (r) => (r.submitted.studentDataElements = ['name', 'Grade Level', 'home address']) },
      'does not cover the student data "home address"',
    ],
    [
      'the last SSL pass is 90 days old',
      {
        earlier: (r) => {
          if (r.security?.ssl) r.security.ssl.testedAt = daysBefore(SSL_PASS_MAX_AGE_DAYS);
        },
      },
      '90 days old or older',
    ],
    [
      'the last SSL test failed',
      {
        earlier: (r) => {
          if (r.security?.ssl) r.security.ssl.passed = false;
        },
      },
      'did not pass',
    ],
    [
      "this request's website was not tested",
      { fresh: (r) => (r.resource = { ...r.resource, url: 'https://login.mathblaster.example/' }) },
      'the website login.mathblaster.example was not tested',
    ],
    [
      'the annual renewal of the earlier request lapsed',
      { earlier: (r) => (r.renewal = { status: 'LAPSED', reason: 'DPA not renewed' }) },
      'lapsed',
    ],
    [
      'the entry was imported (no evidence on file)',
      {
        entry: (e) => {
          e.source = 'imported';
          delete e.requestId;
        },
      },
      'no vetting evidence is on file',
    ],
  ])('vetted as usual when %s, and the audit trail says why', async (_label, change, reason) => {
    const fresh = await given({
      earlier: approvedRequest(change.earlier),
      ...(change.entry ? { entry: change.entry } : {}),
      fresh: newRequest(change.fresh),
    });

    const out = await checkCurrentVetting(payload(fresh), deps());

    expect(out.reused).toBe(false);
    expect(out.reason).toContain(reason);
    const record = await table.store.requireRequest(fresh.requestId);
    expect(record.security?.reusedVetting).toBeUndefined();
    expect(record.currentStep).toBe(3);
    const events = await audit(fresh.requestId);
    expect(events.map((e) => e.type).sort()).toEqual(['STEP', 'VETTING_NOT_REUSED']);
    expect(events.find((e) => e.type === 'VETTING_NOT_REUSED')?.summary).toContain(reason);
  });

  it('a Not Approved resource is vetted as usual without a reuse note', async () => {
    const fresh = await given({ entry: (e) => (e.status = 'NOT_APPROVED') });

    const out = await checkCurrentVetting(payload(fresh), deps());

    expect(out).toMatchObject({ reused: false });
    expect((await audit(fresh.requestId)).map((e) => e.type)).toEqual(['STEP']);
  });

  it('a resource the registry does not know: the request is assigned to Cybersecurity (STEP at SOP 3)', async () => {
    const fresh = newRequest();
    await table.store.createRequest(fresh);

    const out = await checkCurrentVetting(payload(fresh), deps());

    expect(out).toEqual({ reused: false, reason: 'no registry entry' });
    const events = await audit(fresh.requestId);
    expect(events).toEqual([
      expect.objectContaining({
        sopStep: 3,
        type: 'STEP',
        summary: 'Assigned to the Cybersecurity (CCS) team to begin security vetting',
      }),
    ]);
    expect((await table.store.requireRequest(fresh.requestId)).currentActivity).toBe(
      'Assigned to the Cybersecurity (CCS) team to begin security vetting',
    );
  });

  it('SOP 11 → 4: a replacement restarts vetting at step 4 with the summary the state machine gives', async () => {
    const fresh = newRequest();
    await table.store.createRequest(fresh);

    await checkCurrentVetting(
      { ...payload(fresh, 4), summary: 'Replacement Reader found: security vetting begins again at step 4' },
      deps(),
    );

    const record = await table.store.requireRequest(fresh.requestId);
    expect(record.currentStep).toBe(4);
    expect((await audit(fresh.requestId))[0]).toMatchObject({ sopStep: 4, type: 'STEP' });
  });

  it.each([
    ['no request id', { sopStep: 3, summary: 'x', resource: {} }, 'requestId'],
    ['a step outside 1-17', { requestId: 'SR-1', sopStep: 18, summary: 'x' }, 'sopStep'],
    ['an empty summary', { requestId: 'SR-1', sopStep: 3, summary: '   ' }, 'summary'],
    ['no resource', { requestId: 'SR-1', sopStep: 3, summary: 'x' }, 'resource'],
  ])('a payload with %s is ValidationError and writes nothing', async (_label, bad, field) => {
    const error = await checkCurrentVetting(bad, deps()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors.map((e) => e.field).join(' ')).toContain(field);
    expect(await audit('SR-1')).toEqual([]);
  });
});

describe('after a reused vetting: the registry, the renewal and the status page follow the earlier request', () => {
  const events = mockClient(EventBridgeClient);
  beforeEach(() => {
    events.reset();
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  });
  const publishDeps = () => ({
    store: table.store,
    events: new EventBridgeClient({ region: 'us-east-1' }),
    eventBusName: 'software-requests',
    now: () => NOW,
    startDeletion: async () => {},
  });
  const renewalDeps = () => ({
    store: table.store,
    // Never called: a reused vetting schedules no renewal of its own.
    scheduler: new SchedulerClient({ region: 'us-east-1' }),
    config: {
      renewalStateMachineArn: 'arn:aws:states:us-east-1:0:stateMachine:annual-renewal',
      schedulerRoleArn: 'arn:aws:iam::0:role/scheduler',
      scheduleGroupName: 'renewals',
      leadDays: 45,
    },
    now: () => NOW,
  });

  async function reusedAndApproved(earlierChange?: (r: RequestRecord) => void) {
    const fresh = await given({
      earlier: approvedRequest((r) => {
        r.renewal = { status: 'DUE', dueOn: '2027-08-30', scheduleName: 'renewal-x' };
        earlierChange?.(r);
      }),
    });
    expect((await checkCurrentVetting(payload(fresh), deps())).reused).toBe(true);
    await table.store.updateRequest(fresh.requestId, { status: 'APPROVED', currentStep: 16 });
    return fresh;
  }

  it('SOP 16: the entry stays the earlier request’s (its evidence) and lists this request; no status event', async () => {
    const fresh = await reusedAndApproved();

    const out = await publishStatus(
      { requestId: fresh.requestId, status: 'APPROVED', sopStep: 16 },
      publishDeps(),
    );

    expect(out).toEqual({ resourceId: resourceIdOf(names), status: 'APPROVED' });
    const entry = await table.store.getRegistryEntry(resourceIdOf(names));
    expect(entry).toMatchObject({
      status: 'APPROVED',
      requestId: ids().earlier,
      requestIds: [fresh.requestId, ids().earlier],
      dpaExpiresOn: '2028-06-30',
      statusDate: daysBefore(25),
    });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
    const published = (await audit(fresh.requestId)).find((e) => e.type === 'STATUS_PUBLISHED');
    expect(published?.summary).toContain(`security vetting of request ${ids().earlier}`);
  });

  it('SOP 16: when the entry lapsed meanwhile, the approval does not overwrite it, and the audit trail says so', async () => {
    const fresh = await reusedAndApproved();
    const lapsed = buildRegistryEntry({
      request: approvedRequest(),
      status: 'NOT_APPROVED',
      sopStep: 17,
      denial: { sopStep: 17, reason: 'the vendor did not renew the DPA' },
      statusDate: daysBefore(1),
    });
    await table.store.putRegistryEntry(lapsed);

    const out = await publishStatus(
      { requestId: fresh.requestId, status: 'APPROVED', sopStep: 16 },
      publishDeps(),
    );

    expect(out.status).toBe('NOT_APPROVED');
    expect(await table.store.getRegistryEntry(resourceIdOf(names))).toMatchObject({ status: 'NOT_APPROVED' });
    const note = (await audit(fresh.requestId)).find((e) => e.type === 'STATUS_NOT_PUBLISHED');
    expect(note?.summary).toContain('Cybersecurity should vet the resource again');
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('SOP 17: no second renewal of the resource; the request follows the earlier request’s renewal', async () => {
    const fresh = await reusedAndApproved();

    const out = await scheduleRenewal({ requestId: fresh.requestId }, renewalDeps());

    expect(out.scheduled).toBe(false);
    expect(out.reason).toContain(`request ${ids().earlier}'s`);
    const record = await table.store.requireRequest(fresh.requestId);
    expect(record.renewal).toMatchObject({ status: 'DUE', renewedWith: ids().earlier, dueOn: '2027-08-30' });
    expect((await audit(fresh.requestId)).map((e) => e.type)).toContain('RENEWAL_WITH_EARLIER_REQUEST');
  });

  it('the status page and JSON show what was reused, with links, and the earlier request’s renewal as it is now', async () => {
    const fresh = await reusedAndApproved();
    await scheduleRenewal({ requestId: fresh.requestId }, renewalDeps());
    // A year on, the earlier request's renewal lapsed: this request's view says so too.
    await table.store.updateRequest(ids().earlier, {
      renewal: { status: 'LAPSED', reason: 'SSL grade B after 5 re-tests' },
    });

    const { view, record } = await readRequestStatus(fresh.requestId, { store: table.store });

    expect(view.reusedVetting).toEqual({
      requestId: ids().earlier,
      resourceId: resourceIdOf(names),
      approvedAt: daysBefore(25),
      dpaExpiresOn: '2028-06-30',
      sslGrade: 'A',
      sslTestedAt: daysBefore(30),
      websites: [HOST],
    });
    expect(view.renewal).toEqual({
      status: 'LAPSED',
      dueOn: null,
      lastRenewedAt: null,
      reason: 'SSL grade B after 5 re-tests',
      renewedWith: ids().earlier,
    });
    const html = renderRequestStatus({ view, record });
    expect(html).toContain('Security vetting (steps 3–6) reused');
    expect(html).toContain(`<a href="${ids().earlier}">Request ${ids().earlier}</a>`);
    expect(html).toContain(`<a href="../registry/${resourceIdOf(names)}">Resource page</a>`);
    expect(html).toContain('Renewal lapsed: Not Approved');
    // Steps 3–6 are done (satisfied), not skipped.
    const steps = sopProgress(record, view.timeline).filter((s) => s.step >= 3 && s.step <= 6);
    expect(steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
  });
});
