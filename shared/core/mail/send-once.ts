/**
 * An email through the outbox (shared/core/store/outbox.ts; docs/design.md "Outbox"): recorded under
 * its effect key, sent by whoever recorded it, marked sent with SES's message id. Never lost, at most
 * one duplicate per crash:
 *   - the recorder sends and marks; SES refusing it releases the entry (nothing went out) and throws,
 *     so the caller's retry records and sends it again;
 *   - anyone meeting an unsent entry recorded less than the cut-off ago leaves it alone ('pending'):
 *     its recorder may be sending right now (a double-click, a concurrent retry);
 *   - an unsent entry older than the cut-off belongs to a recorder that died before the send or
 *     before the mark: the recovery sweep (or a late retry) claims it and sends it. If the recorder
 *     died after SES accepted it and before the mark, this second send is the one duplicate; exactly
 *     once is impossible without SES taking an idempotency key, which it does not.
 */
import { retryAfterEmail } from '../aws/transient.ts';
import { logger } from '../logger.ts';
import type { OutboxEntry, OutboxStore, RecordResult } from '../store/outbox.ts';
import type { Email, Mailer } from './mailer.ts';

/** Longer than any step or submission runs (Lambda timeouts: 30-60 s), so a live sender is never raced. */
export const DEFAULT_OUTBOX_MIN_AGE_SECONDS = 60;

export interface SendOnceDeps {
  outbox: Pick<OutboxStore, 'recordEffect' | 'claimStaleEffect' | 'markEffectSent' | 'releaseEffect'>;
  mailer: Mailer;
  now: () => Date;
}

export type SendOnceResult =
  /** Sent now (`messageId`), or before (`before`: a retry found it marked). */
  | { outcome: 'sent'; sentAt: string; messageId?: string; before: boolean }
  /** Recorded and not marked, by a sender that may still be at it: it or the sweep sends it. */
  | { outcome: 'pending'; recordedAt: string };

/**
 * Sends `email` once under `effectKey` (unique among the request's side effects; the same key for a
 * retry of the same step). Throws what the mailer throws when SES refused it (released: the caller's
 * retry sends it), or a store error (nothing sent, or sent and not marked: the sweep finishes it).
 */
export async function sendOnce(
  deps: SendOnceDeps,
  requestId: string,
  effectKey: string,
  email: Email,
  { minAgeSeconds = DEFAULT_OUTBOX_MIN_AGE_SECONDS }: { minAgeSeconds?: number } = {},
): Promise<SendOnceResult> {
  const recorded = await deps.outbox.recordEffect(requestId, effectKey, email);
  return sendAfterRecord(deps, recorded, email, { minAgeSeconds });
}

/**
 * The rest of sendOnce for an effect the caller recorded itself (the weekly digest records all its
 * emails before it sends any): the recorder sends it; a held entry is sent, left or claimed as above.
 */
export async function sendAfterRecord(
  deps: SendOnceDeps,
  recorded: RecordResult,
  email: Email,
  { minAgeSeconds = DEFAULT_OUTBOX_MIN_AGE_SECONDS }: { minAgeSeconds?: number } = {},
): Promise<SendOnceResult> {
  const { requestId, effectKey } = recorded.entry;
  if (!recorded.recorded) {
    const { entry } = recorded;
    if (entry.sentAt) return { outcome: 'sent', sentAt: entry.sentAt, before: true };
    const staleBefore = new Date(deps.now().getTime() - minAgeSeconds * 1000).toISOString();
    if (!entry.email || !(await deps.outbox.claimStaleEffect(requestId, effectKey, staleBefore))) {
      return { outcome: 'pending', recordedAt: entry.recordedAt };
    }
    return sendRecorded(deps, { ...entry, email: entry.email });
  }
  return sendRecorded(deps, { ...recorded.entry, email }, { releaseOnRefusal: true });
}

/**
 * Sends an entry this caller holds (it recorded or claimed it) and marks it sent. The recorder
 * releases it when SES refuses it; a claimer leaves it for the next sweep.
 */
export async function sendRecorded(
  deps: Pick<SendOnceDeps, 'outbox' | 'mailer'>,
  entry: OutboxEntry & { email: Email },
  { releaseOnRefusal = false } = {},
): Promise<Extract<SendOnceResult, { outcome: 'sent' }>> {
  const { requestId, effectKey } = entry;
  let messageId: string;
  try {
    ({ messageId } = await deps.mailer.send(entry.email));
  } catch (error) {
    if (releaseOnRefusal) {
      await deps.outbox.releaseEffect(requestId, effectKey).catch((releaseError: unknown) =>
        // Left unsent: the sweep sends it after the cut-off.
        logger.warn('Refused email not released; the outbox sweep sends it', {
          requestId,
          effectKey,
          error: String(releaseError),
        }),
      );
    }
    throw error;
  }
  // Logged before the mark: should the mark be lost, this line names the message a resend repeats.
  logger.info('Email sent', { requestId, effectKey, messageId });
  // Retried here: a mark that fails for good leaves the entry to the sweep, which sends it again.
  const sentAt = await retryAfterEmail(() => deps.outbox.markEffectSent(requestId, effectKey, messageId));
  return { outcome: 'sent', sentAt, messageId, before: false };
}
