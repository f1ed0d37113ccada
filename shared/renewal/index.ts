/**
 * Annual renewal (SOP 17): when a resource's renewal falls due.
 * What other features may use of it; handlers and tests import a file directly (lean bundles).
 */
export { atExpression } from './renewal.ts';
