/**
 * A vendor's incident link (shared/stewardship/incident-links.ts, vendor-incidents.ts), on a real
 * DynamoDB engine for its conditional writes: each refusal comes before anything is written; the link
 * is not single-use but takes at most MAX_REPORTS_PER_INCIDENT_LINK reports; the report is on the
 * link's resource whatever the body says, and names the vendor as the reporter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#shared/core/errors.ts';
import { MAX_REPORTS_PER_INCIDENT_LINK } from '#shared/stewardship/incident-links.ts';
import {
  IncidentLinkRefusedError,
  reportThroughLink,
  type VendorIncidentDeps,
} from '#shared/stewardship/vendor-incidents.ts';
import type { RegistryEntry } from '#shared/workflow/index.ts';
import { type DynaliteTable, startDynaliteTable } from '../../support/dynalite-table.ts';
import { ABACUS_TUTOR as ENTRY, incidentWorld } from '../../support/incident-world.ts';

const NOW = new Date('2026-12-05T12:00:00.000Z');
const REQUEST_ID = ENTRY.requestId;
const REPORT = {
  reportedOn: '2026-11-30',
  description: 'A misconfigured export exposed a gradebook',
  dataElements: 'Student name',
};
/** The n-th of several different reports (the same report again is the same incident: incidents.ts). */
const nthReport = (n: number) => ({ ...REPORT, description: `${REPORT.description} (report ${n + 1})` });

let table: DynaliteTable;
let clock = NOW;
beforeAll(async () => {
  table = await startDynaliteTable(() => clock);
});
afterAll(async () => table.stop());

function world(entries: RegistryEntry[] = [ENTRY]) {
  const w = incidentWorld(entries, () => clock);
  const deps: VendorIncidentDeps = { ...w.deps, links: table.store };
  return { ...w, deps };
}

async function newLink(resourceId = ENTRY.resourceId) {
  return table.store.createIncidentLink({
    requestId: REQUEST_ID,
    resourceId,
    resourceName: 'Abacus Tutor',
    vendorName: 'Numeracy Co',
    sentTo: 'privacy@abacus.example',
  });
}

const reportsTaken = async (linkId: string) => (await table.store.getIncidentLink(linkId))?.reports;

async function refusal(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof IncidentLinkRefusedError) return error.status;
    throw error;
  }
}

