/**
 * The policy-change watch (issue 22 item 1; docs/design.md "Monitoring"). An Approved resource is looked
 * at again only once a year (SOP 17); in between, vendors change their privacy policies. Every
 * `policyCheckDays` each reviewed policy address of every Approved resource (the snapshot kept after its
 * privacy review, or the one Cybersecurity accepted since) is fetched with the same rules as the
 * snapshot (vendor-page.ts) and compared, normalised (policy-text.ts):
 * - a material change: the new text is kept in the document store, the difference (sentences added and
 *   removed) audited on the request, and a resource-watch execution opens the `policy-change` task;
 * - whitespace, dates or tracking parameters only: nothing;
 * - a page that cannot be fetched three times running: the same task, with the error.
 * Executions are named by the change, so a change opens one task however often it is seen.
 */
import type { DocumentStore, EvidenceRecord, EvidenceStore, VendorPageFetcher } from '../evidence/index.ts';
import type { RegistryDeps } from '../registry/index.ts';
import type { AuditEvent, RegistryEntry } from '../workflow/index.ts';
import { approvedResources } from './approved-resources.ts';
import { isMaterialChange, type PolicyDifference, policyDifference } from './policy-text.ts';
import { startWatch, type WatchStarter } from './start-watch.ts';
import { type PolicyWatchState, shortHash, type WatchStore } from './store.ts';
import type { ChangedPolicy } from './types.ts';

/** Failed fetches in a row that open the task (one per outage). */
export const UNREACHABLE_AFTER_FAILURES = 3;

export interface PolicyWatchDeps {
  registry: RegistryDeps;
  store: Pick<EvidenceStore, 'listEvidence'> &
    Pick<WatchStore, 'getPolicyWatch' | 'putPolicyWatch'> & {
      appendAudit(event: Omit<AuditEvent, 'at'> & { at?: string }): Promise<unknown>;
      listAudit(requestId: string): Promise<AuditEvent[]>;
    };
  documents: Pick<DocumentStore, 'read' | 'put'>;
  fetcher: VendorPageFetcher;
  watch: WatchStarter;
  now: () => Date;
}

export interface PolicyWatchRun {
  resources: number;
  pages: number;
  unchanged: number;
  changed: number;
  unreachable: number;
  /** Tasks opened by this run (a change seen before opened its task then). */
  tasksOpened: number;
}

const ACTOR = 'Cybersecurity (CCS) policy watch';

/** The reviewed pages of a request: for each address, the newest snapshot kept. */
export function reviewedPolicies(evidence: readonly EvidenceRecord[]): EvidenceRecord[] {
  const newest = new Map<string, EvidenceRecord>();
  for (const record of evidence) {
    if (record.kind !== 'privacy-policy' || !record.url) continue;
    const seen = newest.get(record.url);
    if (!seen || seen.capturedAt < record.capturedAt) newest.set(record.url, record);
  }
  return [...newest.values()];
}

export async function watchPolicies(deps: PolicyWatchDeps): Promise<PolicyWatchRun> {
  const run: PolicyWatchRun = {
    resources: 0,
    pages: 0,
    unchanged: 0,
    changed: 0,
    unreachable: 0,
    tasksOpened: 0,
  };
  for await (const entry of approvedResources(deps.registry)) {
    const policies = reviewedPolicies(await deps.store.listEvidence(entry.requestId));
    if (policies.length === 0) continue;
    run.resources++;
    for (const snapshot of policies) {
      run.pages++;
      const outcome = await checkPolicy(entry, snapshot, deps);
      run[outcome.seen]++;
      if (outcome.opened) run.tasksOpened++;
    }
  }
  return run;
}

type CheckOutcome = { seen: 'unchanged' | 'changed' | 'unreachable'; opened: boolean };

