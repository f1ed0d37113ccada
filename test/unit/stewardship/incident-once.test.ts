/**
 * A reported incident gets its review started exactly once (shared/stewardship/incidents.ts), on a real
 * DynamoDB engine for its conditional writes and the unstarted index: the same report sent again is the
 * same incident (one incident, one INCIDENT_REPORTED event, one incident-review execution), a different
 * report is another incident, and the reporter's retry after a failed start finishes the first one.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type IncidentReporter, reportIncident } from '#shared/stewardship/incidents.ts';
import type { IncidentRecord } from '#shared/workflow/index.ts';
import {
  LEDGER_QUEST as ENTRY,
  LEDGER_QUEST_REPORT as REPORT,
  STAFF_REPORTER as STAFF,
  useIncidentTable,
} from '../../support/incident-world.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
let clock: Date;
beforeEach(() => {
  clock = NOW;
});
const { table, machine, reportDeps: deps, unstarted, reportedEvents } = useIncidentTable(ENTRY, () => clock);

const later = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);

async function reported(body: Record<string, unknown>, reporter: IncidentReporter = STAFF) {
  const result = await reportIncident(body, reporter, deps());
  if (result.state !== 'reported') throw new Error(`not reported: ${JSON.stringify(result)}`);
  return result.incident;
}

const incidents = () => table.store.listIncidents();
const reviewsOf = (incident: IncidentRecord) =>
  [...machine.executions].filter(([name]) => name === `incident-${incident.incidentId}`);

describe('the same report is the same incident', () => {
  it('sent twice: one incident, one INCIDENT_REPORTED event, one review; both answers name it', async () => {
    const first = await reported(REPORT);
    clock = later(30);

    const again = await reported(REPORT);

    expect(again).toEqual({ ...first, reviewStartedAt: NOW.toISOString() });
    expect(await incidents()).toEqual([expect.objectContaining({ incidentId: first.incidentId })]);
    expect(await reportedEvents()).toHaveLength(1);
    expect([...machine.executions.keys()]).toEqual([`incident-${first.incidentId}`]);
    expect(await unstarted()).toEqual([]);
  });

  it('the same facts as a form sends them (CRLF, elements in another order, the address in capitals) are the same report', async () => {
    const first = await reported({ ...REPORT, description: 'Rosters exported\nby a compromised account' });

    const again = await reported(
      {
        ...REPORT,
        description: 'Rosters exported\r\nby a compromised account',
        dataElements: 'Grade level\r\nStudent name',
        studentsAffected: '42',
      },
      { ...STAFF, email: 'Pat@District.example.org' },
    );

    expect(again.incidentId).toBe(first.incidentId);
    expect(await incidents()).toHaveLength(1);
  });

  it('a different report, or the same facts from someone else, is another incident with its own review', async () => {
    const first = await reported(REPORT);

    const other = await reported({ ...REPORT, studentsAffected: 43 });
    const colleague = await reported(REPORT, {
      via: 'sso',
      name: 'Lee Counselor',
      email: 'lee@district.example.org',
    });

    expect(new Set([first.incidentId, other.incidentId, colleague.incidentId]).size).toBe(3);
    expect(await incidents()).toHaveLength(3);
    expect(await reportedEvents()).toHaveLength(3);
    expect(machine.executions.size).toBe(3);
  });

  it('its id keeps the inc- shape of 12 characters of [A-Za-z0-9-]', async () => {
    expect((await reported(REPORT)).incidentId).toMatch(/^inc-[A-Za-z0-9-]{12}$/);
  });

  it('sent again long after its review started (Step Functions has forgotten the name): no second review', async () => {
    const first = await reported(REPORT);
    machine.executions.clear();
    clock = later(120 * 86_400);

    const again = await reported(REPORT);

    expect(again.incidentId).toBe(first.incidentId);
    expect(machine.executions.size).toBe(0);
    expect(await reportedEvents()).toHaveLength(1);
  });
});

describe("the reporter's retry after a failed start", () => {
  it('StartExecution fails: the error reaches the reporter, the incident and its event are kept, unstarted', async () => {
    machine.failNext();

    await expect(reportIncident(REPORT, STAFF, deps())).rejects.toThrow(/Rate exceeded/);

    const [incident] = await incidents();
    expect(incident).toBeDefined();
    expect(await unstarted()).toEqual([incident?.incidentId]);
    expect(await reportedEvents()).toHaveLength(1);
    expect(machine.executions.size).toBe(0);
  });

  it('the same report sent again finishes it: no second incident, one event, its review started once', async () => {
    machine.failNext();
    await expect(reportIncident(REPORT, STAFF, deps())).rejects.toThrow();
    const [stored] = await incidents();
    clock = later(20);

    const again = await reported(REPORT);

    expect(again).toMatchObject({ incidentId: stored?.incidentId, reportedAt: NOW.toISOString() });
    expect(await incidents()).toHaveLength(1);
    expect(await reportedEvents()).toHaveLength(1);
    expect(reviewsOf(again)).toEqual([
      [
        `incident-${again.incidentId}`,
        {
          kind: 'incident-review',
          requestId: ENTRY.requestId,
          resourceId: ENTRY.resourceId,
          incidentId: again.incidentId,
        },
      ],
    ]);
    expect(await unstarted()).toEqual([]);
  });
});
