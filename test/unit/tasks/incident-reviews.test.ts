/**
 * Two data incidents under review on one resource at once (a vendor's report and a staff report, or a
 * review the recovery sweep starts late): each resource-stewardship execution's incident-review task
 * names its incident, and its email and page show that incident, not the request's latest one. The
 * reviews leave the request's own wait (step, activity, current task) alone, and a retried review
 * keeps its task although the other review was assigned meanwhile. Real store on dynalite; SES and
 * Scheduler are mocked.
 */
import { SendEmailCommand } from '@aws-sdk/client-ses';
import { beforeEach, describe, expect, it } from 'vitest';
import { assignTask } from '#lambdas/assign-task.ts';
import { remindTask } from '#lambdas/remind-task.ts';
import { showTaskPage } from '#lambdas/task-page.ts';
import type { HttpEvent } from '#shared/core/http/edge.ts';
import { hashSecret } from '#shared/tasks/task-links.ts';
import type { AuditEvent, TaskRecord } from '#shared/workflow/records.ts';
import getEvent from '../../events/task-page-get.json' with { type: 'json' };
import { useAssignTaskWorld } from '../../support/assign-task-world.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const STEWARDSHIP = 'arn:aws:states:us-west-2:123456789012:execution:resource-stewardship:';

/** The request is in its annual renewal: its own wait is the renewal's DPA signature. */
const OWN_WAIT = {
  currentStep: 17,
  currentActivity: 'Waiting for Cybersecurity: renewal DPA',
  currentTask: {
    taskId: 'RenewalTask00000000001',
    kind: 'dpa-signature' as const,
    executionId: 'arn:aws:states:us-west-2:123456789012:execution:annual-renewal:r1',
  },
};

const VENDOR_REPORT = {
  incidentId: 'inc-vendor000001',
  description: 'Gradebook export left public by the vendor',
};
const STAFF_REPORT = {
  incidentId: 'inc-staff0000001',
  description: 'A teacher account phished, rosters downloaded',
};

const { table, sesMock, storedRequest, deps } = useAssignTaskWorld(NOW);
let requestId: string;
beforeEach(async () => {
  requestId = await storedRequest('SR-20261205-INCID', { status: 'APPROVED', ...OWN_WAIT });
});

/** The INCIDENT_REPORTED event shared/stewardship writes before it starts the review. */
async function reported(incident: { incidentId: string; description: string }, at: string): Promise<void> {
  const event: AuditEvent = {
    requestId,
    at,
    sopStep: 4,
    type: 'INCIDENT_REPORTED',
    summary: 'A student data incident was reported',
    actor: 'Pat Teacher (pat@district.example.org)',
    detail: {
      incidentId: incident.incidentId,
      resourceId: 'blaster learning#math blaster',
      reportedOn: at.slice(0, 10),
      reportedBy: 'Pat Teacher',
      via: 'sso',
      description: incident.description,
      studentsAffected: 12,
      dataElements: ['Student name'],
      clocks: [{ name: 'notify parents', days: 30, dueOn: '2027-01-03' }],
    },
  };
  await table.store.appendAudit(event);
}

/** What AwaitIncidentReview sends assign-task for the execution `incident-<incidentId>`. */
const review = (incidentId: string, token: string) => ({
  taskToken: token,
  requestId,
  kind: 'incident-review',
  timeoutSeconds: 2_592_000,
  executionId: `${STEWARDSHIP}incident-${incidentId}`,
  incidentId,
});

const emailTexts = () =>
  sesMock.commandCalls(SendEmailCommand).map((c) => c.args[0].input.Message?.Body?.Text?.Data ?? '');

/** The task page, opened with the secret of the link emailed last (or the one given). */
async function pageOf(taskId: string, given?: string): Promise<string> {
  const secret = given ?? /\/tasks\/[\w-]+\?t=([\w-]+)/.exec(emailTexts().at(-1) ?? '')?.[1];
  const event = structuredClone(getEvent) as unknown as HttpEvent;
  event.pathParameters = { taskId };
  event.queryStringParameters = { t: secret ?? '' };
  event.path = `/tasks/${taskId}`;
  const page = await showTaskPage(event, {
    store: table.store,
    now: () => NOW,
    caller: { mode: 'link' },
  });
  expect(page.statusCode).toBe(200);
  return page.body;
}

