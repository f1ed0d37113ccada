/**
 * The public list of approved resources (GET /public, /public.json, /public.csv; docs/design.md
 * "Public page"): what state student-privacy laws ask a district to publish (Illinois SOPPA 105 ILCS
 * 85/27, Colorado C.R.S. 22-16-107, Connecticut 10-234aa–dd, New York Ed Law 2-d): each operator, the
 * purpose, the student data elements, subprocessors, the agreement's dates and, when the district
 * publishes agreements, the agreement itself; and the data incidents.
 *
 * What it shows is chosen field by field (an allow-list, never a copy of a record): never budget codes,
 * costs, requesters, principals, comments or internal notes.
 */

import { formatCsvLine, type RegistryDeps, type RegistryStore, searchRegistry } from '../registry/index.ts';
import type { RequestStore } from '../requests/index.ts';
import type { IncidentStore } from '../stewardship/index.ts';
import type { RegistryEntry, RequestRecord } from '../workflow/index.ts';

export interface PublicResource {
  resourceId: string;
  resourceName: string;
  vendorName: string;
  purpose: string | null;
  gradeLevels: string[];
  contentAreas: string[];
  dataElements: string[];
  subprocessors: string[];
  dpa: { signedOn: string | null; expiresOn: string | null; documentUrl: string | null };
  approvedOn: string;
  nextReviewOn: string | null;
  deletion: { requestedOn: string | null; confirmedOn: string | null } | null;
}

export interface PublicIncident {
  resourceId: string;
  resourceName: string;
  reportedOn: string;
  studentsAffected: number | null;
  dataElements: string[];
}

/**
 * A resource no longer approved whose vendor was asked to delete the students' data (NDPA Exhibit D):
 * when it was asked, and when the certificate of destruction came.
 */
export interface PublicWithdrawn {
  resourceId: string;
  resourceName: string;
  vendorName: string;
  notApprovedOn: string;
  deletion: { requestedOn: string | null; confirmedOn: string | null };
}

export interface PublicList {
  generatedAt: string;
  items: PublicResource[];
  /** Newest first: date, data elements, students affected; never the description (it may name students). */
  incidents: PublicIncident[];
  withdrawn: PublicWithdrawn[];
}

export interface PublicListDeps extends RegistryDeps {
  store: RegistryDeps['store'] &
    Pick<RequestStore, 'getRequests'> &
    Pick<RegistryStore, 'listDeletions'> &
    Pick<IncidentStore, 'listIncidents'> & {
      /** The kept DPA of a request, when the district publishes agreements (shared/evidence). */
      listEvidence?(requestId: string): Promise<{ kind: string; documentId: string }[]>;
    };
  now: () => Date;
  /** cdk.json `publishAgreements`: link the signed agreement of each resource. */
  publishAgreements: boolean;
}

/** The list reads at most this many approved entries (40 pages of the registry's index). */
const MAX_PAGES = 40;

async function approvedEntries(deps: PublicListDeps): Promise<RegistryEntry[]> {
  const entries: RegistryEntry[] = [];
  let after: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const page = await searchRegistry({ q: '', status: 'APPROVED', ...(after ? { after } : {}) }, deps);
    entries.push(...page.entries);
    if (!page.next) break;
    after = Buffer.from(page.next, 'base64url').toString('utf8');
  }
  return entries;
}

const day = (iso: string | undefined) => (iso ? iso.slice(0, 10) : null);

function publicResource(
  entry: RegistryEntry,
  request: RequestRecord | undefined,
  documentUrl: string | null,
): PublicResource {
  const submitted = request?.submitted;
  const shared = request?.resource.studentDataShared ?? submitted?.studentDataShared ?? false;
  const dpa = request?.security?.dpa;
  return {
    resourceId: entry.resourceId,
    resourceName: entry.resourceName,
    vendorName: entry.vendorName,
    purpose: submitted?.studentUseVision ?? null,
    gradeLevels: submitted?.gradeLevels ?? [],
    contentAreas: submitted?.contentAreas ?? [],
    dataElements: shared ? (submitted?.studentDataElements ?? []) : [],
    subprocessors: request?.security?.privacyReview?.subprocessors ?? [],
    dpa: {
      signedOn: dpa?.decision === 'signed' ? day(dpa.decidedAt) : null,
      expiresOn: entry.dpaExpiresOn ?? (dpa?.decision === 'signed' ? (dpa.expiresOn ?? null) : null),
      documentUrl,
    },
    approvedOn: entry.statusDate.slice(0, 10),
    nextReviewOn: entry.renewalDueOn ?? null,
    // Approved now: nothing to delete (an earlier deletion went with the new approval; see `withdrawn`).
    deletion: null,
  };
}

export async function readPublicList(deps: PublicListDeps): Promise<PublicList> {
  const entries = await approvedEntries(deps);
  const requestIds = entries.map((e) => e.requestId).filter((id): id is string => Boolean(id));
  const requests = new Map((await deps.store.getRequests(requestIds)).map((r) => [r.requestId, r]));
  const items = await Promise.all(
    entries.map(async (entry) => {
      const request = entry.requestId ? requests.get(entry.requestId) : undefined;
      let documentUrl: string | null = null;
      if (deps.publishAgreements && request && deps.store.listEvidence) {
        const agreement = (await deps.store.listEvidence(request.requestId))
          .filter((e) => e.kind === 'dpa')
          .at(-1);
        if (agreement) documentUrl = `/public/agreements/${encodeURIComponent(agreement.documentId)}`;
      }
      return publicResource(entry, request, documentUrl);
    }),
  );
  const [incidents, deletions] = await Promise.all([deps.store.listIncidents(), deps.store.listDeletions()]);
  return {
    generatedAt: deps.now().toISOString(),
    items,
    // Field by field: the description stays with staff.
    incidents: incidents.map((i) => ({
      resourceId: i.resourceId,
      resourceName: i.resourceName,
      reportedOn: i.reportedOn,
      studentsAffected: i.studentsAffected,
      dataElements: i.dataElements,
    })),
    withdrawn: deletions.flatMap((e) =>
      e.status === 'NOT_APPROVED' && e.deletion
        ? [
            {
              resourceId: e.resourceId,
              resourceName: e.resourceName,
              vendorName: e.vendorName,
              notApprovedOn: e.statusDate.slice(0, 10),
              deletion: {
                requestedOn: day(e.deletion.requestedOn),
                confirmedOn: day(e.deletion.confirmedOn),
              },
            },
          ]
        : [],
    ),
  };
}

export const PUBLIC_CSV_COLUMNS = [
  'resourceName',
  'vendorName',
  'purpose',
  'gradeLevels',
  'contentAreas',
  'dataElements',
  'subprocessors',
  'dpaSignedOn',
  'dpaExpiresOn',
  'dpaDocumentUrl',
  'approvedOn',
  'nextReviewOn',
] as const;

export function publicCsv(list: PublicList): string {
  const rows = list.items.map((i) =>
    [
      i.resourceName,
      i.vendorName,
      i.purpose,
      i.gradeLevels.join('; '),
      i.contentAreas.join('; '),
      i.dataElements.join('; '),
      i.subprocessors.join('; '),
      i.dpa.signedOn,
      i.dpa.expiresOn,
      i.dpa.documentUrl,
      i.approvedOn,
      i.nextReviewOn,
    ].map((value) => value ?? ''),
  );
  return [PUBLIC_CSV_COLUMNS, ...rows].map(formatCsvLine).join('');
}
