/**
 * Builds docs/openapi.json (OpenAPI 3.1) from the code that serves the API, so the document cannot
 * drift from it: the request body from shared/domain/request-schema.ts (z.toJSONSchema), field labels
 * from the request form, task outcomes from shared/domain/task-kinds.ts and task form fields from
 * shared/domain/decisions.ts. test/unit/openapi.test.ts fails when the checked-in file is stale.
 *
 *   npm run openapi      # rewrites docs/openapi.json
 *
 * Key order is the order this builder (and z.toJSONSchema) inserts keys in: deterministic, and it keeps
 * the fields in form order.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as z from 'zod/mini';
import { EXTRA_FIELDS, type ExtraField } from '#shared/domain/decisions.ts';
import { REQUEST_ID_PATTERN } from '#shared/domain/request-id.ts';
import { resourceRequestSchema } from '#shared/domain/request-schema.ts';
import { IDEMPOTENCY_KEY_PATTERN } from '#shared/domain/submission.ts';
import { TASK_KINDS, type TaskKind, TEAMS } from '#shared/domain/task-kinds.ts';
import { SOP_STEPS } from '#shared/domain/timeline.ts';
import { FORM_SECTIONS, LIST_HINT } from '#shared/pages/request-form.ts';

type Json = Record<string, unknown>;

export const OPENAPI_PATH = fileURLToPath(new URL('../docs/openapi.json', import.meta.url));

const STUDENT_DATA_RULE =
  'Required when `studentDataShared` is true: list which student data elements are shared.';
const WEBSITE_RULE =
  'Required when `resourceKind` is "web-service" (its website gets the Qualys SSL Server Test, SOP step 5); give it too for any resource that uses a website.';

/** "Label" + "hint" as sentences. */
function sentences(...parts: (string | undefined)[]): string {
  return parts
    .filter((p): p is string => Boolean(p?.trim()))
    .map((p) => p.trim().replace(/\s+/g, ' '))
    .map((p) => (/[.?!]$/.test(p) ? p : `${p}.`))
    .join(' ');
}

/** Field labels and hints as the request form shows them (without the form's list-typing hint). */
function formFieldDocs(): Map<string, string> {
  const docs = new Map<string, string>();
  for (const section of FORM_SECTIONS)
    for (const f of section.fields) docs.set(f.name, sentences(f.label, f.hint?.replace(LIST_HINT, '')));
  return docs;
}

/** A JSON Schema conditional (a `then` key, which linters otherwise take for a thenable). */
function ifThen(condition: Json, consequence: Json): Json {
  return Object.fromEntries([
    ['if', condition],
    ['then', consequence],
  ]);
}

/** The SOP step 2 request as JSON: the zod schema, plus the two cross-field rules zod keeps in refinements. */
export function resourceRequestJsonSchema(): Json {
  const { $schema: _drop, ...schema } = z.toJSONSchema(resourceRequestSchema, { io: 'input' }) as Json;
  const docs = formFieldDocs();
  const properties = schema.properties as Record<string, Json>;
  for (const [name, prop] of Object.entries(properties)) {
    const extra =
      name === 'studentDataElements' ? STUDENT_DATA_RULE : name === 'resourceUrl' ? WEBSITE_RULE : '';
    prop.description = sentences(docs.get(name) ?? name, extra);
  }
  properties.cost!.description = sentences(
    properties.cost!.description as string,
    'SOP step 12: a free resource skips procurement',
  );
  return {
    title: 'ResourceRequest',
    description: [
      'Everything SOP step 2 requires of a digital-resource request. Text is trimmed; the email is lower-cased; unknown fields are ignored.',
      `Conditional rules: studentDataElements — ${STUDENT_DATA_RULE} resourceUrl — ${WEBSITE_RULE}`,
    ].join('\n\n'),
    ...schema,
    allOf: [
      ifThen(
        { properties: { studentDataShared: { const: true } }, required: ['studentDataShared'] },
        { required: ['studentDataElements'] },
      ),
      ifThen(
        { properties: { resourceKind: { const: 'web-service' } }, required: ['resourceKind'] },
        { required: ['resourceUrl'] },
      ),
    ],
  };
}

