/**
 * The privacy policy as Cybersecurity reviewed it (issue 20, docs/design.md "Evidence"): each page the
 * privacy review named is fetched (public hosts only, ≤ 5 redirects, ≤ 2 MB, time-limited:
 * vendor-page.ts), and its readable text kept in the document store with its SHA-256, as evidence of
 * the request. A page that cannot be fetched is recorded with the reason and never holds the review
 * up: the workflow went on when the review was decided. This snapshot is what the policy-change watch
 * compares against later.
 *
 * Runs on a schedule (keep-policy-snapshots) over the reviews that asked for it (GSI2 SNAPSHOT_DUE):
 * a fetch takes seconds, which a decision's POST must not wait for. A document id is made from the
 * review and the address, so a run that crashed half-way keeps nothing twice.
 */
import { createHash } from 'node:crypto';
import { INDEX_PARTITIONS, policySnapshotKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import type { AuditEvent } from '../workflow/index.ts';
import type { EvidenceStore } from './evidence.ts';
import type { DocumentStore } from './types.ts';
import type { VendorPageFetcher } from './vendor-page.ts';

export interface SnapshotDue {
  requestId: string;
  reviewedAt: string;
  urls: string[];
}

export class SnapshotStore {
  constructor(private readonly table: Table) {}

  /** The oldest reviews whose policy pages are not kept yet (eventually consistent: re-checked by key). */
  async listSnapshotsDue(limit: number): Promise<SnapshotDue[]> {
    return this.table.query<SnapshotDue>('List policy snapshots due', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': INDEX_PARTITIONS.policySnapshotsDue.key },
      Limit: limit,
    });
  }

  /** The review's pages are kept (or their failures recorded): it leaves the index. */
  async markSnapshotsKept(due: SnapshotDue, at: string): Promise<void> {
    await this.table.update('Mark policy snapshots kept', {
      Key: policySnapshotKey(due.requestId, due.reviewedAt),
      UpdateExpression: 'SET keptAt = :at REMOVE GSI2PK, GSI2SK',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':at': at },
    });
  }
}

export interface KeepSnapshotsDeps {
  store: Pick<SnapshotStore, 'listSnapshotsDue' | 'markSnapshotsKept'> &
    Pick<EvidenceStore, 'addEvidence' | 'addEvidenceFailure'> & {
      appendAudit(event: Omit<AuditEvent, 'at'> & { at?: string }): Promise<unknown>;
      listAudit(requestId: string): Promise<AuditEvent[]>;
    };
  documents: Pick<DocumentStore, 'put'>;
  fetcher: VendorPageFetcher;
  now: () => Date;
}

/** Reviews handled per run: each fetches at most 5 pages of at most 10 s. */
export const SNAPSHOTS_PER_RUN = 10;

const documentIdOf = (due: SnapshotDue, url: string) =>
  `${due.requestId}.${createHash('sha256').update(`${due.reviewedAt}\n${url}`).digest('base64url').slice(0, 22)}`;

export async function keepPolicySnapshots(
  deps: KeepSnapshotsDeps,
): Promise<{ reviews: number; kept: number; failed: number }> {
  const due = await deps.store.listSnapshotsDue(SNAPSHOTS_PER_RUN);
  let kept = 0;
  let failed = 0;
  for (const review of due) {
    const audited = new Set(
      (await deps.store.listAudit(review.requestId)).map((e) =>
        String(e.detail?.documentId ?? e.detail?.url ?? ''),
      ),
    );
    for (const url of review.urls) {
      const outcome = await keepOne(review, url, audited, deps);
      if (outcome === 'kept') kept++;
      else failed++;
    }
    await deps.store.markSnapshotsKept(review, deps.now().toISOString());
  }
  return { reviews: due.length, kept, failed };
}

async function keepOne(
  review: SnapshotDue,
  url: string,
  audited: Set<string>,
  deps: KeepSnapshotsDeps,
): Promise<'kept' | 'failed'> {
  const page = await deps.fetcher.fetch(url);
  const documentId = documentIdOf(review, url);
  if (!page.ok) {
    await deps.store.addEvidenceFailure({
      requestId: review.requestId,
      kind: 'privacy-policy',
      url,
      at: page.fetchedAt,
      code: page.code,
      message: page.message,
    });
    if (!audited.has(url)) {
      await deps.store.appendAudit({
        requestId: review.requestId,
        sopStep: 4,
        type: 'POLICY_SNAPSHOT_FAILED',
        summary: `The reviewed privacy policy could not be kept: ${page.message}`,
        actor: 'Cybersecurity (CCS) workflow',
        detail: { url, code: page.code },
      });
    }
    return 'failed';
  }
  const bytes = Buffer.from(page.text, 'utf8');
  const key = `documents/${review.requestId}/policy-${documentId.slice(-22)}.txt`;
  await deps.documents.put(key, bytes, 'text/plain; charset=utf-8');
  await deps.store.addEvidence({
    requestId: review.requestId,
    documentId,
    kind: 'privacy-policy',
    sha256: page.sha256,
    capturedAt: page.fetchedAt,
    bytes: bytes.length,
    contentType: 'text/plain; charset=utf-8',
    key,
    by: { name: 'Cybersecurity (CCS) workflow', email: null, via: 'workflow' },
    url,
    finalUrl: page.finalUrl,
  });
  if (!audited.has(documentId)) {
    await deps.store.appendAudit({
      requestId: review.requestId,
      sopStep: 4,
      type: 'POLICY_SNAPSHOT_KEPT',
      summary: 'A copy of the privacy policy Cybersecurity reviewed was kept',
      actor: 'Cybersecurity (CCS) workflow',
      detail: { documentId, sha256: page.sha256, url, finalUrl: page.finalUrl, kind: 'privacy-policy' },
    });
  }
  return 'kept';
}
