/**
 * Reporting a data incident (shared/stewardship/incidents.ts): every bad field is named at once and
 * nothing is stored or started; a good report is kept with its notice clocks' due dates, audited on
 * the resource's request, and starts one incident-review execution named by the incident.
 */
import { describe, expect, it } from 'vitest';
import { parseIncidentClocks } from '#shared/stewardship/clocks.ts';
import { type IncidentReporter, reportIncident } from '#shared/stewardship/incidents.ts';
import type { RegistryEntry } from '#shared/workflow/index.ts';
import {
  LEDGER_QUEST as ENTRY,
  LEDGER_QUEST_REPORT as GOOD,
  incidentWorld,
  STAFF_REPORTER as STAFF,
} from '../../support/incident-world.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const world = (entries: RegistryEntry[] = [ENTRY]) => incidentWorld(entries, () => NOW);

describe('reporting a data incident', () => {
  it.each([
    ['no resource', { resourceId: '' }, 'resourceId'],
    ['a date not as YYYY-MM-DD', { reportedOn: '20/11/2026' }, 'reportedOn'],
    ['a date that does not exist', { reportedOn: '2026-02-30' }, 'reportedOn'],
    ['a date in the future', { reportedOn: '2026-12-06' }, 'reportedOn'],
    ['no description', { description: '   ' }, 'description'],
    ['a description too long', { description: 'x'.repeat(4001) }, 'description'],
    ['a negative count of students', { studentsAffected: -1 }, 'studentsAffected'],
    ['a fractional count of students', { studentsAffected: 2.5 }, 'studentsAffected'],
    ['a count that is not a number', { studentsAffected: { n: 3 } }, 'studentsAffected'],
    ['no data elements', { dataElements: [] }, 'dataElements'],
    ['data elements that are not texts', { dataElements: [1, 2] }, 'dataElements'],
    ['a resource the registry does not have', { resourceId: 'nobody#nothing' }, 'resourceId'],
  ])('%s: a 400 naming the field, nothing stored or started', async (_, change, field) => {
    const w = world();

    const result = await reportIncident({ ...GOOD, ...change }, STAFF, w.deps);

    expect(result).toEqual({ state: 'invalid', errors: [expect.objectContaining({ field })] });
    expect(w.stored).toEqual([]);
    expect(w.audit).toEqual([]);
    expect(w.started).toEqual([]);
  });

  it('names every bad field at once', async () => {
    const result = await reportIncident({ resourceId: ENTRY.resourceId }, STAFF, world().deps);

    expect(result.state === 'invalid' && result.errors.map((e) => e.field)).toEqual([
      'reportedOn',
      'description',
      'dataElements',
    ]);
  });

  it('an imported resource (no request on file) and a vendor link of another resource are refused', async () => {
    const imported = world([{ ...ENTRY, source: 'imported', requestId: undefined, requestIds: undefined }]);
    const other: IncidentReporter = {
      via: 'vendor-link',
      name: 'Vendor contact',
      email: 'privacy@other.example',
      requestId: 'SR-20260101-OTHER001',
    };

    expect((await reportIncident(GOOD, STAFF, imported.deps)).state).toBe('invalid');
    expect((await reportIncident(GOOD, other, world().deps)).state).toBe('invalid');
    expect(imported.stored).toEqual([]);
  });

  it('keeps the incident with each clock counted from its date, audits it and starts one review named by it', async () => {
    const w = world();

    const result = await reportIncident(
      { ...GOOD, studentsAffected: '', dataElements: 'Student name\nStudent name\nGrade level' },
      STAFF,
      w.deps,
    );

    expect(result.state).toBe('reported');
    expect(w.stored).toEqual([
      expect.objectContaining({
        resourceId: ENTRY.resourceId,
        requestId: ENTRY.requestId,
        studentsAffected: null,
        dataElements: ['Student name', 'Grade level'],
        clocks: [
          { name: 'notify parents', days: 30, dueOn: '2026-12-20' },
          { name: 'contractor to district', days: 7, dueOn: '2026-11-27' },
        ],
        reportedBy: { name: 'Pat Teacher', email: 'pat@district.example.org', via: 'sso' },
      }),
    ]);
    expect(w.audit).toEqual([
      expect.objectContaining({ type: 'INCIDENT_REPORTED', requestId: ENTRY.requestId }),
    ]);
    const incidentId = w.stored[0]?.incidentId;
    expect(w.started).toEqual([expect.objectContaining({ name: `incident-${incidentId}` })]);
  });
});

describe('incidentClocks (cdk.json)', () => {
  it('refuses a clock without a name or with days out of bounds, naming each', () => {
    expect(() =>
      parseIncidentClocks([
        { name: '', days: 30 },
        { name: 'x', days: 0 },
      ]),
    ).toThrow(/incidentClocks\[0\]\.name.*incidentClocks\[1\]\.days/);
    expect(() => parseIncidentClocks({ name: 'x', days: 3 })).toThrow(/must be a list/);
  });
});