/** The same request as the HTML form sends it: every value is text, coerced by shared/domain/form-input.ts. */
export function resourceRequestFormSchema(json: Json): Json {
  const properties: Record<string, Json> = {};
  for (const [name, prop] of Object.entries(json.properties as Record<string, Json>)) {
    const description = prop.description as string;
    if (prop.type === 'boolean') {
      properties[name] = {
        type: 'string',
        enum: ['yes', 'no'],
        description: sentences(description, '"true", "false" and "on" are accepted too'),
      };
    } else if (prop.type === 'array') {
      properties[name] = {
        type: 'string',
        description: sentences(description, 'Items separated by commas or new lines'),
      };
    } else if (prop.type === 'number') {
      properties[name] = { type: 'string', examples: ['0', '1200.50', '$1,200.50'], description };
    } else {
      properties[name] = { ...prop };
    }
  }
  return {
    title: 'ResourceRequestForm',
    description:
      'The request form (GET /) posts these fields. Empty optional fields count as not given; the same validation and conditional rules as ResourceRequest apply.',
    type: 'object',
    properties,
    required: json.required,
  };
}

function extraFieldSchema(field: ExtraField): Json {
  const base: Json = (() => {
    switch (field.type) {
      case 'email':
        return { type: 'string', format: 'email' };
      case 'url':
        return { type: 'string', format: 'uri' };
      case 'date':
        return { type: 'string', format: 'date' };
      case 'number':
        return { type: 'number' };
      case 'integer':
        return { type: 'integer' };
      case 'yes-no':
        return { type: 'string', enum: ['yes', 'no'] };
      case 'choice':
        return { type: 'string', enum: [...(field.choices ?? [])] };
      case 'secret':
        return { type: 'string', writeOnly: true };
      default:
        return { type: 'string' };
    }
  })();
  return base;
}

