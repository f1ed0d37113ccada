/**
 * Single-table design. Access patterns (docs/design.md "Data"):
 *   request by id            PK=REQUEST#id          SK=REQUEST
 *   audit trail in order     PK=REQUEST#id          SK=AUDIT#<iso time>#<seq>
 *   licence key (SOP 14)     PK=LICENSE#id          SK=LICENSE   (its own partition: see below)
 *   task by id               PK=TASK#id             SK=TASK
 *   stewardship wait's task  PK=TASK#WAIT#<requestId>#<kind>#<executionId>  SK=WAIT  (retriedWait)
 *   pending tasks by team    GSI1PK=TEAM#team       GSI1SK=<expiresAt>   (only while PENDING: sparse)
 *   requests by requester    GSI1PK=REQUESTER#email GSI1SK=<createdAt>
 *   registry entry           PK=RESOURCE#resourceId SK=RESOURCE   (resourceId: vendor + folded name)
 *   registry search          PK=RSEARCH#<A|N>#<word prefix>  SK=<folded name>\u0001<resourceId>
 *                            one item per status and word prefix ('' = the whole list), in name order
 *   renewals due             GSI2PK=RENEWAL         GSI2SK=<renewalDueOn>#resourceId
 *   requests not yet started GSI2PK=UNSTARTED       GSI2SK=<createdAt>   (from createRequest until
 *                                                   markRequestStarted: sparse; the recovery sweep)
 *   decisions not yet done   GSI2PK=UNDELIVERED     GSI2SK=<decidedAt>   (task items, from claimTask
 *                                                   until markTaskFollowedUp / releaseTask /
 *                                                   markTaskTimedOut: sparse; the decision sweep)
 *   idempotency claim        PK=IDEMPOTENCY#key     SK=IDEMPOTENCY
 *   person (signed in once)  PK=PERSON#email        SK=PERSON    (name, teams at last sign-in, away)
 *   report aggregates        PK=REPORT#<yyyy-mm>    SK=REQUESTS | STEP#<kind> | DENIAL#<step>#<reason hash>
 *   decided tasks by month   GSI1PK=DECIDED#<yyyy-mm> GSI1SK=<decidedAt>#<taskId>  (task items)
 *   evidence of a request    PK=REQUEST#id          SK=EVIDENCE#<documentId> (and EVIDENCE-FAILED#…)
 *   upload link              PK=UPLOAD#id           SK=UPLOAD   (a vendor's single-use document upload)
 *   SSL Labs slots       PK=SSLLABS#slots         SK=POOL   (assessments in flight across executions:
 *                                                   shared/vetting/ssl/slots.ts)
 *   SES sends per second PK=SESRATE#<epoch second> SK=RATE (the account's send rate: core/mail/send-rate.ts)
 *   data incident            PK=INCIDENT#id         SK=INCIDENT, GSI2PK=INCIDENTS GSI2SK=<reportedOn>#id
 *   incident reviews not yet GSI1PK=INCIDENT_UNSTARTED GSI1SK=<reportedAt>  (incident items, from
 *   started                                        createIncident until markIncidentReviewStarted:
 *                                                  sparse; the incident sweep)
 *   vendor incident link     PK=INCIDENTLINK#id     SK=INCIDENTLINK (the DPA email's link through which the
 *                            vendor reports incidents on one resource; not single-use, a bounded count)
 *   deletions asked          registry entries with a deletion: GSI2PK=DELETION GSI2SK=<approvedOn>#resourceId
 *                            (only Not Approved entries: an Approved one uses GSI2 for its renewal)
 *   policy snapshots due     PK=REQUEST#id          SK=SNAPSHOT#<reviewedAt>, GSI2PK=SNAPSHOT_DUE
 *                            GSI2SK=<reviewedAt> (sparse: until the reviewed policy pages are kept)
 *   submission allowance     PK=ALLOWANCE#<hash of who> SK=<window start>  (a count per hour; TTL a day)
 *   undeliverable address    PK=BOUNCED#<address>   SK=BOUNCED   (a permanent bounce or a complaint:
 *                            the mailer no longer sends to it; shared/bounces)
 *   mail event seen          PK=BOUNCED#<address>   SK=EVENT#<messageId>#<event>  (a redelivered SES
 *                            event is recorded once)
 *   side effect (outbox)     PK=REQUEST#id          SK=OUTBOX#<effect key>   (an email recorded before
 *                            it is sent; outbox.ts); the weekly digest's: PK=REPORT#digests
 *                            SK=OUTBOX#digest#<week>#<recipients>
 *   side effects not sent    GSI2PK=OUTBOX          GSI2SK=<recordedAt>  (sparse: from recordEffect
 *                                                   until markEffectSent; the outbox sweep)
 */
