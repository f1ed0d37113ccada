/**
 * The HTTP API's route table for docs/openapi.json: each route's path, method and OpenAPI operation, in
 * document order (key order is the document's). Parameters shared by every method of a path are in
 * PATH_PARAMETERS.
 */

import { RESOURCE_ID_PATTERN } from '#shared/registry/resource-identity.ts';
import { IDEMPOTENCY_KEY_PATTERN } from '#shared/requests/submission.ts';
import { REQUEST_ID_PATTERN } from '#shared/workflow/request-id.ts';
import { both, htmlBody, type Json, jsonBody, ref, STATUS_LINK } from './common.ts';

export interface OpenApiRoute {
  path: string;
  method: 'get' | 'post';
  operation: Json;
}

export const PATH_PARAMETERS: Record<string, Json[]> = {
  '/tasks/{taskId}': [{ name: 'taskId', in: 'path', required: true, schema: { type: 'string' } }],
  '/registry/{resourceId}': [
    {
      name: 'resourceId',
      in: 'path',
      required: true,
      schema: { type: 'string', pattern: RESOURCE_ID_PATTERN.source },
    },
  ],
  '/replies/{replyId}': [{ name: 'replyId', in: 'path', required: true, schema: { type: 'string' } }],
};

/** A route's operation begins with its tag and operationId; the rest follows in document order. */
const route = (
  method: OpenApiRoute['method'],
  path: string,
  tag: 'requests' | 'tasks' | 'replies' | 'registry',
  operationId: string,
  operation: Json,
): OpenApiRoute => ({ path, method, operation: { tags: [tag], operationId, ...operation } });

const optionalQuery = (name: string, description: string, schema: Json): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

/**
 * An emailed link (a team's task, a question to the requester or vendor): the page it opens, which
 * changes nothing (mail scanners follow links), and the form that page posts. Both check the link's
 * secret `t`.
 */
function emailedLink(
  path: string,
  tag: 'tasks' | 'replies',
  link: {
    email: 'task' | 'question';
    page: string;
    pageSummary: string;
    pageDescription: string;
    pageShows: string;
    post: string;
    postSummary: string;
    form: string;
    recorded: string;
  },
): OpenApiRoute[] {
  const secret = {
    name: 't',
    in: 'query',
    required: true,
    description: `The link secret from the ${link.email} email. Never logged.`,
    schema: { type: 'string' },
  };
  return [
    route('get', path, tag, link.page, {
      summary: link.pageSummary,
      description: link.pageDescription,
      parameters: [secret],
      responses: {
        '200': htmlBody(link.pageShows),
        '4XX': htmlBody('A forged, expired or already-used link: a page that says why. Nothing changes.'),
      },
    }),
    route('post', path, tag, link.post, {
      summary: link.postSummary,
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: ref(link.form) } },
      },
      responses: {
        '200': htmlBody(link.recorded),
        '202': htmlBody(
          'Step Functions did not take it just now and it could not be given back: it is kept with the task, and the recovery sweep delivers it within minutes. Do not submit it again.',
        ),
        '4XX': htmlBody(
          'Invalid fields (the form again, with messages), or a forged, expired or already-used link. Nothing changes.',
        ),
        '503': htmlBody('Step Functions did not take it just now: nothing was recorded; submit it again.'),
      },
    }),
  ];
}

const REGISTRY_SEARCH_PARAMETERS: Json[] = [
  optionalQuery(
    'q',
    'Word prefixes of the resource or vendor name (case, accents and punctuation aside); every word must match.',
    { type: 'string', maxLength: 100 },
  ),
  optionalQuery('status', 'Only resources with this status.', {
    type: 'string',
    enum: ['APPROVED', 'NOT_APPROVED'],
  }),
  optionalQuery('cursor', "The previous page's `next`: this page starts after it.", { type: 'string' }),
];

