/**
 * DynamoDB access per function: which kinds of item each Lambda may read and write. The CDK binding
 * (DistrictFunction.bindTable) grants exactly this, as `dynamodb:LeadingKeys` conditions on the
 * partition-key prefixes of shared/core/store/keys.ts; test/cdk/stack.test.ts checks the deployed policies.
 *
 * Derived from the store calls each handler makes (named per entry). Store method → items:
 *   createRequest, updateRequest, setRequestSecurity        write request   (updateRequest,
 *   appendAudit                                              write + read     setRequestSecurity and
 *                                                            request          appendAudit read it back
 *   getRequest, requireRequest, listAudit                    read request     on a conflict)
 *   createTask, claimTask, releaseTask, rotate/restoreTaskSecret, markTaskTimedOut   write task
 *   getTask                                                  read task
 *   storeLicenseKey                                          write license (nobody reads licence keys)
 *   putRegistryEntry                                         write registry + registrySearch (the entry,
 *                                                            then its search index items in batches;
 *                                                            reads the entry back on a conflict)
 *   getRegistryEntry / getRegistryEntries                    read registry
 *   setRegistryRenewal, setRegistryRequests                  write registry
 *   registrySearchPage                                       read registrySearch (a Query, one page)
 *   claimIdempotencyKey                                      write + read idempotency
 *   takeAllowance, giveBackAllowance                         write allowance (submit-request only)
 *   recordEffect, claimStaleEffect, markEffectSent,          write + read request (outbox items live in
 *   releaseEffect, getEffect                                 their request's partition; the weekly
 *                                                            digest's in report: REPORT#digests)
 *   listUnsentEffects                                        query GSI2 OUTBOX
 *   markRequestStarted                                       write request
 *   listUnstartedRequests                                    query GSI2 UNSTARTED
 *   markTaskDelivered, markTaskFollowedUp,                   write task
 *   markTaskLicenseKeyStored
 *   claimDecisionEmail, releaseDecisionEmail
 *   listUndeliveredTasks                                     query GSI2 UNDELIVERED
 *   createIncident, markIncidentReviewStarted,               write incident (createIncident reads the
 *   markIncidentReviewed                                     stored one back on a conflict)
 *   getIncident                                              read incident
 *   listUnstartedIncidentReviews                             query GSI1 INCIDENT_UNSTARTED
 *   countSubmitted, countDecision, countClosed, countDenial, write report (the reports' aggregates:
 *   countReuse                                               submit-request, the decision follow-up,
 *                                                            close-request, record-error, check-current-vetting)
 *   reportMonth                                              read report
 *   listDecidedTasks                                         query GSI1 DECIDED# (the reports' task rows)
 *   (listRequestsByRequester, listPendingTasks, listRenewalsDue: no handler calls them today)
 *
 * `read` = GetItem + BatchGetItem + Query, `write` = PutItem + UpdateItem, `batchWrite` = BatchWriteItem
 * (which can delete: only publish-status, for the registry's search index; shared/core/store/table.ts
 * sends nothing else).
 * LeadingKeys sees the partition key only, so a request's record and its audit trail (one partition,
 * REQUEST#<id>) are granted together; licence keys have their own partition (LICENSE#<id>) so that
 * no function that reads requests can read them. On an index, LeadingKeys is the index's partition
 * key (GSI1PK), which is why index queries are listed by index partition.
 */
import type { IndexPartitionKind, PartitionKind } from './keys.ts';

export interface TableAccess {
  /** GetItem and Query on these partitions of the table. */
  read: readonly PartitionKind[];
  /** PutItem and UpdateItem on these partitions of the table. */
  write: readonly PartitionKind[];
  /** BatchWriteItem (puts and deletes) on these partitions of the table. */
  batchWrite: readonly PartitionKind[];
  /** Query on these index partitions. */
  query: readonly IndexPartitionKind[];
}

const access = (a: Partial<TableAccess>): TableAccess => ({
  read: [],
  write: [],
  batchWrite: [],
  query: [],
  ...a,
});

/**
 * Every function of shared/functions.ts that uses the table (request-form does not: it only renders
 * the form). Keys are function names.
 */
