/**
 * Where an operator may resume a request with a new execution (`npm run resume`,
 * shared/requests/resume.ts): the states of statemachine/software-request.asl.json that a new
 * execution can start at from the request's stored input alone. The ASL's `ResumeAt` Choice lists
 * exactly these (test/workflow/resume.test.ts). Every other state reads what an earlier state of the
 * same execution produced (`$.privacyReview`, `$.dpa`, `$.ssl`, `$.approval`, `$.denial` …), which a
 * new execution does not have: starting there would fail or decide on missing facts.
 */

export const RESUME_POINTS = {
  StartSecurityVetting: {
    sopStep: 3,
    what: 'security vetting from the start (the registry check for a current vetting, then the privacy policy review)',
  },
  PrivacyPolicyReview: { sopStep: 4, what: 'a new privacy policy review task for Cybersecurity' },
  RouteApproval: {
    sopStep: 7,
    what: 'curriculum or administrative review (security vetting must be complete)',
  },
  TechnicalReview: {
    sopStep: 10,
    what: 'the technical review by DII (curriculum or administrative approval must be recorded)',
  },
  RequestPurchaseOrder: {
    sopStep: 13,
    what: 'procurement: the purchase order request to AAS (a paid resource judged technically sound)',
  },
  Installation: {
    sopStep: 15,
    what: 'installation by DII (technically sound; paid: the PO issued; paid software: the licence stored)',
  },
  PublishApproved: {
    sopStep: 16,
    what: 'publishing Approved, scheduling the renewal and the outcome email (installation recorded)',
  },
} as const satisfies Record<string, { sopStep: number; what: string }>;

export type ResumePoint = keyof typeof RESUME_POINTS;

export function isResumePoint(name: string): name is ResumePoint {
  return Object.hasOwn(RESUME_POINTS, name);
}

/**
 * The name of a request's n-th resumed execution. The request id alone names its first execution, and
 * stays taken for 90 days after that execution closes, so each resume takes a new name.
 */
export function resumedExecutionName(requestId: string, n: number): string {
  return `${requestId}-r${n}`;
}