export const ROUTES: OpenApiRoute[] = [
  route('get', '/', 'requests', 'requestForm', {
    summary: 'The request form (every SOP step 2 field)',
    responses: {
      '200': htmlBody('The form; it posts application/x-www-form-urlencoded to /requests.'),
    },
  }),
  route('post', '/requests', 'requests', 'submitRequest', {
    summary: 'Submit a request (SOP steps 1–2)',
    description:
      "Validates every field, stores the request (status IN_REVIEW), starts the workflow named by the request id and emails the requester an acknowledgement with the status link. Invalid input stores nothing. A repeated submission — same Idempotency-Key, or without a key the identical request body — resolves to the same request and finishes whatever the first attempt did not. The requester's address must be on the district's domains (400 on requesterEmail), and submissions are limited per hour (429).",
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Makes retries safe: the same key with the same body returns the same request; with a different body, 422.',
        schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
      },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: ref('ResourceRequest') },
        'application/x-www-form-urlencoded': { schema: ref('ResourceRequestForm') },
      },
    },
    responses: {
      '200': jsonBody(ref('SubmitAccepted'), 'An idempotent replay: the request already existed.'),
      '201': {
        ...jsonBody(ref('SubmitAccepted'), 'Stored and started.'),
        headers: { Location: { description: 'The status link.', schema: STATUS_LINK } },
      },
      '303': {
        description: 'Form posts: redirect to the status page.',
        headers: { Location: { description: 'The status link.', schema: STATUS_LINK } },
      },
      '400': both(
        ref('FieldErrors'),
        'Invalid input, one message per field (form posts get the form again with the messages and their values). Nothing was stored.',
      ),
      '422': both(ref('FieldErrors'), 'The Idempotency-Key was already used for a different request.'),
      '429': {
        ...jsonBody(
          ref('Error'),
          'Too many submissions: over the requester\'s (or, without sign-in, the client address\'s) hourly limit, answered with Retry-After in seconds (form posts get the form again with the message); or over the route\'s throttle, answered by API Gateway as {"message": "Too Many Requests"} without Retry-After. Nothing was stored or sent.',
        ),
        headers: { 'Retry-After': { schema: { type: 'integer' } } },
      },
      '500': jsonBody(ref('Error'), 'Unexpected failure; no internals are shown.'),
      '503': {
        ...jsonBody(
          ref('SubmitIncomplete'),
          'A service was briefly unavailable. When requestId is present the request id is reserved: submit again (same Idempotency-Key, or the same body) to continue.',
        ),
        headers: { 'Retry-After': { schema: { type: 'integer' } } },
      },
    },
  }),
  route('get', '/requests/{requestId}', 'requests', 'getRequest', {
    summary: 'Where a request is in TS-PE-535',
    description:
      'The status, the SOP step it is at, why it was denied, and the timeline of what happened. The HTML page shows all 17 SOP steps and reloads every 20 s while the request is in review.',
    parameters: [
      {
        name: 'requestId',
        in: 'path',
        required: true,
        schema: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
      },
    ],
    responses: {
      '200': both(ref('RequestStatus'), 'The request.'),
      '400': both(ref('FieldErrors'), 'Not a request number.'),
      '404': both(ref('Error'), 'No such request.'),
    },
  }),
  ...emailedLink('/tasks/{taskId}', 'tasks', {
    email: 'task',
    page: 'taskPage',
    pageSummary: 'Confirmation page for a human step',
    pageDescription:
      'What is asked, the request id and facts, and a form. Never changes anything (mail scanners follow links).',
    pageShows: 'The task and its decision form.',
    post: 'recordDecision',
    postSummary: 'Record the decision of a human step',
    form: 'TaskDecisionForm',
    recorded: 'The decision is recorded in the audit trail and the workflow continues.',
  }),
  ...emailedLink('/replies/{replyId}', 'replies', {
    email: 'question',
    page: 'replyPage',
    pageSummary: 'A review question and the form to answer it (SOP 4)',
    pageDescription:
      'The question a review asked the requester or the vendor, and a form for the answer. Never changes anything.',
    pageShows: 'The question and the answer form.',
    post: 'recordAnswer',
    postSummary: 'Answer a review question',
    form: 'ReplyAnswerForm',
    recorded: 'The answer joins the audit trail and the asking team gets a new task link that shows it.',
  }),
  route('get', '/registry', 'registry', 'registry', {
    summary: 'Approved and not approved resources (staff transparency, SOP 6 and 16)',
    parameters: [
      ...REGISTRY_SEARCH_PARAMETERS,
      optionalQuery('prev', "The HTML page's Previous link: the cursor of the page before this one.", {
        type: 'string',
      }),
    ],
    responses: {
      '200': both(
        {
          type: 'object',
          required: ['items', 'next'],
          properties: {
            items: { type: 'array', items: ref('RegistryItem'), maxItems: 50 },
            next: {
              type: ['string', 'null'],
              description:
                'The cursor of the next page; null on the last. A page reads at most 100 items (search index and entries), so it may be short.',
            },
          },
        },
        'A page of the matching resources, by name (at most 50).',
      ),
      '400': both(
        ref('FieldErrors'),
        'The search text is longer than 100 characters, or the status or cursor is not valid.',
      ),
    },
  }),
  route('get', '/registry/{resourceId}', 'registry', 'registryResource', {
    summary: 'One resource: status, why, its requests, evidence (DPA, SSL grade) and next renewal',
    responses: {
      '200': both(ref('RegistryResource'), 'The resource.'),
      '404': both(ref('Error'), 'No resource with this id.'),
    },
  }),
  route('get', '/registry.csv', 'registry', 'registryExport', {
    summary: 'The list as CSV for the TXSPA upload (same columns as `npm run registry:import`)',
    parameters: REGISTRY_SEARCH_PARAMETERS,
    responses: {
      '200': {
        description:
          'resourceName, vendorName, url, status (Approved / Not Approved), decidedOn, dpaExpiresOn, notes. At most 240 KB; a `Link: <…>; rel="next"` header gives the rest of a longer list.',
        content: { 'text/csv': { schema: { type: 'string' } } },
      },
      '400': {
        description: 'The search, status or cursor is not valid.',
        content: { 'application/json': { schema: ref('FieldErrors') } },
      },
    },
  }),
];
