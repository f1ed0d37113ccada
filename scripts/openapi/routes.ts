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

const REGISTRY_SEARCH_PARAMETERS: Json[] = [
  {
    name: 'q',
    in: 'query',
    required: false,
    description:
      'Word prefixes of the resource or vendor name (case, accents and punctuation aside); every word must match.',
    schema: { type: 'string', maxLength: 100 },
  },
  {
    name: 'status',
    in: 'query',
    required: false,
    description: 'Only resources with this status.',
    schema: { type: 'string', enum: ['APPROVED', 'NOT_APPROVED'] },
  },
  {
    name: 'cursor',
    in: 'query',
    required: false,
    description: "The previous page's `next`: this page starts after it.",
    schema: { type: 'string' },
  },
];

export const ROUTES: OpenApiRoute[] = [
  {
    path: '/',
    method: 'get',
    operation: {
      tags: ['requests'],
      operationId: 'requestForm',
      summary: 'The request form (every SOP step 2 field)',
      responses: {
        '200': htmlBody('The form; it posts application/x-www-form-urlencoded to /requests.'),
      },
    },
  },
  {
    path: '/requests',
    method: 'post',
    operation: {
      tags: ['requests'],
      operationId: 'submitRequest',
      summary: 'Submit a request (SOP steps 1–2)',
      description:
        'Validates every field, stores the request (status IN_REVIEW), starts the workflow named by the request id and emails the requester an acknowledgement with the status link. Invalid input stores nothing. A repeated submission — same Idempotency-Key, or without a key the identical request body — resolves to the same request and finishes whatever the first attempt did not.',
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
        '500': jsonBody(ref('Error'), 'Unexpected failure; no internals are shown.'),
        '503': {
          ...jsonBody(
            ref('SubmitIncomplete'),
            'A service was briefly unavailable. When requestId is present the request id is reserved: submit again (same Idempotency-Key, or the same body) to continue.',
          ),
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
        },
      },
    },
  },
  {
    path: '/requests/{requestId}',
    method: 'get',
    operation: {
      tags: ['requests'],
      operationId: 'getRequest',
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
    },
  },
  {
    path: '/tasks/{taskId}',
    method: 'get',
    operation: {
      tags: ['tasks'],
      operationId: 'taskPage',
      summary: 'Confirmation page for a human step',
      description:
        'What is asked, the request id and facts, and a form. Never changes anything (mail scanners follow links).',
      parameters: [
        {
          name: 't',
          in: 'query',
          required: true,
          description: 'The link secret from the task email. Never logged.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': htmlBody('The task and its decision form.'),
        '4XX': htmlBody('A forged, expired or already-used link: a page that says why. Nothing changes.'),
      },
    },
  },
  {
    path: '/tasks/{taskId}',
    method: 'post',
    operation: {
      tags: ['tasks'],
      operationId: 'recordDecision',
      summary: 'Record the decision of a human step',
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: ref('TaskDecisionForm') } },
      },
      responses: {
        '200': htmlBody('The decision is recorded in the audit trail and the workflow continues.'),
        '4XX': htmlBody(
          'Invalid fields (the form again, with messages), or a forged, expired or already-used link. Nothing changes.',
        ),
      },
    },
  },
  {
    path: '/replies/{replyId}',
    method: 'get',
    operation: {
      tags: ['replies'],
      operationId: 'replyPage',
      summary: 'A review question and the form to answer it (SOP 4)',
      description:
        'The question a review asked the requester or the vendor, and a form for the answer. Never changes anything.',
      parameters: [
        {
          name: 't',
          in: 'query',
          required: true,
          description: 'The link secret from the question email. Never logged.',
          schema: { type: 'string' },
        },
      ],
      responses: {
        '200': htmlBody('The question and the answer form.'),
        '4XX': htmlBody('A forged, expired or already-used link: a page that says why. Nothing changes.'),
      },
    },
  },
  {
    path: '/replies/{replyId}',
    method: 'post',
    operation: {
      tags: ['replies'],
      operationId: 'recordAnswer',
      summary: 'Answer a review question',
      requestBody: {
        required: true,
        content: { 'application/x-www-form-urlencoded': { schema: ref('ReplyAnswerForm') } },
      },
      responses: {
        '200': htmlBody(
          'The answer joins the audit trail and the asking team gets a new task link that shows it.',
        ),
        '4XX': htmlBody(
          'Invalid fields (the form again, with messages), or a forged, expired or already-used link. Nothing changes.',
        ),
      },
    },
  },
  {
    path: '/registry',
    method: 'get',
    operation: {
      tags: ['registry'],
      operationId: 'registry',
      summary: 'Approved and not approved resources (staff transparency, SOP 6 and 16)',
      parameters: [
        ...REGISTRY_SEARCH_PARAMETERS,
        {
          name: 'prev',
          in: 'query',
          required: false,
          description: "The HTML page's Previous link: the cursor of the page before this one.",
          schema: { type: 'string' },
        },
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
    },
  },
  {
    path: '/registry/{resourceId}',
    method: 'get',
    operation: {
      tags: ['registry'],
      operationId: 'registryResource',
      summary: 'One resource: status, why, its requests, evidence (DPA, SSL grade) and next renewal',
      responses: {
        '200': both(ref('RegistryResource'), 'The resource.'),
        '404': both(ref('Error'), 'No resource with this id.'),
      },
    },
  },
  {
    path: '/registry.csv',
    method: 'get',
    operation: {
      tags: ['registry'],
      operationId: 'registryExport',
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
    },
  },
];
