/**
 * Data incidents (PK=INCIDENT#id), and the public list's index of them (GSI2PK=INCIDENTS, by incident
 * date). Kept without expiry: state laws ask for a standing public list of breaches. Until its review
 * is known started, an incident also sits in GSI1's INCIDENT_UNSTARTED partition (by reportedAt), where
 * the recovery sweep finds a report whose StartExecution never happened.
 */
import { ConflictError } from '../core/errors.ts';
import { INDEX_PARTITIONS, incidentKey } from '../core/store/keys.ts';
import type { Table } from '../core/store/table.ts';
import type { IncidentRecord } from '../workflow/index.ts';

/** The public list shows at most this many incidents (newest first): one page of the index. */
export const MAX_LISTED_INCIDENTS = 500;

export class IncidentStore {
  constructor(private readonly table: Table) {}

  /**
   * Stores a new incident, findable as unstarted until markIncidentReviewStarted. The id is the
   * report's (incidents.ts incidentIdFor): when an incident with this id is stored already, that one is
   * returned (`created: false`) and nothing is written.
   */
  async createIncident(incident: IncidentRecord): Promise<{ created: boolean; incident: IncidentRecord }> {
    try {
      await this.table.putNew('Record data incident', {
        ...incidentKey(incident.incidentId),
        GSI1PK: INDEX_PARTITIONS.unstartedIncidentReviews.key,
        GSI1SK: incident.reportedAt,
        GSI2PK: INDEX_PARTITIONS.incidents.key,
        GSI2SK: `${incident.reportedOn}#${incident.incidentId}`,
        entity: 'incident',
        ...incident,
      });
      return { created: true, incident };
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const stored = await this.getIncident(incident.incidentId);
      if (!stored) throw error;
      return { created: false, incident: stored };
    }
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

  /**
   * Its incident-review execution is started: the incident leaves the INCIDENT_UNSTARTED partition.
   * The first time is kept (a repeat changes nothing).
   */
  async markIncidentReviewStarted(incidentId: string, startedAt: string): Promise<void> {
    await this.table.update('Record incident review started', {
      Key: incidentKey(incidentId),
      UpdateExpression: 'SET reviewStartedAt = if_not_exists(reviewStartedAt, :at) REMOVE GSI1PK, GSI1SK',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':at': startedAt },
    });
  }

  /**
   * Incidents reported before `reportedBefore` (ISO time) whose review is not known started, oldest
   * first: one page of at most `limit` (the index is eventually consistent: read the incident again
   * before acting on it).
   */
  async listUnstartedIncidentReviews(reportedBefore: string, limit: number): Promise<IncidentRecord[]> {
    return this.table.query<IncidentRecord>('List incidents whose review is not started', {
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :before',
      ExpressionAttributeValues: {
        ':pk': INDEX_PARTITIONS.unstartedIncidentReviews.key,
        ':before': reportedBefore,
      },
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
