/**
 * What Cybersecurity's answer to a changed privacy policy does (the resource-watch execution calls this
 * after the `policy-change` task; `revoke` goes through publish-status, the registry's one door):
 * - `still-acceptable`: the new text becomes the reviewed snapshot (evidence of the request), so the
 *   next watch compares with it;
 * - `re-vet`: the same, and the resource is vetted again by the annual renewal's steps (DPA, SSL grade),
 *   started now; the registry says "Under review" until that vetting publishes its result.
 * An unreachable page has no new text: nothing is kept.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { EvidenceStore } from '../evidence/index.ts';
import type { RegistryStore } from '../registry/index.ts';
import type { ApplyPolicyDecisionInput, AuditEvent } from '../workflow/index.ts';
import { startWatch } from './start-watch.ts';
import { shortHash } from './store.ts';

/** Parsed by apply-policy-decision with applyPolicyDecisionInputSchema. */
export type PolicyDecisionInput = ApplyPolicyDecisionInput;

export interface PolicyDecisionDeps {
  store: Pick<EvidenceStore, 'addEvidence'> &
    Pick<RegistryStore, 'setRegistryUnderReview'> & {
      appendAudit(event: Omit<AuditEvent, 'at'> & { at?: string }): Promise<unknown>;
    };
  /** The annual renewal state machine, which vets an Approved resource again (SOP 17 steps). */
  renewal: { sfn: SFNClient; stateMachineArn: string };
  now: () => Date;
}

export async function applyPolicyDecision(
  input: PolicyDecisionInput,
  deps: PolicyDecisionDeps,
): Promise<{ snapshotKept: boolean; revetting: boolean }> {
  const { requestId, change } = input;
  let snapshotKept = false;
  if (!('unreachable' in change)) {
    const documentId = `${requestId}.${shortHash(change.key)}`;
    await deps.store.addEvidence({
      requestId,
      documentId,
      kind: 'privacy-policy',
      sha256: change.sha256,
      capturedAt: change.capturedAt,
      bytes: change.bytes,
      contentType: 'text/plain; charset=utf-8',
      key: change.key,
      by: { name: input.decidedBy, email: null, via: 'workflow' },
      url: change.url,
      finalUrl: change.finalUrl,
    });
    await deps.store.appendAudit({
      requestId,
      sopStep: 17,
      type: 'POLICY_SNAPSHOT_KEPT',
      summary: `The changed privacy policy at ${change.url} is now the reviewed policy (${input.decision})`,
      actor: input.decidedBy,
      detail: { documentId, sha256: change.sha256, url: change.url, kind: 'privacy-policy' },
    });
    snapshotKept = true;
  }
  if (input.decision !== 're-vet') return { snapshotKept, revetting: false };

  const since = deps.now().toISOString();
  await deps.store.setRegistryUnderReview(input.resourceId, requestId, {
    since,
    reason: 'The privacy policy changed; Cybersecurity is vetting the resource again',
  });
  const name = `re-vet-${requestId}-${shortHash(change.url, input.decidedAt).slice(0, 12)}`;
  await startWatch(
    { sfn: deps.renewal.sfn, stateMachineArn: deps.renewal.stateMachineArn },
    name,
    // The renewal's own input: it plans, sends the DPA again, re-tests the SSL grade and publishes.
    { requestId },
  );
  await deps.store.appendAudit({
    requestId,
    sopStep: 17,
    type: 'REVETTING_STARTED',
    summary:
      'Cybersecurity is vetting the resource again (DPA and SSL grade); the registry says Under review',
    actor: input.decidedBy,
    detail: { execution: name, url: change.url },
  });
  return { snapshotKept, revetting: true };
}