export const TABLE_KEYS = { pk: 'PK', sk: 'SK', gsi1: 'GSI1', gsi2: 'GSI2', ttl: 'expiresAtEpoch' } as const;

/**
 * Partition-key prefixes, by kind of item. IAM limits each function to some of them with
 * `dynamodb:LeadingKeys` (shared/core/store/access.ts), which sees the partition key only: items that
 * share a partition (a request and its audit trail) are always granted together. That is why licence
 * keys have a partition of their own instead of sitting beside the request: the functions that read
 * requests cannot read them.
 */
export const PARTITIONS = {
  request: 'REQUEST#',
  license: 'LICENSE#',
  task: 'TASK#',
  registry: 'RESOURCE#',
  registrySearch: 'RSEARCH#',
  idempotency: 'IDEMPOTENCY#',
  person: 'PERSON#',
  report: 'REPORT#',
  upload: 'UPLOAD#',
  allowance: 'ALLOWANCE#',
  bounced: 'BOUNCED#',
  sslSlots: 'SSLLABS#',
  sesRate: 'SESRATE#',
  incident: 'INCIDENT#',
  incidentLink: 'INCIDENTLINK#',
} as const;
export type PartitionKind = keyof typeof PARTITIONS;

/** Partition keys of the indexes (GSI1PK / GSI2PK values or prefixes), by access pattern. */
export const INDEX_PARTITIONS = {
  pendingTasksByTeam: { index: 'GSI1', key: 'TEAM#', prefix: true },
  requestsByRequester: { index: 'GSI1', key: 'REQUESTER#', prefix: true },
  renewalsDue: { index: 'GSI2', key: 'RENEWAL', prefix: false },
  unstartedRequests: { index: 'GSI2', key: 'UNSTARTED', prefix: false },
  undeliveredDecisions: { index: 'GSI2', key: 'UNDELIVERED', prefix: false },
  decidedTasksByMonth: { index: 'GSI1', key: 'DECIDED#', prefix: true },
  policySnapshotsDue: { index: 'GSI2', key: 'SNAPSHOT_DUE', prefix: false },
  unsentEffects: { index: 'GSI2', key: 'OUTBOX', prefix: false },
  incidents: { index: 'GSI2', key: 'INCIDENTS', prefix: false },
  // GSI1: an incident's GSI2 entry is the public list's, kept for good.
  unstartedIncidentReviews: { index: 'GSI1', key: 'INCIDENT_UNSTARTED', prefix: false },
  deletions: { index: 'GSI2', key: 'DELETION', prefix: false },
} as const;
export type IndexPartitionKind = keyof typeof INDEX_PARTITIONS;

export const requestKey = (requestId: string) => ({ PK: `${PARTITIONS.request}${requestId}`, SK: 'REQUEST' });
export const auditSk = (at: string, seq: string) => `AUDIT#${at}#${seq}`;
export const licenseKeyKey = (requestId: string) => ({
  PK: `${PARTITIONS.license}${requestId}`,
  SK: 'LICENSE',
});
export const taskKey = (taskId: string) => ({ PK: `${PARTITIONS.task}${taskId}`, SK: 'TASK' });
/**
 * A stewardship wait's task, named by its request, execution and kind (TaskStore.recordWaitTask). The
 * request too: Step Functions may reuse an execution's name (so its id) 90 days after it ended.
 */
