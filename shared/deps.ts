/**
 * Wiring: what each handler needs, built from the environment. `fooDeps()` builds a handler's deps
 * on first use, reading and checking every variable they need (a missing or malformed one is named),
 * and keeps them for the container's life; a handler takes its deps as an optional argument whose
 * default is `fooDeps()`, so tests import it without any environment. Where a configuration test
 * reads them from a plain object, `fooDepsFor(env)` builds them and `fooDeps()` calls it once.
 * Everything here is side-effect free at import: a bundle keeps only what its handler calls.
 *
 * `store()`, `mailer()` and the other single pieces serve the handlers that assemble their deps
 * themselves.
 */
import type { RecordMailEventDeps } from './bounces/index.ts';
import { recordSuppressed } from './bounces/index.ts';
import { dynamoDb, scheduler, sfn } from './core/aws/clients.ts';
import {
  readConfigurationSet,
  readMailFrom,
  readPublicBaseUrl,
  readSchedulerDeadLetterArn,
  readSesMaxSendRate,
  readStateMachineArn,
  readStewardshipStateMachineArn,
  readTableName,
} from './core/config.ts';
import { booleanEnv, type Env, emailEnv, requireEnv } from './core/env.ts';
import type { Mailer } from './core/mail/mailer.ts';
import { sharedSendRate } from './core/mail/send-rate.ts';
import { SesMailer } from './core/mail/ses-mailer.ts';
import { SuppressingMailer } from './core/mail/suppressing-mailer.ts';
import { once } from './core/once.ts';
import { documentStoreFor } from './evidence/document-store.ts';
import { vendorPageConfig, vendorPageFetcher } from './evidence/vendor-page.ts';
import { type CallerDeps, callerDeps } from './identity/index.ts';
import type { RecoverySweepDeps } from './recovery/recovery-sweep.ts';
import { admitSubmission, readRequesterEmailDomains, readSubmissionLimits } from './requests/limits.ts';
import type { SubmissionDeps } from './requests/submission.ts';
import { WorkflowStore } from './store.ts';
import type { RemindTaskDeps } from './tasks/reminders.ts';
import type { AssignTaskDeps } from './tasks/task-assign.ts';
import type { DecideDeps } from './tasks/task-service.ts';
import type { PolicyDecisionDeps } from './watch/policy-decision.ts';
import type { PolicyWatchDeps } from './watch/policy-watch.ts';
import type { SpotCheckDeps } from './watch/spot-checks.ts';
import { readTeamEmails } from './workflow/config.ts';
import { readServiceLevelDays } from './workflow/service-levels.ts';

export type { Env } from './core/env.ts';

export const now = (): Date => new Date();

export const storeFor = (env: Env = process.env) =>
  new WorkflowStore({ tableName: readTableName(env), client: dynamoDb });

/**
 * Every email goes through the suppression list (shared/bounces): an address that bounced permanently
 * or complained is left out, and the request's audit trail says so. What is sent takes a turn of the
 * account's SES send rate first, counted in the table across every sender (shared/core/mail/send-rate.ts).
 */
export const mailerFor = (env: Env = process.env): Mailer => {
  const tableStore = storeFor(env);
  return new SuppressingMailer(
    new SesMailer({
      from: readMailFrom(env),
      configurationSet: readConfigurationSet(env),
      limiter: sharedSendRate(tableStore, { rate: readSesMaxSendRate(env) }),
    }),
    {
      suppressions: tableStore,
      onSuppressed: (email, suppressed) => recordSuppressed(email, suppressed, { store: tableStore }),
    },
  );
};

export const store = /* @__PURE__ */ once(() => storeFor());
export const mailer = /* @__PURE__ */ once(() => mailerFor());
/** The bus workflow events go to (with the EventBridge client of aws/clients.ts). */
export const eventBusName = /* @__PURE__ */ once(() => requireEnv('EVENT_BUS_NAME'));
export const publicBaseUrl = /* @__PURE__ */ once(() => readPublicBaseUrl());
export const teamEmails = /* @__PURE__ */ once(() => readTeamEmails());

/**
 * What a route that only reads needs (the request status, the registry and its export, a resource's
 * page, the task and reply pages): the table and the clock.
 */
export const readDeps = /* @__PURE__ */ once(() => ({ store: storeFor(), now }));

