/**
 * EventBridge: the one way this product puts an event. PutEvents can
 * succeed as a call yet reject entries (FailedEntryCount > 0); a rejected entry is retryable, so it
 * becomes TransientError like a throttled call.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { TransientError } from '../errors.ts';
import { asTransient } from './transient.ts';

export interface DomainEvent {
  source: string;
  detailType: string;
  detail: object;
  time?: Date;
}

export async function putEvent(
  options: { client: EventBridgeClient; eventBusName: string },
  event: DomainEvent,
): Promise<void> {
  let out: { FailedEntryCount?: number; Entries?: { ErrorCode?: string; ErrorMessage?: string }[] };
  try {
    out = await options.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: options.eventBusName,
            Source: event.source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            ...(event.time ? { Time: event.time } : {}),
          },
        ],
      }),
    );
  } catch (error) {
    throw asTransient(error, `Put ${event.detailType} event`);
  }
  if ((out.FailedEntryCount ?? 0) > 0) {
    const failed = out.Entries?.find((e) => e.ErrorCode);
    throw new TransientError(
      `Put ${event.detailType} event: EventBridge rejected the entry (${failed?.ErrorCode ?? 'unknown error'})`,
    );
  }
}
