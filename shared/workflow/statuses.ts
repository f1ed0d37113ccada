/**
 * The closed lists of how a request ends and of what the registry says of a resource. The payload
 * schemas (step-inputs.ts) and the registry's search read them; without zod here, a reader of a list
 * does not bundle the schemas.
 */

/** How a request ends (close-request). */
export const OUTCOMES = ['APPROVED', 'DENIED'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** A resource's status in the district registry (publish-status, the registry's entries). */
export const REGISTRY_STATUSES = ['APPROVED', 'NOT_APPROVED'] as const;
export type RegistryStatus = (typeof REGISTRY_STATUSES)[number];