/**
 * What starting a request's workflow needs: submit-request, and the recovery sweep (recover-requests)
 * that finishes a crashed submission or decision.
 */
export const workflowStartDeps = /* @__PURE__ */ once(
  (): SubmissionDeps & Omit<RecoverySweepDeps, 'stewardship'> => {
    const tableStore = storeFor();
    return {
      store: tableStore,
      reports: tableStore,
      sfn,
      mailer: mailerFor(),
      stateMachineArn: readStateMachineArn(),
      publicBaseUrl: readPublicBaseUrl(),
      now,
    };
  },
);

/**
 * The recovery sweep (recover-requests): starting a request's workflow, and an incident's review (the
 * resource-stewardship machine) whose report crashed before it started.
 */
export const recoverySweepDeps = /* @__PURE__ */ once(
  (): RecoverySweepDeps => ({
    ...workflowStartDeps(),
    stewardship: { sfn, stateMachineArn: readStewardshipStateMachineArn() },
  }),
);

/**
 * What submit-request needs: starting a workflow, plus the abuse limits (the district's requester
 * domains and the hourly submission allowances, shared/requests/limits.ts).
 */
export const submissionDeps = /* @__PURE__ */ once((): SubmissionDeps => {
  const limits = readSubmissionLimits();
  const allowances = store();
  return {
    ...workflowStartDeps(),
    requesterEmailDomains: readRequesterEmailDomains(),
    admit: (request, submitter) => admitSubmission(submitter, request, limits, allowances),
  };
});

/** What deciding through an emailed link needs (record-decision, record-answer). */
export const decideDepsFor = (env: Env = process.env): DecideDeps => {
  const tableStore = storeFor(env);
  return {
    store: tableStore,
    reports: tableStore,
    sfn,
    mailer: mailerFor(env),
    now,
    publicBaseUrl: readPublicBaseUrl(env),
  };
};
export const decideDeps = /* @__PURE__ */ once(() => decideDepsFor());

/** Reply links are for the requester or a vendor, who never sign in: whoever holds the link answers. */
const REPLY_LINKS: CallerDeps = { mode: 'link' };

/** A team's task link (task-page, record-decision): who is asking counts in sso mode. */
export const taskPageDeps = /* @__PURE__ */ once(() => ({ ...readDeps(), caller: callerDeps() }));
export const teamDecideDeps = /* @__PURE__ */ once(() => ({ ...decideDeps(), caller: callerDeps() }));
/** The work queue (work-queue, queue-action, queue-away) and sign-in's record of people (auth-callback). */
export const queueDeps = /* @__PURE__ */ once(() => ({ ...readDeps(), caller: callerDeps() }));

/** The weekly digest (weekly-digest): to Technology Services (ESCALATION_EMAIL) and each team. */
export const digestDeps = /* @__PURE__ */ once(() => ({
  store: storeFor(),
  mailer: mailerFor(),
  now,
  publicBaseUrl: readPublicBaseUrl(),
  teamEmails: readTeamEmails(),
  ...(process.env.ESCALATION_EMAIL?.trim() ? { technologyServices: emailEnv('ESCALATION_EMAIL') } : {}),
}));

/** SES's reports on sent emails (record-mail-event): the suppression list and the audit trail. */
export const mailEventDeps = /* @__PURE__ */ once((): RecordMailEventDeps => {
  const tableStore = storeFor();
  return { bounces: tableStore, store: tableStore };
});

/** The requester's own list (my-requests). */
export const myRequestsDeps = /* @__PURE__ */ once(() => ({ store: storeFor(), caller: callerDeps() }));

/** The reports (reports-page, reports-summary, reports-tasks). */
export const reportEndpointDeps = /* @__PURE__ */ once(() => ({
  ...readDeps(),
  caller: callerDeps(),
  serviceLevels: readServiceLevelDays(),
}));

/** The audit record (request-audit, request-audit-page) and the decisions' export (audit-export). */
export const auditEndpointDeps = /* @__PURE__ */ once(() => ({ store: storeFor(), caller: callerDeps() }));
export const auditExportDeps = /* @__PURE__ */ once(() => ({ ...readDeps(), caller: callerDeps() }));

/** The public list (public-page, public-json, public-csv). */
export const publicListDeps = /* @__PURE__ */ once(() => ({
  ...readDeps(),
  publishAgreements: booleanEnv('PUBLISH_AGREEMENTS'),
}));

