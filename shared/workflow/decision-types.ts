/**
 * What a human step's decision is, as types: what SendTaskSuccess sends for each kind of step, and
 * what the task record keeps of it until it is delivered. Parsing lives in shared/tasks/decisions/.
 */

import type {
  AnswerOutput,
  AskOutput,
  DecisionOutputBase,
  DpaSignatureOutput,
  LicenseOutput,
  PolicyChangeOutput,
  PrivacyReviewOutput,
  ProcurementOutput,
  ReplacementOutput,
  RerouteOutput,
  SslRemediationOutput,
} from './decision-outputs.ts';
import type { ResourceRequest } from './request-schema.ts';
import type { AskingKind, ReroutingKind, TaskKind } from './task-kinds.ts';

/** The replacement resource's fields, as SOP step 2 names them. */
export type ReplacementFields = Pick<
  ResourceRequest,
  'resourceName' | 'resourceUrl' | 'resourceKind' | 'vendorName' | 'cost' | 'studentDataShared'
>;

/** What SendTaskSuccess sends for each kind of step whose output has its own schema. */
interface KindOutputs {
  'privacy-review': PrivacyReviewOutput;
  'ssl-remediation': SslRemediationOutput;
  'policy-change': PolicyChangeOutput;
  'dpa-signature': DpaSignatureOutput;
  procurement: ProcurementOutput;
  license: LicenseOutput;
  replacement: ReplacementOutput;
  answer: AnswerOutput;
}

/** A decision that settles the step, by the kind of step: switching on `kind` narrows `output`. */
export type SettledStep = {
  [K in TaskKind]: {
    kind: K;
    /** Exactly what SendTaskSuccess sends: never a licence key. */
    output: K extends keyof KindOutputs ? KindOutputs[K] : DecisionOutputBase;
    /** License: the key, stored apart from the request and the execution history. */
    licenseKey?: string;
    /** Replacement found: the new resource as the requester's fields. */
    replacement?: ReplacementFields;
  };
}[TaskKind];

/** `ask`: the step is not settled; the flow waits for the answer and asks the team again. */
export interface AskedQuestion {
  kind: AskingKind;
  output: AskOutput;
  asks: true;
  licenseKey?: undefined;
  replacement?: undefined;
}

/** `reroute`: the request goes to the other approval review (SOP 3/7). */
export interface ReroutedRequest {
  kind: ReroutingKind;
  output: RerouteOutput;
  reroutes: true;
  licenseKey?: undefined;
  replacement?: undefined;
}

/** A valid decision: `'asks' in` / `'reroutes' in` set questions and re-routing apart. */
export type ParsedDecision = SettledStep | AskedQuestion | ReroutedRequest;

export type DecisionOutput = ParsedDecision['output'];

/**
 * A decision as the task record keeps it until it is delivered and followed up (the decision sweep
 * replays it after a crash): the parsed decision without the licence key, which storeLicenseKey puts
 * in its own item. What the follow-up needs of the key is kept instead: that one was given, whether it
 * was stored (set on the task once storeLicenseKey succeeded: a crash before that loses the key, which
 * the replay must say rather than claim it stored), and its last 4 characters (shown masked on the
 * request, like the request record keeps them).
 */
export type StoredDecision = ParsedDecision extends infer D
  ? D extends ParsedDecision
    ? Omit<D, 'licenseKey'> & {
        licenseKeyGiven?: true;
        licenseKeyStored?: true;
        licenseKeyLast4?: string;
      }
    : never
  : never;
