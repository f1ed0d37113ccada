/**
 * The routes of signed-in people (docs/design.md "Identity"): sign-in, the team work queue, and the
 * security schemes they use. In AUTH_MODE=link they answer 404.
 */
import { both, htmlBody, type Json, jsonBody, ref } from './common.ts';
import type { OpenApiRoute } from './routes.ts';

/** A browser signs in with the session cookie; an API client sends a bearer token from the same provider. */
export const SECURITY_SCHEMES: Json = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'district_session',
    description:
      'Set by GET /auth/callback after sign-in (HttpOnly, SameSite=Lax, Secure over https, 8 hours). Every state-changing POST made with it carries the session CSRF token: form field `csrf`, or header `x-csrf-token` (GET /auth/session gives it).',
  },
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A token of the district provider (Cognito in AWS) for this site: its ID token (`aud`), or an access token whose `client_id` is this site and which carries `email`. Verified against the provider\u2019s published keys; needs no CSRF token.',
  },
};

const SIGNED_IN: Json[] = [{ session: [] }, { bearer: [] }];

/** A vendor's incident link that cannot be used: a page (HTML) or JSON, nothing written. */
const INCIDENT_LINK_REFUSED: Json = {
  '403': both(ref('Error'), 'The link is incomplete or was changed.'),
  '404': both(ref('Error'), 'No such incident link.'),
  '409': both(ref('Error'), 'The resource is not in the registry yet.'),
  '410': both(ref('Error'), 'The link expired (a year and a month after the DPA email).'),
  '429': both(ref('Error'), 'The link has taken its ten reports.'),
};

const redirect = (description: string): Json => ({
  description,
  headers: { Location: { schema: { type: 'string' } } },
});

const identityRoute = (
  method: OpenApiRoute['method'],
  path: string,
  operationId: string,
  operation: Json,
) => ({
  path,
  method,
  operation: { tags: ['identity'], operationId, ...operation },
});

const QUEUE_ITEM: Json = {
  type: 'object',
  required: ['taskId', 'requestId', 'kind', 'team', 'assignedAt', 'dueAt', 'overdue', 'assignee', 'link'],
  properties: {
    taskId: { type: 'string' },
    requestId: { type: 'string' },
    kind: { type: 'string' },
    title: { type: 'string' },
    team: { type: 'string' },
    assignedAt: { type: 'string', format: 'date-time' },
    dueAt: { type: 'string', format: 'date-time', description: "The step's deadline." },
    overdue: { type: 'boolean', description: 'Past the first reminder (half the wait).' },
    assignee: {
      type: ['object', 'null'],
      properties: { email: { type: 'string' }, name: { type: 'string' } },
    },
    link: { type: 'string', description: 'The task page; a member of the team needs no emailed link.' },
  },
};