describe("a vendor's incident link", () => {
  it('reports on the link resource as its vendor, whatever resourceId the body names', async () => {
    clock = NOW;
    const link = await newLink();
    const w = world();

    const result = await reportThroughLink(
      link.linkId,
      link.secret,
      { ...REPORT, resourceId: 'someone-else-0123456789ab' },
      w.deps,
    );

    expect(result.state).toBe('reported');
    expect(w.stored).toEqual([
      expect.objectContaining({
        resourceId: ENTRY.resourceId,
        requestId: REQUEST_ID,
        reportedBy: { name: 'vendor of Abacus Tutor', email: 'privacy@abacus.example', via: 'vendor-link' },
      }),
    ]);
    expect(w.audit).toEqual([
      expect.objectContaining({ actor: 'vendor of Abacus Tutor (privacy@abacus.example)' }),
    ]);
    expect(w.started).toHaveLength(1);
    expect(await reportsTaken(link.linkId)).toBe(1);
  });

  it('the same report again (a retry after an error) is the stored incident and takes no second report', async () => {
    clock = NOW;
    const link = await newLink();
    const w = world();

    const first = await reportThroughLink(link.linkId, link.secret, REPORT, w.deps);
    const again = await reportThroughLink(link.linkId, link.secret, REPORT, w.deps);
    const other = await reportThroughLink(link.linkId, link.secret, nthReport(1), w.deps);

    expect(again).toMatchObject({
      state: 'reported',
      incident: { incidentId: first.state === 'reported' ? first.incident.incidentId : '' },
    });
    expect(w.stored).toHaveLength(2);
    expect(other.state).toBe('reported');
    expect(await reportsTaken(link.linkId)).toBe(2);
  });

  it.each([
    ['an unknown link', 'unknown', 404],
    ['an altered secret', 'altered', 403],
    ['no secret', 'none', 403],
  ] as const)('%s: %i, nothing written, the allowance untouched', async (_, how, status) => {
    clock = NOW;
    const link = await newLink();
    const w = world();
    const linkId = how === 'unknown' ? 'A'.repeat(22) : link.linkId;
    const secret =
      how === 'altered' ? `${link.secret.slice(0, -1)}x` : how === 'none' ? undefined : link.secret;

    expect(await refusal(reportThroughLink(linkId, secret, REPORT, w.deps))).toBe(status);
    expect(w.stored).toEqual([]);
    expect(w.audit).toEqual([]);
    expect(w.started).toEqual([]);
    expect(await reportsTaken(link.linkId)).toBe(0);
  });

  it('bad fields: every one named, nothing written, the allowance untouched', async () => {
    clock = NOW;
    const link = await newLink();
    const w = world();

    const result = await reportThroughLink(link.linkId, link.secret, { reportedOn: 'soon' }, w.deps);

    expect(result.state === 'invalid' && result.errors.map((e) => e.field)).toEqual([
      'reportedOn',
      'description',
      'dataElements',
    ]);
    expect(w.stored).toEqual([]);
    expect(await reportsTaken(link.linkId)).toBe(0);
  });

  it('a resource the registry does not hold (yet): 409 and nothing taken', async () => {
    clock = NOW;
    const link = await newLink('not-approved-yet-0123456789ab');
    const w = world();

    expect(await refusal(reportThroughLink(link.linkId, link.secret, REPORT, w.deps))).toBe(409);
    expect(await reportsTaken(link.linkId)).toBe(0);
  });

  it(`takes ${MAX_REPORTS_PER_INCIDENT_LINK} reports, then answers 429 and writes nothing`, async () => {
    clock = NOW;
    const link = await newLink();
    const w = world();
    for (let i = 0; i < MAX_REPORTS_PER_INCIDENT_LINK; i++) {
      expect((await reportThroughLink(link.linkId, link.secret, nthReport(i), w.deps)).state).toBe(
        'reported',
      );
    }

    expect(
      await refusal(
        reportThroughLink(link.linkId, link.secret, nthReport(MAX_REPORTS_PER_INCIDENT_LINK), w.deps),
      ),
    ).toBe(429);
    expect(w.stored).toHaveLength(MAX_REPORTS_PER_INCIDENT_LINK);
    // The conditional write itself holds the limit (two reports at once at the last one: one loses).
    await expect(
      table.store.takeIncidentReport(link.linkId, {
        secretHash: (await table.store.getIncidentLink(link.linkId))?.secretHash ?? '',
        at: NOW.toISOString(),
      }),
    ).rejects.toBeInstanceOf(ConflictError);
  });

  it(`${MAX_REPORTS_PER_INCIDENT_LINK + 5} reports at once: exactly ${MAX_REPORTS_PER_INCIDENT_LINK} are taken, the rest answer 429`, async () => {
    clock = NOW;
    const link = await newLink();
    const w = world();

    const outcomes = await Promise.all(
      Array.from({ length: MAX_REPORTS_PER_INCIDENT_LINK + 5 }, (_, n) =>
        reportThroughLink(link.linkId, link.secret, nthReport(n), w.deps).then(
          (r) => r.state,
          (error: unknown) => (error instanceof IncidentLinkRefusedError ? error.status : 'failed'),
        ),
      ),
    );

    expect(outcomes.filter((o) => o === 'reported')).toHaveLength(MAX_REPORTS_PER_INCIDENT_LINK);
    expect(outcomes.filter((o) => o === 429)).toHaveLength(5);
    expect(w.stored).toHaveLength(MAX_REPORTS_PER_INCIDENT_LINK);
    expect(await reportsTaken(link.linkId)).toBe(MAX_REPORTS_PER_INCIDENT_LINK);
  });

  it('expires after its days: 410, nothing written', async () => {
    clock = NOW;
    const link = await newLink();
    const w = world();
    clock = new Date(new Date(link.expiresAt).getTime() + 1000);

    expect(await refusal(reportThroughLink(link.linkId, link.secret, REPORT, w.deps))).toBe(410);
    expect(w.stored).toEqual([]);
    expect(await reportsTaken(link.linkId)).toBe(0);
  });
});