describe('two incidents under review on one resource: each review shows its own incident', () => {
  it("each review's email and page show its own incident, the earlier one included", async () => {
    await reported(VENDOR_REPORT, '2026-12-05T09:00:00.000Z');
    await reported(STAFF_REPORT, '2026-12-05T10:00:00.000Z');

    const vendorReview = await assignTask(review(VENDOR_REPORT.incidentId, 'token-v'), deps());
    const vendorEmail = emailTexts().at(-1);
    const vendorPage = await pageOf(vendorReview.taskId);
    const staffReview = await assignTask(review(STAFF_REPORT.incidentId, 'token-s'), deps());
    const staffEmail = emailTexts().at(-1);
    const staffPage = await pageOf(staffReview.taskId);

    expect(vendorEmail).toContain(VENDOR_REPORT.description);
    expect(vendorEmail).not.toContain(STAFF_REPORT.description);
    expect(vendorPage).toContain(VENDOR_REPORT.description);
    expect(vendorPage).not.toContain(STAFF_REPORT.description);
    expect(staffEmail).toContain(STAFF_REPORT.description);
    expect(staffEmail).not.toContain(VENDOR_REPORT.description);
    expect(staffPage).toContain(STAFF_REPORT.description);
    expect(staffPage).not.toContain(VENDOR_REPORT.description);
    expect(await table.store.getTask(vendorReview.taskId)).toMatchObject({
      incidentId: VENDOR_REPORT.incidentId,
    });
  });

  it('a review assigned before tasks kept their incident still shows the request\u2019s last incident', async () => {
    await reported(VENDOR_REPORT, '2026-12-05T09:00:00.000Z');
    await reported(STAFF_REPORT, '2026-12-05T10:00:00.000Z');
    const secret = 'b2xkZXItcmV2aWV3LWxpbmstc2VjcmV0LWZvci10ZXN0cw';
    const older: TaskRecord = {
      taskId: 'OlderReview00000000001',
      requestId,
      kind: 'incident-review',
      team: 'cybersecurity',
      sopStep: 4,
      taskToken: 'token-old',
      secretHash: hashSecret(secret),
      status: 'PENDING',
      createdAt: '2026-12-05T11:00:00.000Z',
      expiresAt: '2027-01-04T11:00:00.000Z',
      executionId: `${STEWARDSHIP}incident-${VENDOR_REPORT.incidentId}`,
    };
    await table.store.createTask(older);

    const page = await pageOf(older.taskId, secret);

    expect(page).toContain(STAFF_REPORT.description);
  });

  it("a review's reminder shows its own incident after a later one was reported, and its new link opens it", async () => {
    await reported(VENDOR_REPORT, '2026-12-05T09:00:00.000Z');
    const vendorReview = await assignTask(review(VENDOR_REPORT.incidentId, 'token-v'), deps());
    await reported(STAFF_REPORT, '2026-12-05T10:00:00.000Z');
    await assignTask(review(STAFF_REPORT.incidentId, 'token-s'), deps());

    expect(
      await remindTask({ taskId: vendorReview.taskId, reminder: 1 }, { ...deps(), store: table.store }),
    ).toEqual({
      reminded: true,
      reminder: 1,
    });

    const reminderEmail = emailTexts().at(-1);
    expect(reminderEmail).toContain(VENDOR_REPORT.description);
    expect(reminderEmail).not.toContain(STAFF_REPORT.description);
    const page = await pageOf(vendorReview.taskId);
    expect(page).toContain(VENDOR_REPORT.description);
    expect(page).not.toContain(STAFF_REPORT.description);
  });

  it("the reviews leave the request's own wait alone, and a retried review keeps its task after the other was assigned", async () => {
    await reported(VENDOR_REPORT, '2026-12-05T09:00:00.000Z');
    await reported(STAFF_REPORT, '2026-12-05T10:00:00.000Z');

    const first = await assignTask(review(VENDOR_REPORT.incidentId, 'token-v1'), deps());
    await assignTask(review(STAFF_REPORT.incidentId, 'token-s'), deps());
    const retried = await assignTask(review(VENDOR_REPORT.incidentId, 'token-v2'), deps());

    expect(retried.taskId).toBe(first.taskId);
    expect(emailTexts()).toHaveLength(2);
    expect(await table.store.getTask(first.taskId)).toMatchObject({
      status: 'PENDING',
      taskToken: 'token-v2',
    });
    expect(await table.store.requireRequest(requestId)).toMatchObject(OWN_WAIT);
  });
});
