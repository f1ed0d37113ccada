/**
 * The outbox sweep (docs/design.md "Outbox"), run with the other recovery sweeps (recover-requests:
 * every 15 minutes on AWS, at start and every few minutes locally): every email recorded in the outbox
 * more than the cut-off ago and never marked sent belongs to a sender that died (a kill, a Lambda
 * timeout) before SES accepted it or before the mark. The sweep claims it (so two sweeps never both
 * send it), sends it and marks it sent with SES's message id. Sent again after a death between SES
 * and the mark, it is the one duplicate the outbox allows; it is never lost.
 *
 * An email that cannot be sent now (SES refuses it, or the store fails) is logged at error level and
 * left for the next sweep (its claim goes stale); the others go on.
 */
import { logger } from '../core/logger.ts';
import { DEFAULT_OUTBOX_MIN_AGE_SECONDS, type SendOnceDeps, sendRecorded } from '../core/mail/send-once.ts';
import type { OutboxStore } from '../core/store/outbox.ts';
import { cutOff } from './request-recovery.ts';
import { sweepEach } from './sweep-each.ts';

/** Emails per sweep, the oldest first; the rest wait for the next sweep. */
export const DEFAULT_OUTBOX_SWEEP_LIMIT = 100;

export interface OutboxRecoveryDeps extends Omit<SendOnceDeps, 'outbox'> {
  store: SendOnceDeps['outbox'] & Pick<OutboxStore, 'listUnsentEffects' | 'getEffect'>;
}

/** `requestId/effectKey` of the emails by what the sweep did with them. */
export interface OutboxRecoveryResult {
  sent: string[];
  failed: string[];
}

export async function sendUnsentEffects(
  deps: OutboxRecoveryDeps,
  {
    minAgeSeconds = DEFAULT_OUTBOX_MIN_AGE_SECONDS,
    limit = DEFAULT_OUTBOX_SWEEP_LIMIT,
    restartedAt,
  }: {
    minAgeSeconds?: number;
    limit?: number;
    /** The local runtime restarted then: an entry recorded before it is a dead sender's, whatever its age. */
    restartedAt?: Date;
  } = {},
): Promise<OutboxRecoveryResult> {
  const staleBefore = cutOff(deps.now(), minAgeSeconds, restartedAt);
  const listed = await deps.store.listUnsentEffects(staleBefore, limit);
  return sweepEach(listed, {
    outcomes: ['sent'],
    limit,
    identify: ({ requestId, effectKey }) => ({
      id: `${requestId}/${effectKey}`,
      logFields: { requestId, effectKey },
    }),
    recover: async ({ requestId, effectKey }) => {
      // Read again (the index is eventually consistent), then claim: another sweep may be at it.
      const entry = await deps.store.getEffect(requestId, effectKey);
      if (!entry?.email || entry.sentAt) return undefined;
      if (!(await deps.store.claimStaleEffect(requestId, effectKey, staleBefore))) return undefined;
      const { messageId } = await sendRecorded(
        { outbox: deps.store, mailer: deps.mailer },
        { ...entry, email: entry.email },
      );
      logger.warn('Email recorded by a sender that died was sent by the outbox sweep', {
        requestId,
        effectKey,
        recordedAt: entry.recordedAt,
        messageId,
      });
      return 'sent';
    },
    failureMessage: 'Could not send an email recorded in the outbox; the next sweep tries again',
    summaryMessage: 'Outbox swept',
    onTransientError: 'go-on',
  });
}