export const waitTaskKey = (requestId: string, executionId: string, kind: string) => ({
  PK: `${PARTITIONS.task}WAIT#${requestId}#${kind}#${executionId}`,
  SK: 'WAIT',
});
export const registryKey = (resourceId: string) => ({
  PK: `${PARTITIONS.registry}${resourceId}`,
  SK: 'RESOURCE',
});
/** A search index item: per status bucket (A = Approved, N = Not Approved) and word prefix. */
export const registrySearchKey = (bucket: 'A' | 'N', prefix: string, sortKey: string) => ({
  PK: registrySearchPartition(bucket, prefix),
  SK: sortKey,
});
export const registrySearchPartition = (bucket: 'A' | 'N', prefix: string) =>
  `${PARTITIONS.registrySearch}${bucket}#${prefix}`;
export const idempotencyKey = (key: string) => ({
  PK: `${PARTITIONS.idempotency}${key}`,
  SK: 'IDEMPOTENCY',
});
export const personKey = (email: string) => ({ PK: `${PARTITIONS.person}${email}`, SK: 'PERSON' });
/** A privacy review's policy snapshots, in its request's partition (written by requests, kept by evidence). */
export const policySnapshotKey = (requestId: string, reviewedAt: string) => ({
  PK: requestKey(requestId).PK,
  SK: `SNAPSHOT#${reviewedAt}`,
});
export const uploadKey = (uploadId: string) => ({ PK: `${PARTITIONS.upload}${uploadId}`, SK: 'UPLOAD' });
export const allowanceKey = (whoHash: string, windowStart: string) => ({
  PK: `${PARTITIONS.allowance}${whoHash}`,
  SK: windowStart,
});
/** An address SES reported undeliverable (lower-case: shared/core/mail/undeliverable.ts normaliseAddress). */
export const bouncedKey = (address: string) => ({ PK: `${PARTITIONS.bounced}${address}`, SK: 'BOUNCED' });
export const mailEventKey = (address: string, messageId: string, event: string) => ({
  PK: `${PARTITIONS.bounced}${address}`,
  SK: `EVENT#${messageId}#${event}`,
});
/**
 * The owner of the weekly digest's outbox entries, which belong to no request: they sit beside the
 * digest's week markers, in the reports' partition (weekly-digest writes it already).
 */
export const DIGEST_OUTBOX_OWNER = `${PARTITIONS.report}digests`;
/**
 * A side effect in the outbox: in its request's partition, so whoever writes the request may record it;
 * the digest's (owner DIGEST_OUTBOX_OWNER) in the reports' partition.
 */
export const outboxKey = (owner: string, effectKey: string) => ({
  PK: owner === DIGEST_OUTBOX_OWNER ? owner : requestKey(owner).PK,
  SK: `OUTBOX#${effectKey}`,
});
/** The one pool of SSL Labs assessment slots (all executions, all hosts share it). */
export const sslSlotPoolKey = () => ({ PK: `${PARTITIONS.sslSlots}slots`, SK: 'POOL' });
/** The SES sends counted in one second (epoch seconds). */
export const sesRateKey = (second: number) => ({ PK: `${PARTITIONS.sesRate}${second}`, SK: 'RATE' });
export const incidentKey = (incidentId: string) => ({
  PK: `${PARTITIONS.incident}${incidentId}`,
  SK: 'INCIDENT',
});
export const incidentLinkKey = (linkId: string) => ({
  PK: `${PARTITIONS.incidentLink}${linkId}`,
  SK: 'INCIDENTLINK',
});
