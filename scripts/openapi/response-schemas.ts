/** The answers' schemas of docs/openapi.json (components.schemas after the request bodies). */

import { SOP_STEPS } from '#shared/requests/timeline.ts';
import { REQUEST_ID_PATTERN } from '#shared/workflow/request-id.ts';
import { type Json, ref, STATUS_LINK } from './common.ts';

export const RESPONSE_SCHEMAS: Record<string, Json> = {
  SubmitAccepted: {
    type: 'object',
    properties: {
      requestId: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
      status: { type: 'string', const: 'IN_REVIEW' },
      links: { type: 'object', properties: { status: STATUS_LINK }, required: ['status'] },
    },
    required: ['requestId', 'status', 'links'],
  },
  SubmitIncomplete: {
    type: 'object',
    properties: {
      error: { type: 'string' },
      message: { type: 'string' },
      requestId: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
    },
    required: ['error', 'message'],
  },
  FieldErrors: {
    type: 'object',
    properties: {
      errors: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            field: { type: 'string', description: 'The field name, "Idempotency-Key", or "(body)".' },
            message: { type: 'string' },
          },
          required: ['field', 'message'],
        },
      },
    },
    required: ['errors'],
  },
  Error: {
    type: 'object',
    properties: { error: { type: 'string' }, message: { type: 'string' } },
    required: ['error', 'message'],
  },
  TimelineEntry: {
    type: 'object',
    properties: {
      at: { type: 'string', format: 'date-time' },
      sopStep: { type: 'integer', description: 'The TS-PE-535 step (1–17) the event belongs to.' },
      type: { type: 'string', examples: ['SUBMITTED', 'TASK_ASSIGNED', 'DECISION_RECORDED'] },
      summary: { type: 'string' },
    },
    required: ['at', 'sopStep', 'type', 'summary'],
  },
  RequestStatus: {
    type: 'object',
    properties: {
      requestId: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
      status: { type: 'string', enum: ['IN_REVIEW', 'APPROVED', 'DENIED', 'ERROR'] },
      currentStep: {
        type: 'integer',
        minimum: 1,
        maximum: 17,
        description: `The SOP step the request is at: ${SOP_STEPS.map((s) => `${s.step}. ${s.title}`).join('; ')}.`,
      },
      currentActivity: { type: 'string' },
      deniedAtStep: { type: ['integer', 'null'] },
      reason: { type: ['string', 'null'] },
      resourceName: {
        type: 'string',
        description: 'The resource under review now (differs after a replacement, SOP 11).',
      },
      submittedAt: { type: 'string', format: 'date-time' },
      updatedAt: { type: 'string', format: 'date-time' },
      renewal: {
        type: ['object', 'null'],
        description:
          'SOP 17, once approved: RENEWED (with the next due date), DUE (scheduled), IN_PROGRESS, or LAPSED (with the reason; the registry then says Not Approved).',
        properties: {
          status: { type: 'string', enum: ['RENEWED', 'DUE', 'IN_PROGRESS', 'LAPSED'] },
          dueOn: { type: ['string', 'null'], format: 'date' },
          lastRenewedAt: { type: ['string', 'null'], format: 'date-time' },
          reason: { type: ['string', 'null'] },
          renewedWith: {
            type: ['string', 'null'],
            description:
              'The request whose annual renewal this is, when this request reused its security vetting (one renewal per resource); its renewal is shown as it is now.',
          },
        },
        required: ['status', 'dueOn', 'lastRenewedAt', 'reason', 'renewedWith'],
      },
      reusedVetting: {
        type: ['object', 'null'],
        description:
          "SOP 3-6 satisfied by an earlier request's current vetting of the same resource: that request (status page /requests/{requestId}), the registry entry (/registry/{resourceId}) and the evidence reused.",
        properties: {
          requestId: { type: 'string' },
          resourceId: { type: 'string' },
          approvedAt: { type: 'string', format: 'date-time' },
          dpaExpiresOn: { type: ['string', 'null'], format: 'date' },
          sslGrade: { type: ['string', 'null'] },
          sslTestedAt: { type: ['string', 'null'], format: 'date-time' },
          websites: { type: 'array', items: { type: 'string' } },
        },
        required: [
          'requestId',
          'resourceId',
          'approvedAt',
          'dpaExpiresOn',
          'sslGrade',
          'sslTestedAt',
          'websites',
        ],
      },
      sslRemediation: {
        type: ['object', 'null'],
        description:
          'SOP 5-6, once the vendor was asked to improve the SSL grade: whether the request waits for the vendor, the grades seen, the re-tests (at most 5) and the end of the remediation window.',
        properties: {
          waiting: { type: 'boolean' },
          gradesSeen: { type: 'array', items: { type: 'string' } },
          retests: { type: 'integer', minimum: 0 },
          maxRetests: { type: 'integer' },
          windowEndsAt: { type: 'string', format: 'date-time' },
          hosts: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                host: { type: 'string' },
                grade: { type: ['string', 'null'] },
                passed: { type: 'boolean' },
              },
              required: ['host', 'grade', 'passed'],
            },
          },
        },
        required: ['waiting', 'gradesSeen', 'retests', 'maxRetests', 'windowEndsAt', 'hosts'],
      },
      timeline: { type: 'array', items: ref('TimelineEntry') },
      evidence: {
        type: 'array',
        description:
          'The documents kept for the request (signed DPA, reviewed privacy policy), each with its SHA-256; `url` opens for district staff only.',
        items: {
          type: 'object',
          properties: {
            kind: { type: 'string', enum: ['dpa', 'privacy-policy', 'ssl-report', 'deletion-certificate'] },
            documentId: { type: 'string' },
            sha256: { type: 'string' },
            capturedAt: { type: 'string', format: 'date-time' },
            url: { type: 'string' },
          },
          required: ['kind', 'documentId', 'sha256', 'capturedAt', 'url'],
        },
      },
    },
    required: [
      'requestId',
      'status',
      'currentStep',
      'currentActivity',
      'deniedAtStep',
      'reason',
      'resourceName',
      'submittedAt',
      'updatedAt',
      'renewal',
      'sslRemediation',
      'reusedVetting',
      'timeline',
      'evidence',
    ],
  },
  RegistryItem: {
    type: 'object',
    properties: {
      resourceId: {
        type: 'string',
        description:
          'The resource: vendor + name, case, accents and punctuation aside. GET /registry/{resourceId}.',
      },
      resourceName: { type: 'string' },
      url: { type: ['string', 'null'], format: 'uri' },
      vendorName: { type: 'string' },
      status: { type: 'string', enum: ['APPROVED', 'NOT_APPROVED'] },
      statusDate: { type: 'string', format: 'date-time', description: 'When it was decided.' },
      source: { type: 'string', enum: ['workflow', 'imported'] },
      reason: { type: ['string', 'null'], description: 'Why it is not approved.' },
      dpaExpiresOn: { type: ['string', 'null'], format: 'date' },
      sslGrade: { type: ['string', 'null'] },
      renewalDueOn: { type: ['string', 'null'], format: 'date', description: 'SOP 17 annual renewal.' },
      requestId: { type: ['string', 'null'], description: 'The deciding request; null when imported.' },
      notes: { type: ['string', 'null'], description: 'Notes of an imported entry.' },
    },
    required: [
      'resourceId',
      'resourceName',
      'url',
      'vendorName',
      'status',
      'statusDate',
      'source',
      'reason',
      'dpaExpiresOn',
      'sslGrade',
      'renewalDueOn',
      'requestId',
      'notes',
    ],
  },
  RegistryResource: {
    type: 'object',
    properties: {
      resourceId: { type: 'string' },
      resourceName: { type: 'string' },
      vendorName: { type: 'string' },
      url: { type: ['string', 'null'], format: 'uri' },
      hosts: { type: 'array', items: { type: 'string' } },
      status: { type: 'string', enum: ['APPROVED', 'NOT_APPROVED'] },
      statusDate: { type: 'string', format: 'date-time' },
      source: { type: 'string', enum: ['workflow', 'imported'] },
      why: {
        type: ['object', 'null'],
        properties: { sopStep: { type: ['integer', 'null'] }, reason: { type: 'string' } },
        required: ['sopStep', 'reason'],
      },
      requests: {
        type: 'array',
        items: {
          type: 'object',
          properties: { requestId: { type: 'string' }, statusPage: { type: 'string' } },
          required: ['requestId', 'statusPage'],
        },
      },
      evidence: {
        type: 'object',
        properties: {
          dpaOnFile: { type: 'boolean' },
          dpaExpiresOn: { type: ['string', 'null'], format: 'date' },
          sslGrade: { type: ['string', 'null'] },
          sslTestedAt: { type: ['string', 'null'], format: 'date-time' },
        },
        required: ['dpaOnFile', 'dpaExpiresOn', 'sslGrade', 'sslTestedAt'],
      },
      renewalDueOn: { type: ['string', 'null'], format: 'date' },
      notes: { type: ['string', 'null'] },
      currentVetting: {
        type: 'boolean',
        description:
          'Approved and its evidence (DPA expiry; for an imported entry, a decision within a year) in date.',
      },
    },
    required: [
      'resourceId',
      'resourceName',
      'vendorName',
      'url',
      'hosts',
      'status',
      'statusDate',
      'source',
      'why',
      'requests',
      'evidence',
      'renewalDueOn',
      'notes',
      'currentVetting',
    ],
  },
};
