/**
 * Data incidents (PK=INCIDENT#id), and the public list's index of them (GSI2PK=INCIDENTS, by incident
 * date). Kept without expiry: state laws ask for a standing public list of breaches.
 */
import { ConflictError } from '../core/errors.ts';
import { INDEX_PARTITIONS, incidentKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import type { IncidentRecord } from '../workflow/index.ts';

/** The public list shows at most this many incidents (newest first): one page of the index. */
export const MAX_LISTED_INCIDENTS = 500;

export class IncidentStore {
  constructor(private readonly table: Table) {}

  async createIncident(incident: IncidentRecord): Promise<void> {
    await this.table.putNew('Record data incident', {
      ...incidentKey(incident.incidentId),
      GSI2PK: INDEX_PARTITIONS.incidents.key,
      GSI2SK: `${incident.reportedOn}#${incident.incidentId}`,
      entity: 'incident',
      ...incident,
    });
  }

  async getIncident(incidentId: string): Promise<IncidentRecord | undefined> {
    return this.table.get<IncidentRecord>('Read data incident', incidentKey(incidentId));
  }

  /** Incidents, newest incident date first. */
  async listIncidents(limit = MAX_LISTED_INCIDENTS): Promise<IncidentRecord[]> {
    return this.table.query<IncidentRecord>('List data incidents', {
      IndexName: 'GSI2',
      KeyConditionExpression: 'GSI2PK = :pk',
      ExpressionAttributeValues: { ':pk': INDEX_PARTITIONS.incidents.key },
      ScanIndexForward: false,
      Limit: limit,
    });
  }

  /** Cybersecurity's review is recorded once (a replayed step keeps the first time). */
  async markIncidentReviewed(incidentId: string, reviewedAt: string): Promise<void> {
    try {
      await this.table.update('Record incident reviewed', {
        Key: incidentKey(incidentId),
        UpdateExpression: 'SET reviewedAt = if_not_exists(reviewedAt, :at)',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':at': reviewedAt },
      });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
