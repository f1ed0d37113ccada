/**
 * The evidence, audit and public routes (docs/design.md "Evidence", "Public page"): the vendor's upload
 * link, documents for staff, the audit record (with sign-in: Technology Services and the auditors),
 * and the public list of approved resources (no sign-in).
 */
import { htmlBody, type Json, jsonBody, ref } from './common.ts';
import type { OpenApiRoute } from './routes.ts';

const path = (name: string, description: string): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
const secret: Json = {
  name: 't',
  in: 'query',
  required: true,
  description: "The link's secret, as emailed.",
  schema: { type: 'string' },
};
const csv = (description: string) => ({
  description,
  content: { 'text/csv': { schema: { type: 'string' } } },
});

const EVENT: Json = {
  type: 'object',
  required: ['at', 'step', 'type', 'summary', 'actor'],
  properties: {
    at: { type: 'string' },
    step: { type: 'integer', description: 'SOP step' },
    type: { type: 'string' },
    summary: { type: 'string' },
    actor: {
      type: 'object',
      properties: {
        name: { type: 'string' },
        email: { type: ['string', 'null'] },
        sub: { type: ['string', 'null'] },
        via: { type: 'string', enum: ['sso', 'link', 'vendor-link', 'workflow'] },
      },
    },
    decision: { type: 'string' },
    comment: { type: 'string' },
    question: { type: 'string' },
    answer: { type: 'string' },
    evidence: {
      type: 'object',
      properties: { documentId: { type: 'string' }, sha256: { type: 'string' }, url: { type: 'string' } },
    },
  },
};

const EVIDENCE: Json = {
  type: 'object',
  properties: {
    kind: { type: 'string', enum: ['dpa', 'privacy-policy', 'ssl-report', 'deletion-certificate'] },
    documentId: { type: 'string' },
    sha256: { type: 'string', description: 'Hex SHA-256 of the kept bytes' },
    capturedAt: { type: 'string' },
    url: { type: 'string', description: '/documents/{documentId}' },
  },
};

const AUDIT: Json = {
  type: 'object',
  required: ['requestId', 'events', 'evidence'],
  properties: {
    requestId: { type: 'string' },
    resourceName: { type: 'string' },
    vendorName: { type: 'string' },
    status: { type: 'string' },
    events: { type: 'array', items: EVENT },
    evidence: { type: 'array', items: EVIDENCE },
    ssl: { type: 'array', items: { type: 'object' } },
  },
};

const strings = { type: 'array', items: { type: 'string' } };
const PUBLIC_LIST: Json = {
  type: 'object',
  required: ['items', 'incidents'],
  properties: {
    generatedAt: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          resourceId: { type: 'string' },
          resourceName: { type: 'string' },
          vendorName: { type: 'string' },
          purpose: { type: ['string', 'null'] },
          gradeLevels: strings,
          contentAreas: strings,
          dataElements: strings,
          subprocessors: strings,
          dpa: {
            type: 'object',
            properties: {
              signedOn: { type: ['string', 'null'] },
              expiresOn: { type: ['string', 'null'] },
              documentUrl: {
                type: ['string', 'null'],
                description: 'Only when cdk.json publishAgreements is true',
              },
            },
          },
          approvedOn: { type: 'string' },
          nextReviewOn: { type: ['string', 'null'] },
          deletion: { type: ['object', 'null'] },
        },
      },
    },
    incidents: { type: 'array', items: { type: 'object' } },
  },
};

const OVERSIGHT: Json = {
  '401': jsonBody(ref('Error'), 'Not signed in.'),
  '403': jsonBody(ref('Error'), 'Not Technology Services or an auditor.'),
  '404': jsonBody(ref('Error'), 'No such request, or the site runs with AUTH_MODE=link (no audit routes).'),
};

const UPLOAD_REFUSED: Json = {
  '403': htmlBody('The link is incomplete or was changed.'),
  '404': htmlBody('No such upload link.'),
  '409': htmlBody('A document was already received through this link.'),
  '410': htmlBody('The link expired (with the DPA wait).'),
};

const get = (p: string, tags: string[], operation: Json): OpenApiRoute => ({
  path: p,
  method: 'get',
  operation: { tags, ...operation },
});
const requestId = path('requestId', 'The request id (SR-YYYYMMDD-XXXXXXXX).');
const signedIn = [{ session: [] }, { bearer: [] }, {}];

