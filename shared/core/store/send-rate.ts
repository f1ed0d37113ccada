/** The account's SES sends per second (PK=SESRATE#<epoch second>): shared/core/mail/send-rate.ts. */
import { ConflictError } from '../errors.ts';
import { sesRateKey } from './keys.ts';
import type { Table } from './table.ts';

/** A second's counter is kept a day (its TTL), then DynamoDB deletes it. */
const KEEP_DAYS = 1;

export class SendRateStore {
  constructor(private readonly table: Table) {}

  async countSesSend(second: number, rate: number, recipients: number): Promise<boolean> {
    try {
      await this.table.update('Count an SES send', {
        Key: sesRateKey(second),
        UpdateExpression: 'SET sent = if_not_exists(sent, :zero) + :recipients, expiresAtEpoch = :ttl',
        ConditionExpression: 'attribute_not_exists(sent) OR sent <= :room',
        ExpressionAttributeValues: {
          ':zero': 0,
          ':recipients': recipients,
          ':room': rate - recipients,
          ':ttl': this.table.expiresAtEpoch(KEEP_DAYS, new Date(second * 1000)),
        },
      });
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  }
}
