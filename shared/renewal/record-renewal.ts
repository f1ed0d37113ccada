/**
 * SOP 17, the annual renewal's result on the request: RENEWED (with the next due date schedule-renewal
 * set) or LAPSED (with the reason). The request's own status stays APPROVED — it was approved — and
 * its `renewal` says whether the approval is current; a lapse emails the requester and Cybersecurity,
 * who would otherwise learn of it only from the registry. Retry-safe: a lapse is emailed once, through
 * the outbox (docs/design.md "Outbox") under `renewal-lapsed#<the renewal's due date>#<reason hash>`,
 * recorded before the lapse is written (a retry that finds the lapse written sends nothing: the sweep
 * sends what the first attempt recorded).
 */

import { createHash } from 'node:crypto';
import { logger } from '../core/logger.ts';
import type { Mailer } from '../core/mail/mailer.ts';
import { type SendOnceDeps, sendOnce } from '../core/mail/send-once.ts';
import type { RequestStore } from '../requests/index.ts';
import type { RecordRenewalInput, RenewalRecord } from '../workflow/index.ts';
import { invalid } from '../workflow/index.ts';
import { renderRenewalLapsedEmail } from './renewal-email.ts';

const SOP_STEP = 17;

export interface RecordRenewalDeps {
  store: Pick<RequestStore, 'requireRequest' | 'updateRequest' | 'appendAudit'> & SendOnceDeps['outbox'];
  mailer: Mailer;
  now: () => Date;
  publicBaseUrl: string;
  cybersecurityEmail: string;
}

export async function recordRenewal(
  input: RecordRenewalInput,
  deps: RecordRenewalDeps,
): Promise<{ renewal: RenewalRecord }> {
  const { requestId, outcome, denial } = input;
  if (outcome === 'LAPSED' && !denial) throw invalid('denial', 'A lapsed renewal needs the reason');
  const request = await deps.store.requireRequest(requestId);
  const at = deps.now().toISOString();
  const previous = request.renewal ?? {};

  if (outcome === 'RENEWED') {
    // plan-renewal set IN_PROGRESS: RENEWED already is this step's earlier attempt, whose time (and
    // so its audit event, by key) this retry repeats.
    const renewedAt = previous.status === 'RENEWED' && previous.lastRenewedAt ? previous.lastRenewedAt : at;
    const renewal: RenewalRecord = {
      ...previous,
      status: 'RENEWED',
      lastRenewedAt: renewedAt,
      reason: `Annual renewal complete${previous.dueOn ? `: next renewal due ${previous.dueOn}` : ''}`,
    };
    const summary = `Annual renewal complete: the resource stays Active/Approved${previous.dueOn ? `; next renewal due ${previous.dueOn}` : ''}`;
    await deps.store.updateRequest(requestId, { renewal, currentStep: SOP_STEP, currentActivity: summary });
    await deps.store.appendAudit(
      { requestId, at: renewedAt, sopStep: SOP_STEP, type: 'RENEWED', summary, actor: 'workflow' },
      { key: 'renewed' },
    );
    logger.info('Renewal recorded', { sopStep: SOP_STEP, outcome });
    return { renewal };
  }

  // A lapse without its reason was refused above.
  const reason = denial?.reason ?? '';
  const alreadyLapsed = previous.status === 'LAPSED' && previous.reason === reason;
  // A retry after this step's update landed repeats the lapse it recorded: the same time, so the same
  // audit event (by key), written now if the first attempt died before it. (A record lapsed before
  // lapsedAt was kept has no time to repeat; its event was written then.)
  const lapsedAt = alreadyLapsed ? previous.lapsedAt : at;
  const { dueOn: _dueOn, scheduleName: _scheduleName, ...kept } = previous;
  const renewal: RenewalRecord = { ...kept, status: 'LAPSED', reason, ...(lapsedAt ? { lapsedAt } : {}) };
  const summary = `Annual renewal lapsed: ${reason}. The resource is Not Approved in the registry.`;
  if (!alreadyLapsed) {
    await sendOnce(
      { outbox: deps.store, mailer: deps.mailer, now: deps.now },
      requestId,
      lapseEffectKey(previous, reason),
      renderRenewalLapsedEmail({
        requesterEmail: request.submitted.requesterEmail,
        requesterName: request.submitted.requesterName,
        cybersecurityEmail: deps.cybersecurityEmail,
        requestId,
        resourceName: request.resource.name,
        reason,
        statusUrl: `${deps.publicBaseUrl}/requests/${encodeURIComponent(requestId)}`,
      }),
    );
  }
  await deps.store.updateRequest(requestId, { renewal, currentStep: SOP_STEP, currentActivity: summary });
  if (lapsedAt) {
    await deps.store.appendAudit(
      {
        requestId,
        at: lapsedAt,
        sopStep: SOP_STEP,
        type: 'RENEWAL_LAPSED',
        summary,
        actor: 'workflow',
        detail: { notified: ['requester', 'cybersecurity'] },
      },
      { key: 'lapsed' },
    );
  }
  logger.info('Renewal recorded', { sopStep: SOP_STEP, outcome });
  return { renewal };
}

/**
 * The lapse email's outbox key: this renewal (its due date; a re-vetting between renewals has none:
 * the last renewal's time) and the reason (the same lapse again is the same email).
 */
export function lapseEffectKey(previous: RenewalRecord, reason: string): string {
  const round = previous.dueOn ?? previous.lastRenewedAt ?? 'first';
  const why = createHash('sha256').update(reason).digest('hex').slice(0, 16);
  return `renewal-lapsed#${round}#${why}`;
}
