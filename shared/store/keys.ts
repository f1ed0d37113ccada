/**
 * Single-table design. Access patterns (DESIGN.md "Data"):
 *   request by id            PK=REQUEST#id          SK=REQUEST
 *   audit trail in order     PK=REQUEST#id          SK=AUDIT#<iso time>#<seq>
 *   licence key (SOP 14)     PK=REQUEST#id          SK=LICENSE
 *   task by id               PK=TASK#id             SK=TASK
 *   pending tasks by team    GSI1PK=TEAM#team       GSI1SK=<expiresAt>   (only while PENDING: sparse)
 *   requests by requester    GSI1PK=REQUESTER#email GSI1SK=<createdAt>
 *   registry entry           PK=RESOURCE#key        SK=RESOURCE
 *   registry list / search   GSI1PK=REGISTRY        GSI1SK=<resourceName lower>
 *   renewals due             GSI2PK=RENEWAL         GSI2SK=<renewalDueOn>#key
 *   idempotency claim        PK=IDEMPOTENCY#key     SK=IDEMPOTENCY
 */
export const TABLE_KEYS = { pk: 'PK', sk: 'SK', gsi1: 'GSI1', gsi2: 'GSI2', ttl: 'expiresAtEpoch' } as const;

export const requestKey = (requestId: string) => ({ PK: `REQUEST#${requestId}`, SK: 'REQUEST' });
export const auditSk = (at: string, seq: string) => `AUDIT#${at}#${seq}`;
export const licenseKeyKey = (requestId: string) => ({ PK: `REQUEST#${requestId}`, SK: 'LICENSE' });
export const taskKey = (taskId: string) => ({ PK: `TASK#${taskId}`, SK: 'TASK' });
export const registryKey = (resourceKey: string) => ({ PK: `RESOURCE#${resourceKey}`, SK: 'RESOURCE' });
export const idempotencyKey = (key: string) => ({ PK: `IDEMPOTENCY#${key}`, SK: 'IDEMPOTENCY' });

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