export const IDENTITY_ROUTES: OpenApiRoute[] = [
  identityRoute('get', '/auth/login', 'signIn', {
    summary: 'Start sign-in (OpenID Connect, authorization code flow with PKCE)',
    parameters: [
      {
        name: 'returnTo',
        in: 'query',
        required: false,
        description: 'A path on this site to come back to; anything else becomes `/`.',
        schema: { type: 'string', maxLength: 2048 },
      },
    ],
    responses: { '302': redirect("To the provider's sign-in, with a pending-login cookie.") },
  }),
  identityRoute('get', '/auth/callback', 'signInCallback', {
    summary: "The provider's answer: a new session (new id and CSRF token), then back to returnTo",
    responses: {
      '302': redirect('To returnTo, with the session cookie.'),
      '400': both(ref('Error'), 'Not the answer this browser waits for (state, nonce, PKCE, replay).'),
    },
  }),
  identityRoute('post', '/auth/logout', 'signOut', {
    summary: 'End the session in this browser',
    security: SIGNED_IN,
    responses: {
      '303': redirect('To `/`, with the session cookie expired.'),
      '403': both(ref('Error'), 'A session without its CSRF token.'),
    },
  }),
  identityRoute('get', '/auth/session', 'session', {
    summary: 'Who is signed in, and the CSRF token of the session',
    responses: {
      '200': jsonBody(
        {
          type: 'object',
          required: ['signedIn', 'email', 'name', 'teams', 'csrf'],
          properties: {
            signedIn: { type: 'boolean' },
            email: { type: ['string', 'null'] },
            name: { type: ['string', 'null'] },
            teams: { type: 'array', items: { type: 'string' } },
            csrf: { type: ['string', 'null'] },
          },
        },
        'Signed in or not.',
      ),
    },
  }),
  identityRoute('get', '/my/requests', 'myRequests', {
    summary: "The signed-in person's own requests, newest first (the last 50)",
    security: SIGNED_IN,
    responses: {
      '200': both(
        {
          type: 'object',
          required: ['items'],
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object',
                required: ['requestId', 'resourceName', 'status', 'submittedAt'],
                properties: {
                  requestId: { type: 'string' },
                  resourceName: { type: 'string' },
                  status: { type: 'string', enum: ['IN_REVIEW', 'APPROVED', 'DENIED', 'ERROR'] },
                  submittedAt: { type: 'string', format: 'date-time' },
                },
              },
            },
          },
        },
        'Newest first.',
      ),
      '302': redirect('A browser that is not signed in goes to sign in.'),
      '401': jsonBody(ref('Error'), 'Not signed in.'),
    },
  }),
  identityRoute('get', '/queue', 'workQueue', {
    summary: "The pending tasks of the signed-in person's teams",
    security: SIGNED_IN,
    responses: {
      '200': both(
        { type: 'object', required: ['tasks'], properties: { tasks: { type: 'array', items: QUEUE_ITEM } } },
        'Soonest deadline first.',
      ),
      '302': redirect('A browser that is not signed in goes to sign in.'),
      '401': jsonBody(ref('Error'), 'Not signed in.'),
    },
  }),
  identityRoute('get', '/incidents', 'incidentForm', {
    summary:
      "The vendor's incident form, opened from the link of the DPA emails (either sign-in mode; reads only)",
    parameters: [
      {
        name: 'link',
        in: 'query',
        required: true,
        description: 'The incident link id.',
        schema: { type: 'string' },
      },
      {
        name: 't',
        in: 'query',
        required: true,
        description: "The link's secret, as emailed.",
        schema: { type: 'string' },
      },
    ],
    security: [{}],
    responses: {
      '200': htmlBody('The form, which posts to POST /incidents with the link.'),
      ...INCIDENT_LINK_REFUSED,
    },
  }),
  identityRoute('post', '/incidents', 'reportIncident', {
    summary:
      "Report a student data incident on a resource (form or JSON: resourceId, reportedOn, description, studentsAffected, dataElements[]); opens incident-review with the state notice clocks. Signed in; or a vendor with its incident link (`link` and `t` fields or query; no resourceId: the link's resource)",
    security: [...SIGNED_IN, {}],
    responses: {
      '201': both(
        { type: 'object' },
        'Reported: the incident id and each notice clock with its due date (a page for a browser).',
      ),
      '400': both(
        ref('FieldErrors'),
        'Every bad field named (a browser gets the form again); nothing stored.',
      ),
      ...INCIDENT_LINK_REFUSED,
      '403': both(
        ref('Error'),
        'A session without its CSRF token, or link mode without an incident link (nobody known); or an altered incident link.',
      ),
    },
  }),
  identityRoute('post', '/queue/away', 'outOfOffice', {
    summary: 'Out of office: my tasks go to a teammate until a date (`clear` ends it)',
    security: SIGNED_IN,
    responses: {
      '200': jsonBody({ type: 'object' }, 'Saved.'),
      '303': redirect('A form post goes back to the queue.'),
      '400': both(ref('FieldErrors'), 'Not a teammate who has signed in, or not a date within a year.'),
      '403': both(ref('Error'), 'A session without its CSRF token.'),
    },
  }),
  identityRoute('post', '/queue/{taskId}/{action}', 'moveTask', {
    summary:
      'Take a task of my team (`claim`), give it back (`release`), or assign it (`assign`, field `assignee`)',
    security: SIGNED_IN,
    parameters: [
      { name: 'taskId', in: 'path', required: true, schema: { type: 'string' } },
      {
        name: 'action',
        in: 'path',
        required: true,
        schema: { type: 'string', enum: ['claim', 'release', 'assign'] },
      },
    ],
    responses: {
      '200': jsonBody({ type: 'object' }, 'The task and who has it now.'),
      '303': redirect('A form post goes back to the queue.'),
      '400': both(ref('FieldErrors'), 'No such task, or the assignee is not in the team.'),
      '403': both(ref('Error'), 'Not in the task team now, or no CSRF token.'),
      '409': both(ref('Error'), 'Someone else has the task, or it is no longer pending.'),
    },
  }),
];