const TABLE_ACCESS_BEFORE_MAIL: Readonly<Record<string, TableAccess>> = {
  // --- HTTP, read-only -------------------------------------------------------------------------------
  // getRequest, listAudit
  'get-request': access({ read: ['request'] }),
  // openTask: getTask, requireRequest, listAudit (replacement context); appendAudit (a member of another
  // team refused, AUTH_MODE=sso)
  'task-page': access({ read: ['task', 'request'], write: ['request'] }),
  // searchRegistry: registrySearchPage, getRegistryEntries
  registry: access({ read: ['registrySearch', 'registry'] }),
  // getRegistryEntry
  'registry-resource': access({ read: ['registry'] }),
  // exportRegistry: registrySearchPage, getRegistryEntries
  'registry-export': access({ read: ['registrySearch', 'registry'] }),
  // openTask (reply links): getTask, requireRequest, listAudit
  'reply-page': access({ read: ['task', 'request'] }),
  // reportSummary: reportMonth; listPendingTasks (GSI1 TEAM#, pending and overdue now)
  'reports-page': access({ read: ['report'], query: ['pendingTasksByTeam'] }),
  'reports-summary': access({ read: ['report'], query: ['pendingTasksByTeam'] }),
  // listDecidedTasks (GSI1 DECIDED#)
  'reports-tasks': access({ query: ['decidedTasksByMonth'] }),
  // sendWeeklyDigest: listPendingTasks (GSI1 TEAM#), listDecidedTasks (GSI1 DECIDED#);
  // its emails through the outbox (recordEffect, claimStaleEffect, markEffectSent, releaseEffect, and the
  // read-back of a held entry): REPORT#digests
  'weekly-digest': access({
    read: ['report'],
    write: ['report'],
    query: ['pendingTasksByTeam', 'decidedTasksByMonth'],
  }),
  // readPublicList: registrySearchPage, getRegistryEntries, getRequests; listEvidence (published agreements);
  // listIncidents (GSI2 INCIDENTS), listDeletions (GSI2 DELETION)
  'public-page': access({
    read: ['registrySearch', 'registry', 'request'],
    query: ['incidents', 'deletions'],
  }),
  'public-json': access({
    read: ['registrySearch', 'registry', 'request'],
    query: ['incidents', 'deletions'],
  }),
  'public-csv': access({
    read: ['registrySearch', 'registry', 'request'],
    query: ['incidents', 'deletions'],
  }),
  // getEvidence, getRequest, getRegistryEntry (only a signed DPA of a resource Approved now)
  'public-agreement': access({ read: ['request', 'registry'] }),
  // --- HTTP, signed-in people ------------------------------------------------------------------------
  // myRequests: listRequestsByRequester (GSI1 REQUESTER#)
  'my-requests': access({ query: ['requestsByRequester'] }),
  // finishLogin: recordSignIn
  'auth-callback': access({ write: ['person'] }),
  // teamQueue: listPendingTasks (GSI1 TEAM#); getPerson (my out-of-office)
  'work-queue': access({ read: ['person'], query: ['pendingTasksByTeam'] }),
  // moveTask: getTask, setTaskAssignee, getPerson (the teammate), appendAudit
  'queue-action': access({ read: ['task', 'person', 'request'], write: ['task', 'request'] }),
  // openUpload: getUploadLink, getRequest
  'upload-page': access({ read: ['upload', 'request'] }),
  // receiveUpload: getUploadLink, claimUploadLink; addEvidence, listAudit, appendAudit;
  // confirmDeletionByUpload: listPendingTasks (GSI1 TEAM#), claimTask, releaseTask, markTaskDelivered,
  // markTaskFollowedUp
  'upload-received': access({
    read: ['upload', 'request'],
    write: ['upload', 'request', 'task'],
    query: ['pendingTasksByTeam'],
  }),
  // reportIncident: getRegistryEntry; createIncident (+ its read-back: the same report sent again);
  // appendAudit (reads its event back on a retry); markIncidentReviewStarted;
  // a vendor's link: getIncidentLink, takeIncidentReport
  'report-incident': access({
    read: ['registry', 'request', 'incidentLink', 'incident'],
    write: ['incident', 'request', 'incidentLink'],
  }),
  // getEvidence; getTask (link mode: the task link of the document's request)
  document: access({ read: ['request', 'task'] }),
  // readAuditRecord: getRequest, listAudit, listEvidence, listEvidenceFailures
  'request-audit': access({ read: ['request'] }),
  'request-audit-page': access({ read: ['request'] }),
  // exportDecisions: listDecidedTasks (GSI1 DECIDED#)
  'audit-export': access({ query: ['decidedTasksByMonth'] }),
  // setAway: getPerson, recordSignIn, setAway
  'queue-away': access({ read: ['person'], write: ['person'] }),

  // --- HTTP, writers -------------------------------------------------------------------------------------
  // submitResourceRequest: takeAllowance / giveBackAllowance (the per-person limit), claimIdempotencyKey
  // (+ its read-back), createRequest, getRequest, listAudit, appendAudit, markRequestStarted
  'submit-request': access({
    read: ['request', 'idempotency'],
    write: ['request', 'idempotency', 'report', 'allowance'],
  }),
  // decide: getTask, requireRequest, listAudit; claimTask, releaseTask, markTaskTimedOut,
  // markTaskDelivered, markTaskFollowedUp, claim/releaseDecisionEmail, markDecisionEmailSent,
  // markTaskLicenseKeyStored; storeLicenseKey; appendAudit,
  // setRequestSecurity, updateRequest
  // (AUTH_MODE=sso: appendAudit of a refused member of another team)
  'record-decision': access({ read: ['task', 'request'], write: ['task', 'request', 'license', 'report'] }),
  // decide (reply links): getTask, requireRequest, listAudit; claimTask, releaseTask, markTaskTimedOut,
  // markTaskDelivered, markTaskFollowedUp; appendAudit (an answer writes no facts, sends the requester
  // no decision email and never a licence key)
  'record-answer': access({ read: ['task', 'request'], write: ['task', 'request', 'report'] }),

  // --- workflow steps ------------------------------------------------------------------------------------
  // checkCurrentVetting: requireRequest, getRequest (the earlier request); getRegistryEntry;
  // updateRequest, setRequestSecurity, appendAudit
  'check-current-vetting': access({ read: ['request', 'registry'], write: ['request', 'report'] }),
  // assignTask: requireRequest, listAudit (replacement context, a retried call's audit); createTask; getTask,
  // retokenTask (a retried call of the same wait); updateRequest, appendAudit
  // continuingHolder: getPerson (the team's last signed-in decider of this request, or their delegate)
  'assign-task': access({ read: ['request', 'task', 'person'], write: ['task', 'request'] }),
  // remindTask: getTask, requireRequest, listAudit; rotateTaskSecret, restoreTaskSecret; appendAudit
  // followAway: getPerson, setTaskAssignee (a taken task of someone out of office goes to the delegate)
  'remind-task': access({ read: ['task', 'request', 'person'], write: ['task', 'request'] }),
  // requireRequest, setRequestSecurity, updateRequest, appendAudit; createUploadLink, createIncidentLink
  'send-dpa': access({ read: ['request'], write: ['request', 'upload', 'incidentLink'] }),
  // runSslScanStep: requireRequest, updateRequest, setRequestSecurity, appendAudit;
  // readSslSlotPool, acquire/renew/release SSL slots, learnSslSlotMax (the SSL Labs limit, one item)
  'check-ssl': access({ read: ['request', 'sslSlots'], write: ['request', 'sslSlots'] }),
  // requireRequest, setRequestSecurity (sslRemediation), updateRequest, appendAudit
  'notify-vendor-ssl': access({ read: ['request'], write: ['request'] }),
  // requireRequest, updateRequest (renewal), appendAudit
  'record-renewal': access({ read: ['request'], write: ['request'] }),
  // requireRequest, appendAudit; getRegistryEntry, putRegistryEntry (+ its search index: the only batch
  // writer), setRegistryRequests
  'publish-status': access({
    read: ['request', 'registry'],
    write: ['request', 'registry'],
    batchWrite: ['registrySearch'],
  }),
  // sendDeletionRequest: getRegistryEntry, requireRequest; createUploadLink; setDeletionRequested; appendAudit
  'send-deletion-request': access({
    read: ['registry', 'request'],
    write: ['registry', 'request', 'upload'],
  }),
  // recordStewardship: setDeletionConfirmed, markIncidentReviewed, appendAudit
  'record-stewardship': access({ read: ['request'], write: ['registry', 'incident', 'request'] }),
  // requireRequest, appendAudit
  'procurement-hook': access({ read: ['request'], write: ['request'] }),
  // requireRequest, getRequest (the request whose vetting was reused), updateRequest, appendAudit;
  // setRegistryRenewal
  'schedule-renewal': access({ read: ['request'], write: ['request', 'registry'] }),
  // requireRequest, appendAudit
  'plan-renewal': access({ read: ['request'], write: ['request'] }),
  // requireRequest, listAudit, updateRequest, appendAudit
  'close-request': access({ read: ['request'], write: ['request', 'report'] }),
  // getRequest, listAudit, updateRequest, appendAudit
  'record-error': access({ read: ['request'], write: ['request', 'report'] }),

  // --- scheduled ------------------------------------------------------------------------------------------
  // keepPolicySnapshots: listSnapshotsDue (GSI2 SNAPSHOT_DUE); listAudit; addEvidence, addEvidenceFailure,
  // appendAudit, markSnapshotsKept
  'keep-policy-snapshots': access({ read: ['request'], write: ['request'], query: ['policySnapshotsDue'] }),
  // watchPolicies: registrySearchPage, getRegistryEntries (the Approved entries); listEvidence,
  // get/putPolicyWatch, listAudit, appendAudit (the request's partition)
  'watch-policies': access({ read: ['registrySearch', 'registry', 'request'], write: ['request'] }),
  // startSslSpotChecks: registrySearchPage, getRegistryEntries
  'start-ssl-spot-checks': access({ read: ['registrySearch', 'registry'] }),
  // applyPolicyDecision: addEvidence, appendAudit; setRegistryUnderReview
  'apply-policy-decision': access({ read: ['request'], write: ['request', 'registry'] }),
  // startUnstartedRequests: listUnstartedRequests (GSI2 UNSTARTED); getRequest, listAudit, appendAudit,
  // markRequestStarted; the acknowledgement through the outbox (recordEffect, claimStaleEffect,
  // markEffectSent, releaseEffect, getEffect: request items).
  // sendUnsentEffects: listUnsentEffects (GSI2 OUTBOX); getEffect, claimStaleEffect, markEffectSent (request
  // items, and the weekly digest's in REPORT#digests).
  // finishUndeliveredDecisions: listUndeliveredTasks (GSI2 UNDELIVERED); getTask, getRequest, listAudit;
  // markTaskDelivered, markTaskFollowedUp, markTaskTimedOut, claim/releaseDecisionEmail,
  // markDecisionEmailSent; appendAudit,
  // setRequestSecurity, updateRequest (the decision's facts; never a licence key: the claim kept
  // only its last 4 characters)
  // startUnstartedIncidentReviews: listUnstartedIncidentReviews (GSI1 INCIDENT_UNSTARTED); getIncident,
  // appendAudit, markIncidentReviewStarted
  'recover-requests': access({
    read: ['request', 'task', 'report', 'incident'],
    write: ['request', 'task', 'report', 'incident'],
    query: ['unstartedRequests', 'undeliveredDecisions', 'unsentEffects', 'unstartedIncidentReviews'],
  }),
};