export const EVIDENCE_ROUTES: OpenApiRoute[] = [
  get('/uploads/{uploadId}', ['evidence'], {
    operationId: 'uploadPage',
    summary: "The vendor's upload page: a form that posts the PDF straight to the document store",
    parameters: [path('uploadId', 'The upload link id.'), secret],
    responses: { '200': htmlBody('The form (multipart/form-data, file field last).'), ...UPLOAD_REFUSED },
  }),
  get('/uploads/{uploadId}/received', ['evidence'], {
    operationId: 'uploadReceived',
    summary: 'Where the document store sends the browser: checks the PDF, keeps it, claims the link',
    parameters: [
      path('uploadId', 'The upload link id.'),
      secret,
      {
        name: 'key',
        in: 'query',
        required: true,
        description: 'Added by the store.',
        schema: { type: 'string' },
      },
    ],
    responses: {
      '200': htmlBody('Received: the SHA-256 of the kept document.'),
      '400': htmlBody('No file arrived.'),
      '413': htmlBody('Larger than 10 MB.'),
      '415': htmlBody('Not a PDF (checked by content), or empty.'),
      ...UPLOAD_REFUSED,
    },
  }),
  get('/documents/{documentId}', ['evidence'], {
    operationId: 'document',
    summary: 'A kept document: 303 to a download address valid 5 minutes (signed-in staff)',
    parameters: [path('documentId', 'The document id.')],
    security: signedIn,
    responses: {
      '303': { description: 'To the download address.' },
      '401': jsonBody(ref('Error'), 'Not signed in.'),
      '403': jsonBody(ref('Error'), 'Not on a review team, Technology Services or the auditors.'),
      '404': jsonBody(ref('Error'), 'No such document.'),
    },
  }),
  get('/requests/{requestId}/audit', ['audit'], {
    operationId: 'auditRecord',
    summary: "A request's complete audit record",
    parameters: [requestId],
    security: signedIn,
    responses: { '200': jsonBody(AUDIT, 'Every event, the evidence, the SSL grades.'), ...OVERSIGHT },
  }),
  get('/requests/{requestId}/audit.html', ['audit'], {
    operationId: 'auditRecordPage',
    summary: 'The audit record, printable',
    parameters: [requestId],
    security: signedIn,
    responses: { '200': htmlBody('The page.'), ...OVERSIGHT },
  }),
  get('/audit/export.csv', ['audit'], {
    operationId: 'auditExport',
    summary: 'The decisions of a period, as CSV',
    parameters: [
      {
        name: 'from',
        in: 'query',
        required: false,
        description: 'First day (YYYY-MM-DD); default 29 days before `to`.',
        schema: { type: 'string' },
      },
      {
        name: 'to',
        in: 'query',
        required: false,
        description: 'Last day (YYYY-MM-DD); default today. At most 366 days.',
        schema: { type: 'string' },
      },
    ],
    security: signedIn,
    responses: {
      '200': csv('decidedAt, requestId, sopStep, kind, team, decision, decidedBy, assignedAt, taskId.'),
      '400': jsonBody(ref('FieldErrors'), 'A day is not YYYY-MM-DD, or the period is longer than 366 days.'),
      ...OVERSIGHT,
    },
  }),
  get('/public', ['public'], {
    operationId: 'publicPage',
    summary: 'The approved resources and the student data each receives, for parents (no sign-in)',
    responses: { '200': htmlBody('The page.') },
  }),
  get('/public.json', ['public'], {
    operationId: 'publicList',
    summary: 'The public list as JSON',
    responses: {
      '200': jsonBody(
        PUBLIC_LIST,
        'The list; never costs, budget codes, requesters, principals or comments.',
      ),
    },
  }),
  get('/public/agreements/{documentId}', ['public'], {
    operationId: 'publicAgreement',
    summary: 'A published agreement (cdk.json publishAgreements): 303 to a 5-minute download',
    parameters: [path('documentId', 'The document id the public list links.')],
    responses: {
      '303': { description: 'To the download address.' },
      '404': jsonBody(
        ref('Error'),
        'Not published: unknown, not a signed DPA, or the resource is not Approved now.',
      ),
    },
  }),
  get('/public.csv', ['public'], {
    operationId: 'publicCsv',
    summary: 'The public list as CSV',
    responses: { '200': csv('One row per approved resource.') },
  }),
];
