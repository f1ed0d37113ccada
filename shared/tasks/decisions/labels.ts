/** How outcomes read on the forms and in the emails, and which ones need a reason. */
import { type Decision, MAX_QUESTIONS_PER_REQUEST, type QuestionRecipient } from '../../workflow/index.ts';

/** Human labels for every outcome, as the radio buttons and emails show them. */
export const DECISION_LABELS: Record<Decision, string> = {
  acceptable: 'Acceptable: the privacy policy meets district standards',
  unacceptable: 'Unacceptable: the privacy policy does not meet district standards',
  signed: 'Signed: the vendor signed the student Data Privacy Agreement',
  refused: 'Refused: the vendor will not sign the Data Privacy Agreement',
  retest: 'Re-test now: the vendor says the SSL configuration is fixed',
  approve: 'Approve',
  deny: 'Deny',
  sound: 'Technically sound with district devices',
  'not-sound': 'Not technically sound with district devices',
  'replacement-found': 'A replacement resource was found',
  'no-replacement': 'No replacement resource could be found',
  'po-issued': 'Quote(s) received and purchase order issued',
  'license-stored': 'Licence(s) stored for compliance',
  installed: 'Installed on the requested setup(s)',
  ask: 'Ask a question first (answered through an emailed link)',
  reroute: 'Send to the other approval review (curriculum ↔ administrative)',
  answered: 'Answered',
  'still-acceptable': 'Still acceptable: keep the new wording as the reviewed policy',
  're-vet': 'Vet again: the DPA and SSL grade are checked again; the registry says Under review meanwhile',
  revoke: 'Revoke: the resource becomes Not Approved (the comment is the reason staff read)',
  reviewed: 'Reviewed: the notices are sent or under way, and the incident is on the public list',
  confirmed: "Confirmed: the vendor certified that the students' data was destroyed",
};

/** Who answers, as the form and the emails name them. */
export const RECIPIENT_LABELS: Record<QuestionRecipient, string> = {
  requester: 'The requester',
  vendor: 'The vendor (its privacy contact, the email address above)',
};

/** Outcomes that stop or divert the request: the decider must say why. */
export const NEGATIVE_DECISIONS: ReadonlySet<string> = new Set([
  'unacceptable',
  'refused',
  'deny',
  'not-sound',
  'no-replacement',
  'reroute',
  'revoke',
]);

export function isNegativeDecision(decision: string): boolean {
  return NEGATIVE_DECISIONS.has(decision);
}

const LABELS_BY_NAME: Readonly<Record<string, string>> = DECISION_LABELS;

export function decisionLabel(decision: string): string {
  return LABELS_BY_NAME[decision] ?? decision;
}

/** Why an outcome is withheld, for the form and the refusal. */
export const WITHHELD_REASONS: Record<string, string> = {
  ask: `No more questions can be asked for this request (at most ${MAX_QUESTIONS_PER_REQUEST}): decide with what you know`,
  reroute: 'This request was already sent to the other approval review once: decide it here',
};
