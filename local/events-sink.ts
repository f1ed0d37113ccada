/** An EventBridge PutEvents stand-in that records every event (`GET /_local/events`). */

import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { fieldOf, isRecord } from '#shared/core/guards.ts';
import { AwsApiError, awsJson, awsJsonError } from './aws/protocol.ts';
import type { SimpleRequest, SimpleResponse } from './http-types.ts';
import { readJsonFile, readJsonLines } from './json-file.ts';

export interface RecordedEvent {
  id: string;
  at: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
}

/** An event as appended to `events.jsonl` (or listed in the `events.json` of earlier versions). */
const recordedEventSchema: z.ZodMiniType<RecordedEvent> = z.looseObject({
  id: z.string(),
  at: z.string(),
  eventBusName: z.string(),
  source: z.string(),
  detailType: z.string(),
  detail: z.unknown(),
  resources: z.array(z.string()),
});

/**
 * Events are appended to `<dataDir>/events.jsonl`, one line each (rewriting one JSON file per event
 * made every event slower than the last); `events.json` of earlier versions is moved into it.
 */
export class EventsSink {
  private readonly file: string;
  private readonly events: RecordedEvent[];

  constructor(dataDir: string) {
    this.file = join(dataDir, 'events.jsonl');
    const legacy = join(dataDir, 'events.json');
    this.events = readJsonLines(this.file, recordedEventSchema);
    if (existsSync(legacy)) {
      const moved = readJsonFile(legacy, z.array(recordedEventSchema), []);
      this.append(moved);
      this.events.push(...moved);
      rmSync(legacy);
    }
  }

  private append(events: RecordedEvent[]): void {
    if (events.length) appendFileSync(this.file, events.map((e) => `${JSON.stringify(e)}\n`).join(''));
  }

  /** An event another stand-in published (SES's sending events on the default bus, local/mail-simulator.ts). */
  record(event: RecordedEvent): void {
    this.append([event]);
    this.events.push(event);
  }

  list(): RecordedEvent[] {
    return [...this.events];
  }

  /** Answers `AWSEvents.PutEvents` (AWS JSON 1.1), or undefined for any other request. */
  handle(request: SimpleRequest): SimpleResponse | undefined {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (!target.startsWith('AWSEvents.')) return undefined;
    if (target !== 'AWSEvents.PutEvents') {
      const message = `${target} is not supported by the local Scheduler`;
      return awsJsonError(new AwsApiError('UnknownOperationException', message), '1.1');
    }
    let entries: Record<string, unknown>[];
    try {
      const listed = fieldOf(JSON.parse(request.body), 'Entries');
      entries = Array.isArray(listed) ? listed.filter(isRecord) : [];
    } catch {
      return awsJsonError(new AwsApiError('SerializationException', 'Invalid JSON'), '1.1');
    }
    const recorded: RecordedEvent[] = [];
    const results = entries.map((e) => {
      if (!e.Source || !e.DetailType || typeof e.Detail !== 'string') {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Source, DetailType and Detail are required' };
      }
      let detail: unknown;
      try {
        detail = JSON.parse(e.Detail);
      } catch {
        return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is not valid JSON' };
      }
      const id = randomUUID();
      recorded.push({
        id,
        at: typeof e.Time === 'number' ? new Date(e.Time * 1000).toISOString() : new Date().toISOString(),
        eventBusName: String(e.EventBusName ?? 'default'),
        source: String(e.Source),
        detailType: String(e.DetailType),
        detail,
        resources: Array.isArray(e.Resources) ? e.Resources.map(String) : [],
      });
      return { EventId: id };
    });
    this.append(recorded);
    this.events.push(...recorded);
    const failed = results.filter((r) => 'ErrorCode' in r).length;
    return awsJson(200, { FailedEntryCount: failed, Entries: results }, undefined, '1.1');
  }
}
