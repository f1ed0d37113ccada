/**
 * Single-table design. Access patterns (DESIGN.md "Data"):
 *   request by id            PK=REQUEST#id          SK=REQUEST
 *   audit trail in order     PK=REQUEST#id          SK=AUDIT#<iso time>#<seq>
 *   licence key (SOP 14)     PK=LICENSE#id          SK=LICENSE   (its own partition: see below)
 *   task by id               PK=TASK#id             SK=TASK
 *   pending tasks by team    GSI1PK=TEAM#team       GSI1SK=<expiresAt>   (only while PENDING: sparse)
 *   requests by requester    GSI1PK=REQUESTER#email GSI1SK=<createdAt>
 *   registry entry           PK=RESOURCE#key        SK=RESOURCE
 *   registry list / search   GSI1PK=REGISTRY        GSI1SK=<resourceName lower>
 *   renewals due             GSI2PK=RENEWAL         GSI2SK=<renewalDueOn>#key
 *   requests not yet started GSI2PK=UNSTARTED       GSI2SK=<createdAt>   (from createRequest until
 *                                                   markRequestStarted: sparse; the recovery sweep)
 *   idempotency claim        PK=IDEMPOTENCY#key     SK=IDEMPOTENCY
 */
export const TABLE_KEYS = { pk: 'PK', sk: 'SK', gsi1: 'GSI1', gsi2: 'GSI2', ttl: 'expiresAtEpoch' } as const;

/**
 * Partition-key prefixes, by kind of item. IAM limits each function to some of them with
 * `dynamodb:LeadingKeys` (shared/store/access.ts), which sees the partition key only: items that
 * share a partition (a request and its audit trail) are always granted together. That is why licence
 * keys have a partition of their own instead of sitting beside the request: the functions that read
 * requests cannot read them.
 */
export const PARTITIONS = {
  request: 'REQUEST#',
  license: 'LICENSE#',
  task: 'TASK#',
  registry: 'RESOURCE#',
  idempotency: 'IDEMPOTENCY#',
} as const;
export type PartitionKind = keyof typeof PARTITIONS;

/** Partition keys of the indexes (GSI1PK / GSI2PK values or prefixes), by access pattern. */
export const INDEX_PARTITIONS = {
  pendingTasksByTeam: { index: 'GSI1', key: 'TEAM#', prefix: true },
  requestsByRequester: { index: 'GSI1', key: 'REQUESTER#', prefix: true },
  registryList: { index: 'GSI1', key: 'REGISTRY', prefix: false },
  renewalsDue: { index: 'GSI2', key: 'RENEWAL', prefix: false },
  unstartedRequests: { index: 'GSI2', key: 'UNSTARTED', prefix: false },
} as const;
export type IndexPartitionKind = keyof typeof INDEX_PARTITIONS;

export const requestKey = (requestId: string) => ({ PK: `${PARTITIONS.request}${requestId}`, SK: 'REQUEST' });
export const auditSk = (at: string, seq: string) => `AUDIT#${at}#${seq}`;
export const licenseKeyKey = (requestId: string) => ({
  PK: `${PARTITIONS.license}${requestId}`,
  SK: 'LICENSE',
});
export const taskKey = (taskId: string) => ({ PK: `${PARTITIONS.task}${taskId}`, SK: 'TASK' });
export const registryKey = (resourceKey: string) => ({
  PK: `${PARTITIONS.registry}${resourceKey}`,
  SK: 'RESOURCE',
});
export const idempotencyKey = (key: string) => ({
  PK: `${PARTITIONS.idempotency}${key}`,
  SK: 'IDEMPOTENCY',
});

/** A registry key that is stable across requests for the same resource. */
export function normaliseResourceKey(resource: { name: string; url?: string }): string {
  if (resource.url) {
    try {
      return new URL(resource.url).hostname.toLowerCase().replace(/^www\./, '');
    } catch {
      // fall through to the name: the schema only lets valid URLs in, but old data may not be
    }
  }
  return resource.name.trim().toLowerCase().replace(/\s+/g, ' ');
}
