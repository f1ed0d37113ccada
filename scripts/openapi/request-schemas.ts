/**
 * The request bodies of docs/openapi.json, from the code that validates them: the request body from
 * shared/workflow/request-schema.ts (z.toJSONSchema), field labels from the request form, task outcomes
 * from shared/workflow/task-kinds.ts and task form fields from shared/tasks/decisions/fields.ts.
 */
import * as z from 'zod/mini';
import { keysOf } from '#shared/core/guards.ts';
import { FORM_SECTIONS, LIST_HINT } from '#shared/requests/pages/request-form.ts';
import { EXTRA_FIELDS, type ExtraField } from '#shared/tasks/decisions/fields.ts';
import { resourceRequestSchema } from '#shared/workflow/request-schema.ts';
import { TASK_KINDS, TEAMS } from '#shared/workflow/task-kinds.ts';
import { descriptionOf, type Json, propertiesOf } from './common.ts';

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
  const { $schema: _drop, ...schema } = z.toJSONSchema(resourceRequestSchema, { io: 'input' });
  const docs = formFieldDocs();
  const properties = propertiesOf(schema);
  for (const [name, prop] of Object.entries(properties)) {
    const extra =
      name === 'studentDataElements' ? STUDENT_DATA_RULE : name === 'resourceUrl' ? WEBSITE_RULE : '';
    prop.description = sentences(docs.get(name) ?? name, extra);
  }
  properties.cost!.description = sentences(
    descriptionOf(properties.cost!),
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

/** The same request as the HTML form sends it: every value is text, coerced by shared/workflow/form-input.ts. */
export function resourceRequestFormSchema(json: Json): Json {
  const properties: Record<string, Json> = {};
  for (const [name, prop] of Object.entries(propertiesOf(json))) {
    const description = descriptionOf(prop);
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
/** The team steps: a question's reply (kind `answer`) has its own form on /replies/{replyId}. */
const teamKinds = () => Object.entries(TASK_KINDS).filter(([kind]) => kind !== 'answer');

export function taskDecisionFormSchema(): Json {
  const outcomes = [...new Set(teamKinds().flatMap(([, k]) => [...k.outcomes]))];
  const properties: Record<string, Json> = {
    t: {
      type: 'string',
      description:
        "The link secret from the task email. Checked against its stored hash; never logged. The page's form carries it as a hidden field.",
    },
    decision: {
      type: 'string',
      enum: outcomes,
      description: `The outcome; each task kind allows only its own: ${teamKinds()
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
        'Why; required for a negative outcome (unacceptable, refused, deny, not-sound, no-replacement) and for reroute.',
    },
    decidedBy: {
      type: 'string',
      maxLength: 120,
      description:
        'Who is deciding (the link goes to a team address). Ignored where SSO is configured: the verified identity is recorded instead.',
    },
  };
  const usedBy = new Map<string, string[]>();
  for (const kind of keysOf(EXTRA_FIELDS)) {
    const fields = EXTRA_FIELDS[kind];
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
    prop.description = sentences(descriptionOf(prop), `Task kinds: ${kinds.join('; ')}`);
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

/** POST /replies/{replyId}: the requester's or vendor's answer to a review's question (SOP 4). */
export function replyAnswerFormSchema(): Json {
  return {
    title: 'ReplyAnswerForm',
    type: 'object',
    description:
      'Accepted once per question (a conditional write), only before the reply link expires and only with the right secret.',
    properties: {
      t: {
        type: 'string',
        description:
          'The link secret from the question email. Checked against its stored hash; never logged.',
      },
      decision: { type: 'string', enum: ['answered'], description: 'Always "answered" (a hidden field).' },
      answer: { type: 'string', maxLength: 2000, description: 'The answer; the asking team sees it.' },
      decidedBy: { type: 'string', maxLength: 120, description: 'Who answers; recorded in the audit trail.' },
    },
    required: ['t', 'decision', 'answer', 'decidedBy'],
  };
}
