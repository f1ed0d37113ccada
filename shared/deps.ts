/**
 * Wiring: the dependencies handlers share, each built from the environment on first use and then
 * reused for the container's life (configuration is read once and fails fast, naming the variable).
 * Handlers take their deps as an optional argument, so tests import them without any environment.
 * Everything here is side-effect free at import: a bundle keeps only what its handler calls.
 *
 * `storeFor(env)` and friends build from a given environment (configuration tests); `store()` and
 * friends are the process-wide instances.
 */
import { dynamoDb, sfn } from './core/aws/clients.ts';
import { readMailFrom, readPublicBaseUrl, readStateMachineArn, readTableName } from './core/config.ts';
import { type Env, requireEnv } from './core/env.ts';
import { SesMailer } from './core/mail/ses-mailer.ts';
import { once } from './core/once.ts';
import type { SubmissionDeps } from './requests/submission.ts';
import { WorkflowStore } from './store.ts';
import type { DecideDeps, TaskReadDeps } from './tasks/task-service.ts';
import { readTeamEmails } from './workflow/config.ts';

export type { Env } from './core/env.ts';

export const now = (): Date => new Date();

export const storeFor = (env: Env = process.env) =>
  new WorkflowStore({ tableName: readTableName(env), client: dynamoDb });

export const mailerFor = (env: Env = process.env) => new SesMailer({ from: readMailFrom(env) });

export const store = /* @__PURE__ */ once(() => storeFor());
export const mailer = /* @__PURE__ */ once(() => mailerFor());
/** The bus workflow events go to (with the EventBridge client of aws/clients.ts). */
export const eventBusName = /* @__PURE__ */ once(() => requireEnv('EVENT_BUS_NAME'));
export const publicBaseUrl = /* @__PURE__ */ once(() => readPublicBaseUrl());
export const teamEmails = /* @__PURE__ */ once(() => readTeamEmails());

/** What a step that emails a team about its task needs (assign-task, remind-task). */
export function teamTaskDeps(env: Env = process.env) {
  return {
    store: storeFor(env),
    mailer: mailerFor(env),
    now,
    publicBaseUrl: readPublicBaseUrl(env),
    teamEmails: readTeamEmails(env),
  };
}

/** What deciding through an emailed link needs (record-decision, record-answer). */
export function decideDepsFor(env: Env = process.env): DecideDeps {
  return { store: storeFor(env), sfn, mailer: mailerFor(env), now, publicBaseUrl: readPublicBaseUrl(env) };
}

/** What opening an emailed link's page needs (task-page, reply-page). */
export const taskReadDeps = (): TaskReadDeps => ({ store: store(), now });

/** What a submission needs (submit-request): the store, the workflow to start, the mail. */
export function submissionDepsFor(env: Env = process.env): SubmissionDeps {
  return {
    store: storeFor(env),
    sfn,
    mailer: mailerFor(env),
    stateMachineArn: readStateMachineArn(env),
    publicBaseUrl: readPublicBaseUrl(env),
  };
}
