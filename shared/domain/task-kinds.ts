/**
 * The human steps of TS-PE-535: which team acts, at which SOP step, and what they may decide.
 * The state machine names the kind in each waitForTaskToken Payload; assign-task, the task page and
 * record-decision all read this one table.
 */
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
}

export const TASK_KINDS = {
  'privacy-review': {
    team: 'cybersecurity',
    sopStep: 4,
    title: "Review the resource's privacy policy",
    outcomes: ['acceptable', 'unacceptable'],
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
  'curriculum-review': {
    team: 'instructional-technology',
    sopStep: 8,
    title: 'Curriculum review: does the resource align with the curriculum focus?',
    outcomes: ['approve', 'deny'],
  },
  'administrative-review': {
    team: 'dii',
    sopStep: 7,
    title: 'Administrative approval of the software',
    outcomes: ['approve', 'deny'],
  },
  'technical-review': {
    team: 'dii',
    sopStep: 10,
    title: 'Verify the resource is technically sound with district devices',
    outcomes: ['sound', 'not-sound'],
  },
  replacement: {
    team: 'instructional-technology',
    sopStep: 11,
    title: 'Find a replacement resource (with DII)',
    outcomes: ['replacement-found', 'no-replacement'],
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
} as const satisfies Record<string, TaskKindSpec>;

export type TaskKind = keyof typeof TASK_KINDS;
export type Decision<K extends TaskKind = TaskKind> = (typeof TASK_KINDS)[K]['outcomes'][number];

export function isTaskKind(value: unknown): value is TaskKind {
  return typeof value === 'string' && Object.hasOwn(TASK_KINDS, value);
}
