/**
 * The EMAIL_SUPPRESSED audit event: the mailer (shared/core/mail/suppressing-mailer.ts) left out a
 * recipient on the suppression list. Written on the email's request (its request id tag); an email
 * of no request (the weekly digest) is only logged.
 */

import { logger } from '../core/logger.ts';
import type { Email } from '../core/mail/mailer.ts';
import { MAIL_AUDIT_TYPES, type UndeliverableAddress } from '../core/mail/undeliverable.ts';
import type { RequestStore } from '../requests/index.ts';

export interface RecordSuppressedDeps {
  store: Pick<RequestStore, 'getRequest' | 'appendAudit'>;
}

export async function recordSuppressed(
  email: Email,
  suppressed: readonly UndeliverableAddress[],
  deps: RecordSuppressedDeps,
): Promise<void> {
  const requestId = email.tags?.requestId;
  const kind = email.tags?.kind;
  logger.warn('Email recipients suppressed', { kind, requestId, count: suppressed.length });
  const request = requestId ? await deps.store.getRequest(requestId) : undefined;
  if (!request) return;
  const what = kind ? `The ${kind.replace(/-/g, ' ')} email` : 'An email';
  for (const s of suppressed) {
    const why = s.reason === 'complaint' ? 'marked an earlier email as spam' : 'bounced permanently';
    await deps.store.appendAudit({
      requestId: request.requestId,
      sopStep: request.currentStep,
      type: MAIL_AUDIT_TYPES.suppressed,
      summary: `${what} was not sent to ${s.address}: the address ${why} on ${s.at.slice(0, 10)}`,
      actor: 'Mail delivery (suppression list)',
      detail: {
        address: s.address,
        reason: s.reason,
        ...(s.bounceType ? { bounceType: s.bounceType } : {}),
        bouncedAt: s.at,
        bouncedMessageId: s.messageId,
        ...(kind ? { kind } : {}),
      },
    });
  }
}
