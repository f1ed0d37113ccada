/**
 * The SES configuration set every email names (SES_CONFIGURATION_SET, and the domain identity's
 * default set): per-set reputation metrics, the account's suppression list for bounces and complaints,
 * and an EventBridge event destination for bounce, complaint, reject, delivery-delay and
 * rendering-failure events. SES sends these only to the account's default event bus (it refuses any
 * other bus), where they arrive as source `aws.ses`, detail-type e.g. "Email Bounced"; a rule there
 * invokes record-mail-event (DistrictFunction.receiveSesEvents, shared/bounces). The account-level
 * reputation alarms are in monitoring.ts.
 */
import { EventBus } from 'aws-cdk-lib/aws-events';
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/** The sending events that reach EventBridge: what a person may need to act on. */
export const MAIL_EVENTS = [
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.RENDERING_FAILURE,
] as const;

export class MailReputation extends Construct {
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    // No fixed name: CloudFormation names it, so a failed first deploy can simply be retried.
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('ToDefaultEventBus', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [...MAIL_EVENTS],
    });
  }
}