/** A published agreement (public-agreement). */
export const publicAgreementDeps = /* @__PURE__ */ once(() => ({
  store: storeFor(),
  documents: documentStoreFor(),
  publishAgreements: booleanEnv('PUBLISH_AGREEMENTS'),
}));

/** A vendor's upload link (upload-page, upload-received). */
export const uploadDeps = /* @__PURE__ */ once(() => {
  const store = storeFor();
  return {
    store,
    uploads: store,
    evidence: store,
    documents: documentStoreFor(),
    publicBaseUrl: readPublicBaseUrl(),
    now,
  };
});

/** The reviewed privacy policies' snapshots (keep-policy-snapshots). */
export const snapshotDeps = /* @__PURE__ */ once(() => ({
  store: storeFor(),
  documents: documentStoreFor(),
  fetcher: vendorPageFetcher(vendorPageConfig()),
  now,
}));

/** The policy-change watch (watch-policies): the snapshots, the vendors' pages, the watch machine. */
export const policyWatchDeps = /* @__PURE__ */ once((): PolicyWatchDeps => {
  const store = storeFor();
  return {
    registry: { store },
    store,
    documents: documentStoreFor(),
    fetcher: vendorPageFetcher(vendorPageConfig()),
    watch: { sfn, stateMachineArn: readStateMachineArn(process.env, 'WATCH_STATE_MACHINE_ARN') },
    now,
  };
});

/** The SSL spot checks between renewals (start-ssl-spot-checks). */
export const spotCheckDeps = /* @__PURE__ */ once(
  (): SpotCheckDeps => ({
    registry: { store: storeFor() },
    watch: { sfn, stateMachineArn: readStateMachineArn(process.env, 'WATCH_STATE_MACHINE_ARN') },
    now,
  }),
);

/** Cybersecurity's answer to a changed policy (apply-policy-decision). */
export const policyDecisionDeps = /* @__PURE__ */ once(
  (): PolicyDecisionDeps => ({
    store: storeFor(),
    renewal: { sfn, stateMachineArn: readStateMachineArn(process.env, 'RENEWAL_STATE_MACHINE_ARN') },
    now,
  }),
);

/** A kept document for staff (document). */
export const documentDeps = /* @__PURE__ */ once(() => {
  const store = storeFor();
  return { evidence: store, tasks: store, documents: documentStoreFor(), caller: callerDeps() };
});

/** A reply link (reply-page, record-answer). */
export const replyPageDeps = /* @__PURE__ */ once(() => ({ ...readDeps(), caller: REPLY_LINKS }));
export const replyDecideDeps = /* @__PURE__ */ once(() => ({ ...decideDeps(), caller: REPLY_LINKS }));

/** What a step that emails a team about its task needs (assign-task, remind-task). */
function teamTaskDepsFor(env: Env) {
  return {
    store: storeFor(env),
    mailer: mailerFor(env),
    now,
    publicBaseUrl: readPublicBaseUrl(env),
    teamEmails: readTeamEmails(env),
  };
}

/** assign-task: the team's email, and the schedules that invoke remind-task before the deadline. */
export function assignTaskDepsFor(env: Env = process.env): AssignTaskDeps {
  return {
    ...teamTaskDepsFor(env),
    serviceLevels: readServiceLevelDays(env),
    reminders: {
      scheduler,
      config: {
        scheduleGroupName: requireEnv('SCHEDULE_GROUP_NAME', env),
        schedulerRoleArn: requireEnv('SCHEDULER_ROLE_ARN', env),
        reminderFunctionArn: requireEnv('REMINDER_FUNCTION_ARN', env),
        deadLetterArn: readSchedulerDeadLetterArn(env),
      },
    },
  };
}
export const assignTaskDeps = /* @__PURE__ */ once(() => assignTaskDepsFor());

/** remind-task: the team's email, and Technology Services' address when one is set (optional). */
export function remindTaskDepsFor(env: Env = process.env): RemindTaskDeps {
  return {
    ...teamTaskDepsFor(env),
    ...(env.ESCALATION_EMAIL?.trim() ? { escalationEmail: emailEnv('ESCALATION_EMAIL', env) } : {}),
  };
}
export const remindTaskDeps = /* @__PURE__ */ once(() => remindTaskDepsFor());