async function checkPolicy(
  entry: RegistryEntry & { requestId: string },
  snapshot: EvidenceRecord,
  deps: PolicyWatchDeps,
): Promise<CheckOutcome> {
  const url = snapshot.url ?? '';
  const { requestId } = entry;
  const previous = await deps.store.getPolicyWatch(requestId, url);
  const page = await deps.fetcher.fetch(url);
  const checkedAt = deps.now().toISOString();
  if (!page.ok) {
    const failures = (previous?.failures ?? 0) + 1;
    const failingSince = previous?.failingSince ?? page.fetchedAt;
    await deps.store.putPolicyWatch({
      requestId,
      url,
      lastCheckedAt: checkedAt,
      failures,
      lastError: page.message,
      failingSince,
    });
    // Exactly at the third failure: an outage opens one task, not one a week.
    if (failures !== UNREACHABLE_AFTER_FAILURES) return { seen: 'unreachable', opened: false };
    const opened = await openTask(
      entry,
      `policy-unreachable-${requestId}-${shortHash(url, failingSince)}`,
      deps,
      {
        audit: {
          type: 'POLICY_UNREACHABLE',
          summary: `The reviewed privacy policy at ${url} could not be fetched ${failures} times running: ${page.message}`,
          detail: { url, error: page.message, code: page.code, failures, failingSince },
        },
        change: { url, unreachable: true },
      },
    );
    return { seen: 'unreachable', opened };
  }
  const state: PolicyWatchState = { requestId, url, lastCheckedAt: checkedAt, failures: 0 };
  await deps.store.putPolicyWatch(state);
  if (page.sha256 === snapshot.sha256) return { seen: 'unchanged', opened: false };
  const before = await deps.documents.read(snapshot.key);
  const difference: PolicyDifference = before
    ? policyDifference(Buffer.from(before.bytes).toString('utf8'), page.text)
    : { added: [], removed: [] };
  if (!before || !isMaterialChange(difference)) return { seen: 'unchanged', opened: false };

  const bytes = Buffer.from(page.text, 'utf8');
  const key = `documents/${requestId}/policy-${shortHash(url, page.sha256)}.txt`;
  await deps.documents.put(key, bytes, 'text/plain; charset=utf-8');
  const change: ChangedPolicy = {
    url,
    finalUrl: page.finalUrl,
    sha256: page.sha256,
    key,
    capturedAt: page.fetchedAt,
    bytes: bytes.length,
  };
  const opened = await openTask(entry, `policy-change-${requestId}-${shortHash(url, page.sha256)}`, deps, {
    audit: {
      type: 'POLICY_CHANGED',
      summary: `The reviewed privacy policy at ${url} changed: ${difference.added.length} sentence(s) added, ${difference.removed.length} removed`,
      detail: { url, sha256: page.sha256, previousSha256: snapshot.sha256, ...difference },
    },
    change,
  });
  return { seen: 'changed', opened };
}

/**
 * Audits what was seen (the task reads the difference there), once per change, then starts the
 * execution that opens the task; a change already started opens nothing.
 */
async function openTask(
  entry: RegistryEntry & { requestId: string },
  name: string,
  deps: PolicyWatchDeps,
  what: {
    audit: {
      type: 'POLICY_CHANGED' | 'POLICY_UNREACHABLE';
      summary: string;
      detail: Record<string, unknown>;
    };
    change: ChangedPolicy | { url: string; unreachable: true };
  },
): Promise<boolean> {
  const { requestId } = entry;
  const trail = await deps.store.listAudit(requestId);
  if (!trail.some((e) => e.type === what.audit.type && e.detail?.watch === name)) {
    await deps.store.appendAudit({
      requestId,
      sopStep: 17,
      type: what.audit.type,
      summary: what.audit.summary,
      actor: ACTOR,
      detail: { ...what.audit.detail, watch: name },
    });
  }
  const started = await startWatch(deps.watch, name, {
    requestId,
    resourceId: entry.resourceId,
    check: 'policy-change',
    change: what.change,
  });
  return started === 'started';
}
