/**
 * The suppression list in the table: one item per address SES reported as permanently bounced or
 * complained of (PK=BOUNCED#<address>), and one small marker per SES event handled, so an event
 * EventBridge delivers twice is recorded once.
 */
import { normaliseAddress, type UndeliverableAddress } from '../core/mail/undeliverable.ts';
import { bouncedKey, mailEventKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';

/** How long an event marker stays: EventBridge and Lambda retry for at most a day. */
const EVENT_MARKER_DAYS = 7;

export class BounceStore {
  constructor(private readonly table: Table) {}

  /** SuppressionList: the records of those of `addresses` that are suppressed. */
  async suppressedAmong(addresses: readonly string[]): Promise<UndeliverableAddress[]> {
    const unique = [...new Set(addresses.map(normaliseAddress))].filter(Boolean);
    if (unique.length === 0) return [];
    return this.table.batchGet<UndeliverableAddress>(
      'Read suppression list',
      unique.map((a) => bouncedKey(a)),
    );
  }

  /** Adds (or refreshes) an address on the suppression list with its latest bounce or complaint. */
  async suppress(record: UndeliverableAddress): Promise<void> {
    const address = normaliseAddress(record.address);
    await this.table.put('Suppress address', {
      ...bouncedKey(address),
      entity: 'bounced-address',
      ...record,
      address,
    });
  }

  /** Whether this SES event about this recipient was already recorded. */
  async mailEventSeen(address: string, messageId: string, event: string): Promise<boolean> {
    const item = await this.table.get(
      'Read mail event',
      mailEventKey(normaliseAddress(address), messageId, event),
    );
    return item !== undefined;
  }

  /** Marks the event recorded (after its audit event and record were written). */
  async markMailEventSeen(address: string, messageId: string, event: string): Promise<void> {
    await this.table.put('Mark mail event', {
      ...mailEventKey(normaliseAddress(address), messageId, event),
      entity: 'mail-event',
      expiresAtEpoch: this.table.expiresAtEpoch(EVENT_MARKER_DAYS),
    });
  }
}