/**
 * Every function that sends email (MAIL_FROM in shared/functions.ts; test/unit/core/mail-senders.test.ts
 * checks the list) asks the suppression list first (BOUNCED#, shared/bounces) and, when it leaves a
 * recipient out, writes EMAIL_SUPPRESSED on the email's request (read to find its step). The weekly
 * digest's emails belong to no request: it only reads the list. Each counts its sends against the
 * account's SES send rate (SESRATE#, countSesSend: an UpdateItem).
 */
export const MAIL_SENDERS: Readonly<Record<string, 'audits' | 'reads-only'>> = {
  'submit-request': 'audits',
  'record-decision': 'audits',
  'record-answer': 'audits',
  'assign-task': 'audits',
  'remind-task': 'audits',
  'send-dpa': 'audits',
  'notify-vendor-ssl': 'audits',
  'record-renewal': 'audits',
  'close-request': 'audits',
  'record-error': 'audits',
  'recover-requests': 'audits',
  'send-deletion-request': 'audits',
  'weekly-digest': 'reads-only',
};

const union = <T>(a: readonly T[], b: readonly T[]): T[] => [...new Set([...a, ...b])];

export const TABLE_ACCESS: Readonly<Record<string, TableAccess>> = {
  ...TABLE_ACCESS_BEFORE_MAIL,
  // recordMailEvent: getRequest, appendAudit; suppress, mailEventSeen, markMailEventSeen
  'record-mail-event': access({ read: ['request', 'bounced'], write: ['request', 'bounced'] }),
  ...Object.fromEntries(
    Object.entries(MAIL_SENDERS).map(([name, how]) => {
      const base = TABLE_ACCESS_BEFORE_MAIL[name] ?? access({});
      return [
        name,
        {
          ...base,
          read: union(base.read, how === 'audits' ? ['bounced', 'request'] : ['bounced']),
          write: union(base.write, how === 'audits' ? ['request', 'sesRate'] : ['sesRate']),
        },
      ];
    }),
  ),
};
