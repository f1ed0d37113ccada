/**
 * Monitoring between renewals (issue 22): the policy-change watch, SSL spot checks, and what a
 * Cybersecurity decision on a changed policy does. Handlers import a file directly (lean bundles).
 */
export { applyPolicyDecision, type PolicyDecisionDeps, type PolicyDecisionInput } from './policy-decision.ts';
export {
  isMaterialChange,
  normaliseSentence,
  type PolicyDifference,
  policyDifference,
  policySentences,
} from './policy-text.ts';
export {
  type PolicyWatchDeps,
  type PolicyWatchRun,
  UNREACHABLE_AFTER_FAILURES,
  watchPolicies,
} from './policy-watch.ts';
export { type SpotCheckDeps, startSslSpotChecks } from './spot-checks.ts';
export { WatchStore } from './store.ts';
export type { ChangedPolicy, PolicyChange, UnreachablePolicy, WatchExecutionInput } from './types.ts';