/** POST /tasks/{taskId}: the common fields plus every task kind's extra fields, documented per kind. */
export function taskDecisionFormSchema(): Json {
  const outcomes = [...new Set(Object.values(TASK_KINDS).flatMap((k) => [...k.outcomes]))];
  const properties: Record<string, Json> = {
    t: {
      type: 'string',
      description:
        "The link secret from the task email. Checked against its stored hash; never logged. The page's form carries it as a hidden field.",
    },
    decision: {
      type: 'string',
      enum: outcomes,
      description: `The outcome; each task kind allows only its own: ${Object.entries(TASK_KINDS)
        .map(
          ([kind, spec]) =>
            `${kind} (SOP ${spec.sopStep}, ${TEAMS[spec.team]}): ${spec.outcomes.join(' | ')}`,
        )
        .join('; ')}.`,
    },
    comment: {
      type: 'string',
      maxLength: 2000,
      description:
        'Why; required for a negative outcome (unacceptable, refused, deny, not-sound, no-replacement).',
    },
    decidedBy: {
      type: 'string',
      maxLength: 120,
      description:
        'Who is deciding (the link goes to a team address). Ignored where SSO is configured: the verified identity is recorded instead.',
    },
  };
  const usedBy = new Map<string, string[]>();
  for (const [kind, fields] of Object.entries(EXTRA_FIELDS) as [TaskKind, readonly ExtraField[]][]) {
    for (const field of fields) {
      const when = field.onlyFor ? ` when decision is ${field.onlyFor}` : '';
      usedBy.set(field.name, [
        ...(usedBy.get(field.name) ?? []),
        `${kind}${when}${field.required ? ' (required)' : ' (optional)'}`,
      ]);
      properties[field.name] ??= {
        ...extraFieldSchema(field),
        description: sentences(field.label, field.hint),
      };
    }
  }
  for (const [name, kinds] of usedBy) {
    const prop = properties[name]!;
    prop.description = sentences(prop.description as string, `Task kinds: ${kinds.join('; ')}`);
  }
  return {
    title: 'TaskDecisionForm',
    type: 'object',
    description:
      'Accepted once per task (a conditional write), only before the link expires and only with the right secret.',
    properties,
    required: ['t', 'decision'],
  };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: Json, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const htmlBody = (description: string) => ({
  description,
  content: { 'text/html': { schema: { type: 'string' } } },
});
const both = (schema: Json, description: string) => ({
  description,
  content: { 'application/json': { schema }, 'text/html': { schema: { type: 'string' } } },
});

export function buildOpenApiDocument(): Json {
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Json)
    .version;
  const request = resourceRequestJsonSchema();
  const statusLink = {
    type: 'string',
    format: 'uri',
    examples: ['https://requests.example.org/requests/SR-20260901-7K3M9QXA'],
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Digital resource requests (TS-PE-535)',
      version,
      description:
        "The district's software and application approval procedure TS-PE-535. A teacher submits a request (SOP steps 1–2); a Step Functions execution named by the request id runs steps 3–17 with human tasks for Cybersecurity, Instructional Technology, DII and AAS. Browsers get HTML pages (Accept: text/html); API clients get JSON.",
    },
    tags: [
      { name: 'requests', description: 'SOP steps 1–2 and the status of every step' },
      { name: 'tasks', description: 'Human steps (SOP 4, 7–15): links emailed to the teams' },
      { name: 'registry', description: 'SOP 6 and 16: the staff transparency list' },
    ],
    paths: {
      '/': {
        get: {
          tags: ['requests'],
          operationId: 'requestForm',
          summary: 'The request form (every SOP step 2 field)',
          responses: {
            '200': htmlBody('The form; it posts application/x-www-form-urlencoded to /requests.'),
          },
        },
      },
      '/requests': {
        post: {
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
              headers: { Location: { description: 'The status link.', schema: statusLink } },
            },
            '303': {
              description: 'Form posts: redirect to the status page.',
              headers: { Location: { description: 'The status link.', schema: statusLink } },
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
      '/requests/{requestId}': {
        get: {
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
      '/tasks/{taskId}': {
        parameters: [{ name: 'taskId', in: 'path', required: true, schema: { type: 'string' } }],
        get: {
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
        post: {
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
      '/registry': {
        get: {
          tags: ['registry'],
          operationId: 'registry',
          summary: 'Approved and not approved resources (staff transparency, SOP 6 and 16)',
          parameters: [
            {
              name: 'q',
              in: 'query',
              required: false,
              description: 'Case-insensitive search in the resource name, vendor and website address.',
              schema: { type: 'string', maxLength: 100 },
            },
          ],
          responses: {
            '200': both({ type: 'array', items: ref('RegistryItem') }, 'The matching resources, by name.'),
            '400': both(ref('FieldErrors'), 'The search text is longer than 100 characters.'),
          },
        },
      },
    },
    components: {
      schemas: {
        ResourceRequest: request,
        ResourceRequestForm: resourceRequestFormSchema(request),
        SubmitAccepted: {
          type: 'object',
          properties: {
            requestId: { type: 'string', pattern: REQUEST_ID_PATTERN.source },
            status: { type: 'string', const: 'IN_REVIEW' },
            links: { type: 'object', properties: { status: statusLink }, required: ['status'] },
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
            timeline: { type: 'array', items: ref('TimelineEntry') },
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
            'timeline',
          ],
        },
        RegistryItem: {
          type: 'object',
          properties: {
            resourceName: { type: 'string' },
            url: { type: ['string', 'null'], format: 'uri' },
            vendorName: { type: 'string' },
            status: { type: 'string', enum: ['APPROVED', 'NOT_APPROVED'] },
            statusDate: { type: 'string', format: 'date-time' },
            reason: { type: ['string', 'null'], description: 'Why it is not approved.' },
            dpaExpiresOn: { type: ['string', 'null'], format: 'date' },
            sslGrade: { type: ['string', 'null'] },
            renewalDueOn: { type: ['string', 'null'], format: 'date', description: 'SOP 17 annual renewal.' },
            requestId: { type: 'string' },
          },
          required: [
            'resourceName',
            'url',
            'vendorName',
            'status',
            'statusDate',
            'reason',
            'dpaExpiresOn',
            'sslGrade',
            'renewalDueOn',
            'requestId',
          ],
        },
        TaskDecisionForm: taskDecisionFormSchema(),
      },
    },
  };
}

/** The file's exact text: pretty-printed, newline-terminated. */
export function renderOpenApi(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(OPENAPI_PATH, renderOpenApi());
  console.log(`Wrote ${OPENAPI_PATH}`);
}
