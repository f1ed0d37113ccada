/**
 * The vendor's incident link (docs/design.md "Stewardship"): the DPA emails (SOP 4, and each annual
 * renewal's, SOP 17) carry an address through which the vendor reports a student data incident on that
 * one resource, in either sign-in mode (vendors never sign in). Same rules as task and upload links: a
 * random id, a 256-bit secret of which only the hash is stored, an expiry. Unlike them it is not
 * single-use (a vendor may have more than one incident to report) but bounded: each report takes one
 * of MAX_REPORTS_PER_INCIDENT_LINK by a conditional write, so a leaked link cannot flood the review.
 */
import { ConflictError } from '../core/errors.ts';
import { incidentLinkKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import { hashSecret, isTaskId, newTaskId, newTaskSecret, secretMatches } from '../tasks/index.ts';

/**
 * A DPA is signed for a year and the renewal's email brings a new link; the link outlives the year by
 * the renewal's DPA wait, so the vendor always holds one that works.
 */
export const INCIDENT_LINK_DAYS = 400;
/** Reports one link takes over its life: far above a vendor's incidents on one resource in a year. */
export const MAX_REPORTS_PER_INCIDENT_LINK = 10;

export interface IncidentLinkRecord {
  linkId: string;
  /** The request whose DPA email carried the link (the incident's audit trail and task belong to it). */
  requestId: string;
  /** The registry entry the link reports on (the request's resource). */
  resourceId: string;
  resourceName: string;
  vendorName: string;
  /** SHA-256 of the link secret (base64url). */
  secretHash: string;
  /** The vendor contact the DPA email went to: the reporter the audit trail names. */
  sentTo: string;
  createdAt: string;
  expiresAt: string;
  /** Reports taken through the link so far. */
  reports: number;
}

/** What a presented incident link is: usable, or why not (each a clear page). */
export type IncidentLinkState =
  | { state: 'open'; link: IncidentLinkRecord }
  | { state: 'not-found' }
  | { state: 'forbidden' }
  | { state: 'expired'; link: IncidentLinkRecord }
  | { state: 'used-up'; link: IncidentLinkRecord };

/** `/incidents?link=<id>&t=<secret>`: the one route that takes reports (POST) also shows the form (GET). */
export function incidentLinkUrl(publicBaseUrl: string, linkId: string, secret: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}/incidents?link=${encodeURIComponent(linkId)}&t=${encodeURIComponent(secret)}`;
}

const DAY_MS = 86_400_000;

export class IncidentLinkStore {
  constructor(private readonly table: Table) {}

  /** A new link for the vendor of `requestId`'s resource; returns the secret, which only the email carries. */
  async createIncidentLink(input: {
    requestId: string;
    resourceId: string;
    resourceName: string;
    vendorName: string;
    sentTo: string;
  }): Promise<{ linkId: string; secret: string; expiresAt: string }> {
    const linkId = newTaskId();
    const secret = newTaskSecret();
    const now = this.table.now();
    const expiresAt = new Date(now.getTime() + INCIDENT_LINK_DAYS * DAY_MS).toISOString();
    const record: IncidentLinkRecord = {
      ...input,
      linkId,
      secretHash: hashSecret(secret),
      createdAt: now.toISOString(),
      expiresAt,
      reports: 0,
    };
    await this.table.putNew('Create incident link', {
      ...incidentLinkKey(linkId),
      entity: 'incident-link',
      // Kept a while after expiry, so an old email's link answers "expired" rather than "not found".
      expiresAtEpoch: this.table.expiresAtEpoch(90, new Date(expiresAt)),
      ...record,
    });
    return { linkId, secret, expiresAt };
  }

  async getIncidentLink(linkId: string): Promise<IncidentLinkRecord | undefined> {
    return isTaskId(linkId)
      ? this.table.get<IncidentLinkRecord>('Read incident link', incidentLinkKey(linkId))
      : undefined;
  }

  /**
   * One report is taken through the link: only with this secret, before expiry, while fewer than
   * MAX_REPORTS_PER_INCIDENT_LINK were. ConflictError otherwise (two at once at the limit: one loses).
   */
  async takeIncidentReport(linkId: string, claim: { secretHash: string; at: string }): Promise<void> {
    await this.table.update('Take incident report', {
      Key: incidentLinkKey(linkId),
      UpdateExpression: 'SET reports = reports + :one, lastReportedAt = :at',
      ConditionExpression: 'secretHash = :hash AND expiresAt > :at AND reports < :max',
      ExpressionAttributeValues: {
        ':one': 1,
        ':at': claim.at,
        ':hash': claim.secretHash,
        ':max': MAX_REPORTS_PER_INCIDENT_LINK,
      },
    });
  }
}

/** Checks a presented link: unknown, wrong secret, expired, used up, or open. Reads only. */
export async function checkIncidentLink(
  linkId: string | undefined,
  secret: string | undefined,
  deps: { links: Pick<IncidentLinkStore, 'getIncidentLink'>; now: () => Date },
): Promise<IncidentLinkState> {
  const link = linkId ? await deps.links.getIncidentLink(linkId) : undefined;
  if (!link) return { state: 'not-found' };
  if (!secretMatches(secret, link.secretHash)) return { state: 'forbidden' };
  if (link.expiresAt <= deps.now().toISOString()) return { state: 'expired', link };
  if (link.reports >= MAX_REPORTS_PER_INCIDENT_LINK) return { state: 'used-up', link };
  return { state: 'open', link };
}

/** Takes one report, or says why the link can no longer take one (it changed since it was checked). */
export async function takeReport(
  link: IncidentLinkRecord,
  deps: { links: Pick<IncidentLinkStore, 'takeIncidentReport'>; now: () => Date },
): Promise<'taken' | 'refused'> {
  try {
    await deps.links.takeIncidentReport(link.linkId, {
      secretHash: link.secretHash,
      at: deps.now().toISOString(),
    });
    return 'taken';
  } catch (error) {
    if (error instanceof ConflictError) return 'refused';
    throw error;
  }
}
