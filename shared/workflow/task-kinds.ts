/**
 * The human steps of TS-PE-535: which team acts, at which SOP step, and what they may decide.
 * The state machine names the kind in each waitForTaskToken Payload; assign-task, the task page and
 * record-decision all read this one table.
 */
import { isOneOf } from '../core/guards.ts';
export const TEAMS = {
  cybersecurity: 'Cybersecurity (CCS)',
  'instructional-technology': 'Instructional Technology',
  dii: 'DII',
  aas: 'AAS',
} as const;
export type Team = keyof typeof TEAMS;

export interface TaskKindSpec {
  team: Team;
  sopStep: number;
  /** What the team is asked, in the district's words (email subject, page heading). */
  title: string;
  /** Outcomes a decider may choose; the first is the "go ahead" outcome. */
  outcomes: readonly string[];
  /** Teams copied on the task email (SOP 11: DII works with Instructional Technology). */
  copied?: readonly Team[];
}

export const TASK_KINDS = {
  'privacy-review': {
    team: 'cybersecurity',
    sopStep: 4,
    title: "Review the resource's privacy policy",
    outcomes: ['acceptable', 'unacceptable', 'ask'],
  },
  'dpa-signature': {
    team: 'cybersecurity',
    sopStep: 4,
    title: 'Record the signed student Data Privacy Agreement (DPA)',
    outcomes: ['signed', 'refused'],
  },
  'ssl-remediation': {
    team: 'cybersecurity',
    sopStep: 5,
    title: 'SSL remediation: re-test the website once the vendor has fixed it, or deny',
    outcomes: ['retest', 'deny'],
  },
  // Between renewals (issue 22): a reviewed privacy policy changed materially, or could not be fetched
  // three times running. Its own execution (statemachine/resource-watch.asl.json) waits for it.
  'policy-change': {
    team: 'cybersecurity',
    sopStep: 17,
    title: 'The privacy policy of an approved resource changed: still acceptable, vet again, or revoke?',
    outcomes: ['still-acceptable', 're-vet', 'revoke'],
  },
  'curriculum-review': {
    team: 'instructional-technology',
    sopStep: 8,
    title: 'Curriculum review: does the resource align with the curriculum focus?',
    outcomes: ['approve', 'deny', 'ask', 'reroute'],
  },
  'administrative-review': {
    team: 'dii',
    sopStep: 7,
    title: 'Administrative approval of the software',
    outcomes: ['approve', 'deny', 'ask', 'reroute'],
  },
  'technical-review': {
    team: 'dii',
    sopStep: 10,
    title: 'Verify the resource is technically sound with district devices',
    outcomes: ['sound', 'not-sound', 'ask'],
  },
  // SOP 11 makes DII responsible, working with Instructional Technology: DII gets the task and
  // Instructional Technology is copied on its email.
  replacement: {
    team: 'dii',
    sopStep: 11,
    title: 'Find a replacement resource (with Instructional Technology)',
    outcomes: ['replacement-found', 'no-replacement'],
    copied: ['instructional-technology'],
  },
  procurement: {
    team: 'aas',
    sopStep: 13,
    title: 'Request vendor quote(s) and issue the purchase order (PO)',
    outcomes: ['po-issued'],
  },
  license: {
    team: 'aas',
    sopStep: 14,
    title: 'Store the software licence(s) for compliance',
    outcomes: ['license-stored'],
  },
  installation: {
    team: 'dii',
    sopStep: 15,
    title: 'Install the resource on the requested setup(s)',
    outcomes: ['installed'],
  },
  // SOP 4 "work with the vendor to answer questions as needed": a reviewer's question, answered by
  // the requester or the vendor through a reply link (/replies/{id}). The task record takes the
  // asking step's team and SOP step; these two are placeholders the record overrides.
  answer: {
    team: 'cybersecurity',
    sopStep: 4,
    title: 'Answer a question about a digital-resource request',
    outcomes: ['answered'],
  },
  // Stewardship of an approved resource (docs/design.md "Monitoring"): not steps of a request's
  // workflow but of the resource-stewardship machine, on the request that got the resource approved.
  // A data incident a vendor or staff reported: Cybersecurity meets the state notice clocks.
  'incident-review': {
    team: 'cybersecurity',
    sopStep: 4,
    title: 'Review a reported student data incident and meet the notice deadlines',
    outcomes: ['reviewed'],
  },
  // The resource is no longer approved: the vendor was asked to delete the students' data (NDPA
  // Exhibit D). The vendor's certificate of destruction settles it; Cybersecurity may record it too.
  'deletion-confirmation': {
    team: 'cybersecurity',
    sopStep: 17,
    title: "Confirm the vendor deleted the students' data",
    outcomes: ['confirmed'],
  },
} as const satisfies Record<string, TaskKindSpec>;

export type TaskKind = keyof typeof TASK_KINDS;
export type Decision<K extends TaskKind = TaskKind> = (typeof TASK_KINDS)[K]['outcomes'][number];

export function isTaskKind(value: unknown): value is TaskKind {
  return typeof value === 'string' && Object.hasOwn(TASK_KINDS, value);
}

/** The review steps whose team may ask the requester (or, for Cybersecurity, the vendor) a question. */
export const ASKING_KINDS = [
  'privacy-review',
  'curriculum-review',
  'administrative-review',
  'technical-review',
] as const satisfies readonly TaskKind[];
export type AskingKind = (typeof ASKING_KINDS)[number];

/** Who a question may go to, per asking step: only Cybersecurity works with the vendor (SOP 4). */
export const QUESTION_RECIPIENTS: Record<AskingKind, readonly QuestionRecipient[]> = {
  'privacy-review': ['requester', 'vendor'],
  'curriculum-review': ['requester'],
  'administrative-review': ['requester'],
  'technical-review': ['requester'],
};
export type QuestionRecipient = 'requester' | 'vendor';

/** The two approval reviews of SOP 7; each may send the request to the other, once per request. */
export const REROUTING_KINDS = [
  'curriculum-review',
  'administrative-review',
] as const satisfies readonly TaskKind[];
export type ReroutingKind = (typeof REROUTING_KINDS)[number];

/**
 * Questions per request: each restarts the asking step's deadline after a reply wait, so the bound
 * keeps the longest legal execution under a year (scripts/aws-limits.ts reads the ASL guard, which
 * must say the same number; test/workflow checks that it does).
 */
export const MAX_QUESTIONS_PER_REQUEST = 2;

export function isAskingKind(kind: TaskKind): kind is AskingKind {
  return isOneOf(ASKING_KINDS, kind);
}
export function isReroutingKind(kind: TaskKind): kind is ReroutingKind {
  return isOneOf(REROUTING_KINDS, kind);
}

/**
 * The resource-stewardship machine's waits: they run beside the request's own workflow (an annual
 * renewal, a policy change), several at once (two incidents on one resource), after the request ended.
 */
const STEWARDSHIP_KINDS = ['incident-review', 'deletion-confirmation'] as const satisfies readonly TaskKind[];
export function isStewardshipKind(kind: TaskKind): boolean {
  return isOneOf(STEWARDSHIP_KINDS, kind);
}

/** The addresses copied on a task's emails (SOP 11: Instructional Technology on the replacement). */
export function copiedTeams(kind: TaskKind, teamEmails: Readonly<Record<Team, string>>): string[] {
  const spec: TaskKindSpec = TASK_KINDS[kind];
  return (spec.copied ?? []).map((team) => teamEmails[team]);
}
