/**
 * The outbox's store calls (shared/core/store/outbox.ts) over a Map, for unit tests whose other fakes
 * are plain objects: the same answers as the DynamoDB conditions (a key recorded once unless released;
 * a claim only of an unsent entry older than the cut-off; the mark drops the body). test/unit/core/
 * outbox.test.ts checks the real conditions on dynalite.
 */
import { ConflictError } from '#shared/core/errors.ts';
import type { Email } from '#shared/core/mail/mailer.ts';
import type { OutboxEntry, OutboxStore, RecordResult } from '#shared/core/store/outbox.ts';

export type MemoryOutbox = Pick<
  OutboxStore,
  'recordEffect' | 'claimStaleEffect' | 'markEffectSent' | 'releaseEffect' | 'getEffect' | 'listUnsentEffects'
> & {
  entries: Map<string, OutboxEntry>;
};

export function memoryOutbox(now: () => Date): MemoryOutbox {
  const entries = new Map<string, OutboxEntry>();
  const id = (owner: string, key: string) => `${owner}/${key}`;
  return {
    entries,
    async recordEffect(requestId: string, effectKey: string, email: Email): Promise<RecordResult> {
      const held = entries.get(id(requestId, effectKey));
      if (held && !held.released) return { recorded: false, entry: structuredClone(held) };
      const entry: OutboxEntry = { requestId, effectKey, email, recordedAt: now().toISOString() };
      entries.set(id(requestId, effectKey), entry);
      return { recorded: true, entry: structuredClone(entry) };
    },
    async getEffect(requestId: string, effectKey: string) {
      const held = entries.get(id(requestId, effectKey));
      return held && structuredClone(held);
    },
    async claimStaleEffect(requestId: string, effectKey: string, staleBefore: string) {
      const held = entries.get(id(requestId, effectKey));
      if (!held || held.sentAt || held.released || held.recordedAt >= staleBefore) return false;
      if (held.claimedAt && held.claimedAt >= staleBefore) return false;
      held.claimedAt = now().toISOString();
      return true;
    },
    async markEffectSent(requestId: string, effectKey: string, messageId: string) {
      const held = entries.get(id(requestId, effectKey));
      if (!held) throw new ConflictError('No such outbox entry');
      held.sentAt = now().toISOString();
      held.messageId = messageId;
      delete held.email;
      return held.sentAt;
    },
    async releaseEffect(requestId: string, effectKey: string) {
      const held = entries.get(id(requestId, effectKey));
      if (!held || held.sentAt) throw new ConflictError('Not a held outbox entry');
      held.released = true;
    },
    async listUnsentEffects(recordedBefore: string, limit: number) {
      return [...entries.values()]
        .filter((e) => !e.sentAt && !e.released && e.recordedAt < recordedBefore)
        .sort((a, b) => a.recordedAt.localeCompare(b.recordedAt))
        .slice(0, limit)
        .map((e) => structuredClone(e));
    },
  };
}
