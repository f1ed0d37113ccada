/**
 * `npm start`: the whole product on this machine, no AWS account (docs/design.md "The embedded default").
 * Settings: PORT (default 3000), LOCAL_DATA_DIR (default .local-data/), SSLLABS_API_BASE (default: the
 * built-in fake SSL Labs), SSLLABS_EMAIL (the email registered with SSL Labs, for the real API) and
 * AUTH_MODE (default `sso`: people sign in at the embedded provider; `link`: emailed links alone) and
 * LOCAL_LIMITS (default `as-deployed`: AWS's per-route throttles and hourly submission limits; `off` for
 * load and crash tests that submit many requests from one address).
 */
import '#shared/core/runtime/promise-with-resolvers.ts';
import { readLocalSettings } from './config.ts';
import { startLocalRuntime } from './runtime.ts';

const settings = readLocalSettings();
const log = (message: string) => console.log(`[local] ${message}`);

const runtime = await startLocalRuntime({
  port: settings.port,
  dataDir: settings.dataDir,
  handlers: settings.handlers,
  authMode: settings.authMode,
  limits: settings.limits,
  ...(settings.sslLabsApiBase ? { sslLabsApiBase: settings.sslLabsApiBase } : {}),
  ...(settings.sslLabsEmail ? { env: { SSLLABS_EMAIL: settings.sslLabsEmail } } : {}),
  log,
}).catch((error: Error) => {
  console.error(`Could not start the local runtime: ${error.message}`);
  process.exit(1);
});

const site = runtime.siteUrl;
const people = runtime.users
  .map((user) => `    ${user.email.padEnd(46)}${user.groups.join(', ') || '(no team: requests only)'}`)
  .join('\n');
const signIn =
  settings.authMode === 'sso'
    ? `Sign-in (AUTH_MODE=sso): ${site}/auth/login  (type one of these addresses; no password locally)
${people}`
    : 'Sign-in is off (AUTH_MODE=link): whoever holds an emailed link decides and types their name.';
console.log(`
TS-PE-535 digital-resource requests: local runtime (no AWS account)

  Request form        ${site}/
  Registry            ${site}/registry
  Outbox (JSON)       ${site}/_local/outbox
  Outbox (web page)   ${runtime.urls.sesWebPage}
  Executions          ${site}/executions   (JSON: ${site}/_local/executions)
  Clock and schedules ${site}/_local/clock   (POST {"advanceDays": 365} to fire renewals)
  Events              ${site}/_local/events
  Work queue          ${site}/queue        My requests  ${site}/my/requests

  Data folder   ${runtime.dataDir}
  Handlers      ${runtime.handlers}${runtime.handlers === 'bundled' ? ' (built as CDK builds them)' : ' (TypeScript; HANDLERS=bundled runs the deployable bundles)'}
  SSL Labs      ${runtime.fakeSslLabs ? `built-in fake (every host grades A), ${runtime.env.SSLLABS_API_BASE}` : runtime.env.SSLLABS_API_BASE}

${signIn}
${runtime.resumed.length > 0 ? `  Resumed ${runtime.resumed.length} execution(s) that were running when the runtime stopped.\n` : ''}
Press Ctrl+C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) {
      console.log('Stopping now.');
      process.exit(1);
    }
    stopping = true;
    console.log('\nStopping: running tasks finish, executions in progress resume at the next start…');
    runtime.stop().then(
      () => process.exit(0),
      (error: Error) => {
        console.error(`Stopped with an error: ${error.message}`);
        process.exit(1);
      },
    );
  });
}
