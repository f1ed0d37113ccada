/**
 * The resource registry (SOP 6, 16): entries, their identity and their store.
 * What other features may use of it; handlers and tests import a file directly (lean bundles).
 */
export { MATCH_IDS, REGISTRY_MATCHES_SCRIPT } from './pages/registry-matches.ts';
export {
  buildRegistryEntry,
  DPA_MIN_REMAINING_DAYS,
  deletionOf,
  isDpaCurrent,
  isSslPassCurrent,
  keepsApprovedEntry,
  SSL_PASS_MAX_AGE_DAYS,
  signedDpaExpiry,
  statusChangedDetail,
  statusLabel,
  withRequest,
} from './registry.ts';
export { formatCsvLine } from './registry-csv.ts';
export { type RegistryDeps, searchRegistry } from './registry-list.ts';
export { foldText, resourceIdOf } from './resource-identity.ts';
export type { RegistryStore } from './store.ts';
