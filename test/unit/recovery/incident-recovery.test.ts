/**
 * Incident recovery (shared/recovery/incident-recovery.ts), on a real DynamoDB engine for the unstarted
 * index: an incident stored whose review never started (StartExecution failed, nobody sent the report
 * again) gets its review started by the sweep once it is older than the cut-off (or older than the
 * local runtime's restart), once; a younger one is left to its report; one that cannot start now stays
 * for the next sweep. The recover-requests sweep runs it, reports it, and goes on past its failure.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TransientError } from '#shared/core/errors.ts';
import { logger } from '#shared/core/logger.ts';
import type { Mailer } from '#shared/core/mail/mailer.ts';
import {
  DEFAULT_INCIDENT_MIN_AGE_SECONDS,
  INCIDENT_RECOVERY_AUDIT_TYPE,
  type IncidentRecoveryDeps,
  startUnstartedIncidentReviews,
} from '#shared/recovery/incident-recovery.ts';
import { runRecoverySweep } from '#shared/recovery/recovery-sweep.ts';
import { type IncidentReporter, reportIncident } from '#shared/stewardship/incidents.ts';
import type { WorkflowStore } from '#shared/store.ts';
import { ABACUS_TUTOR as ENTRY, useIncidentTable } from '../../support/incident-world.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const REPORT = {
  resourceId: ENTRY.resourceId,
  reportedOn: '2026-11-30',
  description: 'A misconfigured export exposed a gradebook',
  dataElements: ['Student name'],
};
const VENDOR: IncidentReporter = {
  via: 'vendor-link',
  name: 'vendor of Abacus Tutor',
  email: 'privacy@abacus.example',
  requestId: ENTRY.requestId,
};

let clock: Date;
beforeEach(() => {
  clock = NOW;
});
const { table, machine, reportDeps, unstarted, reportedEvents } = useIncidentTable(ENTRY, () => clock);
afterEach(() => {
  vi.restoreAllMocks();
});

/** The request's audit events saying the sweep started a review its report left unstarted. */
const recoveredStarts = async () =>
  (await table.store.listAudit(ENTRY.requestId)).filter((e) => e.type === INCIDENT_RECOVERY_AUDIT_TYPE);
const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const sweepDeps = (): IncidentRecoveryDeps => ({
  store: table.store,
  stewardship: machine.starter,
  now: () => clock,
});

/** What recover-requests runs with: no request, decision or email is due here. */
function recoverySweepDeps(store: WorkflowStore) {
  const mailer: Mailer = {
    send: async () => {
      throw new Error('no email is due');
    },
  };
  return {
    store,
    sfn: machine.starter.sfn,
    mailer,
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:software-request',
    publicBaseUrl: 'https://requests.district.example',
    stewardship: machine.starter,
    now: () => clock,
  };
}

/** A report whose StartExecution failed (Step Functions throttled it) and that nobody sent again. */
async function interruptedReport(body: Record<string, unknown> = REPORT): Promise<string> {
  const before = await unstarted();
  machine.failNext();
  await expect(reportIncident(body, VENDOR, reportDeps())).rejects.toThrow(/Rate exceeded/);
  const incidentId = (await unstarted()).find((id) => !before.includes(id));
  if (!incidentId) throw new Error('the interrupted report left no unstarted incident');
  return incidentId;
}

describe('the incident sweep', () => {
  it('starts the review of an incident older than the cut-off once, and takes it off the index', async () => {
    const incidentId = await interruptedReport();
    clock = later(DEFAULT_INCIDENT_MIN_AGE_SECONDS + 60);

    const result = await startUnstartedIncidentReviews(sweepDeps());

    expect(result).toEqual({ started: [incidentId], failed: [] });
    expect([...machine.executions]).toEqual([
      [
        `incident-${incidentId}`,
        {
          kind: 'incident-review',
          requestId: ENTRY.requestId,
          resourceId: ENTRY.resourceId,
          incidentId,
        },
      ],
    ]);
    expect(await unstarted()).toEqual([]);
    expect(await reportedEvents()).toHaveLength(1);
    expect(await recoveredStarts()).toEqual([
      expect.objectContaining({ actor: 'workflow', detail: { incidentId }, at: clock.toISOString() }),
    ]);
    expect(await table.store.getIncident(incidentId)).toMatchObject({ reviewStartedAt: clock.toISOString() });
  });

  it('leaves an incident younger than the cut-off to its report', async () => {
    const incidentId = await interruptedReport();
    clock = later(DEFAULT_INCIDENT_MIN_AGE_SECONDS - 10);

    const result = await startUnstartedIncidentReviews(sweepDeps());

    expect(result).toEqual({ started: [], failed: [] });
    expect(machine.executions.size).toBe(0);
    expect(await unstarted()).toEqual([incidentId]);
  });

  it('after a local restart, starts at once what was stored before it, whatever its age', async () => {
    const incidentId = await interruptedReport();
    clock = later(5);

    const result = await startUnstartedIncidentReviews(sweepDeps(), { restartedAt: later(2) });

    expect(result.started).toEqual([incidentId]);
  });

  it('a second sweep does nothing', async () => {
    await interruptedReport();
    clock = later(120);
    await startUnstartedIncidentReviews(sweepDeps());

    const second = await startUnstartedIncidentReviews(sweepDeps());

    expect(second).toEqual({ started: [], failed: [] });
    expect(machine.executions.size).toBe(1);
    expect(await reportedEvents()).toHaveLength(1);
    expect(await recoveredStarts()).toHaveLength(1);
  });

  it('a review that cannot start now is logged and left for the next sweep; the others go on', async () => {
    const first = await interruptedReport();
    clock = later(1);
    const second = await interruptedReport({ ...REPORT, description: 'A second, unrelated exposure' });
    clock = later(120);
    machine.failNext();
    const errors = vi.spyOn(logger, 'error').mockImplementation(() => undefined);

    const result = await startUnstartedIncidentReviews(sweepDeps());

    expect(result).toEqual({ started: [second], failed: [first] });
    expect(errors).toHaveBeenCalledWith(
      'Could not start the review of a stored data incident; the next sweep tries again',
      expect.objectContaining({ incidentId: first, errorName: 'ThrottlingException' }),
    );
    expect(await unstarted()).toEqual([first]);
    clock = later(1000);
    expect(await startUnstartedIncidentReviews(sweepDeps())).toEqual({ started: [first], failed: [] });
  });

  it('the recovery sweep of recover-requests runs it and reports the incidents it started', async () => {
    const incidentId = await interruptedReport();
    clock = later(120);

    const result = await runRecoverySweep(recoverySweepDeps(table.store));

    expect(result.incidents).toEqual({ started: [incidentId], failed: [] });
    expect(result.started).toEqual([]);
  });

  it('a failing store stops the incident sweep only: the outbox sweep after it still runs, and the error is thrown after', async () => {
    let outboxSwept = false;
    const store = Object.create(table.store) as typeof table.store;
    store.listUnstartedIncidentReviews = async () => {
      throw new TransientError('List incidents whose review is not started: throttled');
    };
    store.listUnsentEffects = async (before, limit) => {
      outboxSwept = true;
      return table.store.listUnsentEffects(before, limit);
    };

    await expect(runRecoverySweep(recoverySweepDeps(store))).rejects.toBeInstanceOf(TransientError);
    expect(outboxSwept).toBe(true);
  });
});
