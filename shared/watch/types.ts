/**
 * What the watch hands the resource-watch state machine (statemachine/resource-watch.asl.json), and
 * what the policy-change decision step takes back. Types only.
 */

/** A changed policy page: its new text is already in the document store, waiting for the decision. */
export interface ChangedPolicy {
  url: string;
  finalUrl: string;
  sha256: string;
  key: string;
  capturedAt: string;
  bytes: number;
}

/** A policy page that could not be fetched several times running. */
export interface UnreachablePolicy {
  url: string;
  unreachable: true;
}

export type PolicyChange = ChangedPolicy | UnreachablePolicy;

/** The input of a resource-watch execution. */
export type WatchExecutionInput =
  | { requestId: string; resourceId: string; check: 'policy-change'; change: PolicyChange }
  | { requestId: string; resourceId: string; check: 'ssl' };
