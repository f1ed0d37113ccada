import { SES_EVENT_DETAIL_TYPES } from '#shared/bounces/index.ts';
import type { DocumentStore } from './constructs/document-store.ts';
import type { RenewalScheduler } from './constructs/renewal-scheduler.ts';
import { wireWatch } from './watch.ts';
import type { Wiring } from './wiring.ts';

/**
 * SES's reports on sent emails (bounces, complaints, rejections, delays of the configuration set's
 * mail): the suppression list and the requests' audit trails (shared/bounces).
 */
export function wireMailEvents(w: Wiring): void {
  w.fn('record-mail-event')
    .bindTable(w.table)
    .receiveSesEvents(w.mail.configurationSet, Object.values(SES_EVENT_DETAIL_TYPES), w.asyncFailures);
}

/**
 * Scheduled: starts requests whose submission crashed before their workflow started, delivers
 * decisions whose record-decision (or record-answer) crashed between the claim and the end, and starts
 * the review of data incidents whose report crashed before it started.
 */
export function wireScheduled(
  w: Wiring,
  resources: { documents: DocumentStore; scheduler: RenewalScheduler },
): void {
  w.fn('weekly-digest')
    .bindTable(w.table)
    .bindMail(w.mail)
    .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
    .setEnv('TEAM_EMAILS', w.teamEmails)
    .runOnSchedule(w.asyncFailures);
  if (w.config.escalationEmail) w.fn('weekly-digest').setEnv('ESCALATION_EMAIL', w.config.escalationEmail);
  w.fn('keep-policy-snapshots')
    .bindTable(w.table)
    .bindDocuments(resources.documents, ['put'], ['documents/'])
    .runOnSchedule(w.asyncFailures);
  w.fn('recover-requests')
    .bindTable(w.table)
    .bindStateMachineStart(w.machines.softwareRequest)
    .bindStewardshipStart(w.machines.resourceStewardship)
    .bindMail(w.mail)
    .setEnv('PUBLIC_BASE_URL', w.publicBaseUrl)
    // A kept decision belongs to any machine's human step (annual renewal: the renewed DPA).
    .bindTaskResponse(...Object.values(w.machines))
    .runOnSchedule(w.asyncFailures);
  wireWatch(w, resources);
}
