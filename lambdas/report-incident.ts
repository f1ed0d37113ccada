/**
 * /incidents: a student data incident on a resource is reported; Cybersecurity's incident-review task
 * opens with the state notice clocks (shared/stewardship/incident-endpoint.ts). POST from anyone signed
 * in; GET (the form) and POST through a vendor's incident link from the DPA emails, in either mode.
 *
 * Env: TABLE_NAME, STEWARDSHIP_STATE_MACHINE_ARN, INCIDENT_CLOCKS, IDENTITY_ENV.
 */
import { sfn } from '#shared/core/aws/clients.ts';
import { readStewardshipStateMachineArn } from '#shared/core/config.ts';
import { errorPage } from '#shared/core/html/layout.ts';
import { httpHandler } from '#shared/core/http/edge.ts';
import { once } from '#shared/core/once.ts';
import { now, store } from '#shared/deps.ts';
import { callerDeps } from '#shared/identity/index.ts';
import { readIncidentClocks } from '#shared/stewardship/clocks.ts';
import { type IncidentEndpointDeps, reportIncidentEndpoint } from '#shared/stewardship/incident-endpoint.ts';

const deps = once(
  (): IncidentEndpointDeps => ({
    store: store(),
    links: store(),
    stewardship: { sfn, stateMachineArn: readStewardshipStateMachineArn() },
    clocks: readIncidentClocks(),
    now,
  }),
);

export const run = reportIncidentEndpoint;
export const handler = httpHandler((event) => reportIncidentEndpoint(event, deps(), callerDeps()), {
  renderErrorPage: errorPage,
});
