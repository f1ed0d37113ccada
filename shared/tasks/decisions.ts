/**
 * What a decider may submit for each human step (docs/design.md task table), validated with zod/mini and
 * turned into the exact SendTaskSuccess output the state machine reads (shared/workflow/payloads.ts).
 * The same field list drives the confirmation page, so the form and the validation cannot drift apart.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../core/errors.ts';
import { multiLineTextField, optionalTextField, TEXT_LIMITS, textField } from '../core/text/text-rules.ts';
import type {
  AnswerOutput,
  AskOutput,
  DecisionOutputBase,
  DpaSignatureOutput,
  LicenseOutput,
  ParsedDecision,
  PrivacyReviewOutput,
  ProcurementOutput,
  ReplacementFields,
  ReplacementOutput,
  SettledStep,
  StoredDecision,
} from '../workflow/index.ts';
import {
  type AskingKind,
  type Decision,
  toBoolean as formBoolean,
  toCost as formNumber,
  isAskingKind,
  isReroutingKind,
  MAX_QUESTIONS_PER_REQUEST,
  MAX_WEBSITES,
  type ParseResult,
  parsePayload,
  parseWebsites,
  QUESTION_RECIPIENTS,
  type QuestionRecipient,
  RESOURCE_KINDS,
  resourceRequestSchema,
  TASK_KINDS,
  type TaskKind,
  toWorkflowResource,
} from '../workflow/index.ts';

/** Human labels for every outcome, as the radio buttons and emails show them. */
export const DECISION_LABELS: Record<Decision, string> = {
  acceptable: 'Acceptable: the privacy policy meets district standards',
  unacceptable: 'Unacceptable: the privacy policy does not meet district standards',
  signed: 'Signed: the vendor signed the student Data Privacy Agreement',
  refused: 'Refused: the vendor will not sign the Data Privacy Agreement',
  retest: 'Re-test now: the vendor says the SSL configuration is fixed',
  approve: 'Approve',
  deny: 'Deny',
  sound: 'Technically sound with district devices',
  'not-sound': 'Not technically sound with district devices',
  'replacement-found': 'A replacement resource was found',
  'no-replacement': 'No replacement resource could be found',
  'po-issued': 'Quote(s) received and purchase order issued',
  'license-stored': 'Licence(s) stored for compliance',
  installed: 'Installed on the requested setup(s)',
  ask: 'Ask a question first (answered through an emailed link)',
  reroute: 'Send to the other approval review (curriculum ↔ administrative)',
  answered: 'Answered',
};

/** Who answers, as the form and the emails name them. */
export const RECIPIENT_LABELS: Record<QuestionRecipient, string> = {
  requester: 'The requester',
  vendor: 'The vendor (its privacy contact, the email address above)',
};

/** Outcomes that stop or divert the request: the decider must say why. */
export const NEGATIVE_DECISIONS: ReadonlySet<string> = new Set([
  'unacceptable',
  'refused',
  'deny',
  'not-sound',
  'no-replacement',
  'reroute',
]);

export function isNegativeDecision(decision: string): boolean {
  return NEGATIVE_DECISIONS.has(decision);
}

export function decisionLabel(decision: string): string {
  return (DECISION_LABELS as Record<string, string>)[decision] ?? decision;
}

export type FieldType =
  | 'text'
  | 'email'
  | 'url'
  | 'date'
  | 'number'
  | 'integer'
  | 'yes-no'
  | 'choice'
  | 'secret'
  | 'long-text'
  /** A textarea, one value per line (the websites). */
  | 'lines';

/** One extra form field of a task kind. */
export interface ExtraField {
  name: string;
  label: string;
  type: FieldType;
  /** Required whenever it applies (see `onlyFor`). */
  required: boolean;
  /** The field applies only to this outcome (e.g. the DPA expiry only when signed). */
  onlyFor?: Decision;
  /** The field is not needed for these outcomes (e.g. asking a question before deciding). */
  notFor?: readonly Decision[];
  hint?: string;
  choices?: readonly string[];
  /** Shown in the empty form: the request's website link (the websites field). */
  prefill?: 'resource-url';
}

const whenFound = (field: Omit<ExtraField, 'onlyFor'>): ExtraField => ({
  ...field,
  onlyFor: 'replacement-found',
});

/** The question an `ask` decision sends, and to whom (SOP 4 "work with the vendor"). */
const questionFields = (kind: AskingKind): ExtraField[] => [
  {
    name: 'question',
    label: 'Your question',
    type: 'long-text',
    required: true,
    onlyFor: 'ask',
    hint: 'Emailed with a single-use reply link; this step waits for the answer (or its deadline), then comes back to you with a new link',
  },
  {
    name: 'recipient',
    label: 'Who should answer?',
    type: 'choice',
    required: true,
    onlyFor: 'ask',
    choices: QUESTION_RECIPIENTS[kind],
  },
];

const REPLACEMENT_FIELDS: readonly ExtraField[] = [
  whenFound({ name: 'resourceName', label: 'Name of resource', type: 'text', required: true }),
  whenFound({
    name: 'resourceUrl',
    label: 'Website link',
    type: 'url',
    required: false,
    hint: 'Required for a web service (the SSL test runs on it)',
  }),
  whenFound({
    name: 'resourceKind',
    label: 'Resource kind',
    type: 'choice',
    required: true,
    choices: RESOURCE_KINDS,
  }),
  whenFound({ name: 'vendorName', label: 'Vendor', type: 'text', required: true }),
  whenFound({ name: 'cost', label: 'Cost (USD, 0 if free)', type: 'number', required: true }),
  whenFound({
    name: 'studentDataShared',
    label: 'Is student data shared with the vendor?',
    type: 'yes-no',
    required: true,
  }),
];

export const EXTRA_FIELDS: Record<TaskKind, readonly ExtraField[]> = {
  'privacy-review': [
    {
      name: 'studentDataRequired',
      label: 'Is student data required for this resource?',
      type: 'yes-no',
      required: true,
      hint: 'Yes sends the student Data Privacy Agreement (DPA) to the vendor',
      notFor: ['ask'],
    },
    {
      name: 'vendorContactEmail',
      label: "Vendor's privacy contact email",
      type: 'email',
      required: true,
      hint: 'The DPA and any SSL notice go to this address (and a question, when the vendor is asked)',
      notFor: ['ask'],
    },
    {
      name: 'websites',
      label: 'Websites the resource uses (one address per line)',
      type: 'lines',
      required: false,
      prefill: 'resource-url',
      hint: `Prefilled with the request's link. Add the other hosts the resource uses (sign-in, API), at most ${MAX_WEBSITES}; clear it when no website is involved. Each one gets the SSL Labs test (SOP 5).`,
      notFor: ['ask'],
    },
    ...questionFields('privacy-review'),
  ],
  'ssl-remediation': [],
  'dpa-signature': [
    {
      name: 'dpaExpiresOn',
      label: 'The signed DPA expires on',
      type: 'date',
      required: true,
      onlyFor: 'signed',
    },
  ],
  'curriculum-review': questionFields('curriculum-review'),
  'administrative-review': questionFields('administrative-review'),
  'technical-review': questionFields('technical-review'),
  replacement: REPLACEMENT_FIELDS,
  procurement: [
    { name: 'poNumber', label: 'Purchase order (PO) number', type: 'text', required: true },
    { name: 'amount', label: 'PO amount (USD)', type: 'number', required: true },
    { name: 'quoteReference', label: 'Vendor quote reference', type: 'text', required: true },
  ],
  license: [
    { name: 'licenseReference', label: 'Licence reference', type: 'text', required: true },
    { name: 'seats', label: 'Number of seats', type: 'integer', required: true },
    { name: 'expiresOn', label: 'The licence expires on', type: 'date', required: true },
    {
      name: 'licenseKey',
      label: 'Licence key',
      type: 'secret',
      required: false,
      hint: 'Stored apart from the request; only its last 4 characters are shown afterwards',
    },
  ],
  installation: [],
  // The reply page (shared/tasks/pages/reply-page.ts) has its own form: the answer and the replier's name.
  answer: [],
};

/** Short keys would be given away by their last 4 characters: only keys of 8 or more show them. */
export const licenseKeyLast4 = (key: string | undefined): string | undefined =>
  key && key.length >= 8 ? key.slice(-4) : undefined;

/** The decision to keep on the task record: never the licence key itself. */
export function toStoredDecision(parsed: ParsedDecision): StoredDecision {
  const { licenseKey, ...rest } = parsed;
  const last4 = licenseKeyLast4(licenseKey);
  return {
    ...rest,
    ...(licenseKey ? { licenseKeyGiven: true as const } : {}),
    ...(last4 ? { licenseKeyLast4: last4 } : {}),
  } as StoredDecision;
}

export interface DecisionContext {
  /** ISO time of the decision; dates must be after its day. */
  decidedAt: string;
  /** A verified identity (SSO) replaces the form's "Your name". */
  verifiedIdentity?: string;
  /** Outcomes no longer offered for this request (the questions are used up, or it was re-routed). */
  withheld?: readonly string[];
  /** The request's website link: the websites when the privacy review's form did not send the field. */
  defaultWebsites?: string;
}

/** Why an outcome is withheld, for the form and the refusal. */
export const WITHHELD_REASONS: Record<string, string> = {
  ask: `No more questions can be asked for this request (at most ${MAX_QUESTIONS_PER_REQUEST}): decide with what you know`,
  reroute: 'This request was already sent to the other approval review once: decide it here',
};

/**
 * The websites box as text: absent means the prefill (the request's link), an empty box means no
 * website; a JSON list is one address per item.
 */
function websitesText(input: unknown, fallback: string | undefined): string {
  const raw =
    input && typeof input === 'object' && !Array.isArray(input)
      ? (input as Record<string, unknown>).websites
      : undefined;
  if (raw === undefined || raw === null) return fallback ?? '';
  if (Array.isArray(raw)) return raw.filter((v) => typeof v === 'string').join('\n');
  return typeof raw === 'string' ? raw : String(raw);
}

const websitesField = z.pipe(
  z.string().check(
    z.superRefine((value, ctx) => {
      const parsed = parseWebsites(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message, input: value });
    }),
  ),
  z.transform((value: string) => {
    const parsed = parseWebsites(value);
    return parsed.ok ? parsed.hosts : [];
  }),
);

// ---- field schemas -------------------------------------------------------------------------------

/** Every free-text field follows the one text rule (shared/core/text/text-rules.ts). */
const text = (label: string, max: number) => textField(label, max);

/** Form text → boolean ("yes"/"no"); JSON values pass as they are; the schema rejects the rest. */
const toBoolean = (value: unknown) => (typeof value === 'string' ? formBoolean(value) : value);
/** Form text → number ("1,200.50", "$30"); JSON values pass as they are; the schema rejects the rest. */
const toNumber = (value: unknown) => (typeof value === 'string' ? formNumber(value) : value);

const yesNo = (label: string) =>
  z.pipe(z.transform(toBoolean), z.boolean({ error: `${label}: choose yes or no` }));

const futureDate = (label: string, today: string) =>
  z.iso
    .date({ error: `${label} must be a date (YYYY-MM-DD)` })
    .check(z.refine((d) => d > today, `${label} must be a date in the future`));

const requestShape = resourceRequestSchema.shape;

// ---- parsing -------------------------------------------------------------------------------------

/** Form or JSON body → plain values: first of repeated fields, trimmed, empty boxes as absent. */
function normalise(input: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!input || typeof input !== 'object' || Array.isArray(input)) return out;
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed !== '') out[key] = trimmed;
    } else if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/**
 * Validates a decision for a task kind. On success the output is exactly the kind's SendTaskSuccess
 * payload; on failure one message per field, in form order.
 */
export function parseDecision(
  kind: TaskKind,
  input: unknown,
  context: DecisionContext,
): ParseResult<ParsedDecision> {
  const values = normalise(input);
  if (kind === 'privacy-review') values.websites = websitesText(input, context.defaultWebsites);
  const { outcomes } = TASK_KINDS[kind];
  const chosen = typeof values.decision === 'string' ? values.decision : '';
  const today = context.decidedAt.slice(0, 10);
  if (context.withheld?.includes(chosen)) {
    return {
      ok: false,
      errors: [{ field: 'decision', message: WITHHELD_REASONS[chosen] ?? 'This decision is not available' }],
    };
  }

  const base = {
    decision: z.enum(outcomes as readonly string[], {
      error: `Choose a decision (${[outcomes.slice(0, -1).join(', '), outcomes.at(-1)].filter(Boolean).join(' or ')})`,
    }),
    comment: isNegativeDecision(chosen)
      ? multiLineTextField('The comment', TEXT_LIMITS.longText, {
          required: 'Explain this decision in the comment',
        })
      : optionalTextField('The comment', TEXT_LIMITS.longText, { multiLine: true }),
    decidedBy: context.verifiedIdentity ? z.optional(z.unknown()) : text('Your name', TEXT_LIMITS.personName),
  };
  const schema = z.object({ ...base, ...extraShape(kind, chosen, today) });
  let data: Record<string, unknown>;
  try {
    data = parsePayload(
      kind === 'replacement' && chosen === 'replacement-found'
        ? schema.check(
            z.refine(
              (r: Record<string, unknown>) => r.resourceKind !== 'web-service' || r.resourceUrl !== undefined,
              { path: ['resourceUrl'], message: 'A web service needs its website link for the SSL test' },
            ),
          )
        : chosen === 'ask'
          ? schema.check(
              z.refine(
                (r: Record<string, unknown>) =>
                  r.recipient !== 'vendor' || r.vendorContactEmail !== undefined,
                {
                  path: ['vendorContactEmail'],
                  message: "A question to the vendor needs the vendor's privacy contact email",
                },
              ),
            )
          : schema,
      values,
    );
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, errors: error.errors };
    throw error;
  }
  const common: DecisionOutputBase = {
    decision: chosen,
    comment: typeof data.comment === 'string' ? data.comment : '',
    decidedBy: context.verifiedIdentity ?? String(data.decidedBy),
    decidedAt: context.decidedAt,
  };
  return { ok: true, value: toParsedDecision(kind, common, data) };
}

type Shape = Record<string, z.ZodMiniType>;

/** The kind's extra fields that apply to the chosen outcome. */
function extraShape(kind: TaskKind, decision: string, today: string): Shape {
  if (decision === 'ask' && isAskingKind(kind)) return questionShape(kind);
  switch (kind) {
    case 'answer':
      return {
        answer: multiLineTextField('Your answer', TEXT_LIMITS.longText, { required: 'Write your answer' }),
      };
    case 'privacy-review':
      return {
        studentDataRequired: yesNo('Is student data required'),
        vendorContactEmail: vendorEmail,
        websites: websitesField,
      };
    case 'dpa-signature':
      return decision === 'signed' ? { dpaExpiresOn: futureDate('The DPA expiry date', today) } : {};
    case 'procurement':
      return {
        poNumber: text('Purchase order number', TEXT_LIMITS.code),
        amount: z.pipe(
          z.transform(toNumber),
          z
            .number({ error: 'PO amount must be a number of US dollars' })
            .check(
              z.gte(0, 'PO amount cannot be negative'),
              z.lte(10_000_000, 'PO amount looks wrong: more than $10,000,000'),
            ),
        ),
        quoteReference: text('Vendor quote reference', TEXT_LIMITS.reference),
      };
    case 'license':
      return {
        licenseReference: text('Licence reference', TEXT_LIMITS.reference),
        seats: z.pipe(
          z.transform(toNumber),
          z
            .int({ error: 'Number of seats must be a whole number' })
            .check(
              z.gte(1, 'Number of seats must be at least 1'),
              z.lte(1_000_000, 'Number of seats looks wrong: more than 1,000,000'),
            ),
        ),
        expiresOn: futureDate('The licence expiry date', today),
        licenseKey: z.optional(text('Licence key', TEXT_LIMITS.secret)),
      };
    case 'replacement':
      if (decision !== 'replacement-found') return {};
      return {
        resourceName: requestShape.resourceName,
        resourceUrl: requestShape.resourceUrl,
        resourceKind: requestShape.resourceKind,
        vendorName: requestShape.vendorName,
        cost: z.pipe(z.transform(toNumber), requestShape.cost),
        studentDataShared: z.pipe(z.transform(toBoolean), requestShape.studentDataShared),
      };
    default:
      return {};
  }
}

const vendorEmail = z
  .string({ error: "Vendor's privacy contact email is required" })
  .check(
    z.toLowerCase(),
    z.email("Vendor's privacy contact email must be a valid email address"),
    z.maxLength(TEXT_LIMITS.email, "Vendor's privacy contact email is too long"),
  );

/** `ask`: the question and its recipient; the vendor (privacy review only) needs its email address. */
function questionShape(kind: AskingKind): Shape {
  const recipients = QUESTION_RECIPIENTS[kind];
  const only = recipients.length === 1 ? recipients[0] : undefined;
  return {
    question: multiLineTextField('Your question', TEXT_LIMITS.longText, { required: 'Write your question' }),
    recipient: z.pipe(
      // One possible recipient (every step but the privacy review): it need not be chosen.
      z.transform((value: unknown) => value ?? only),
      z.enum(recipients as readonly QuestionRecipient[], {
        error: `Choose who should answer (${recipients.join(' or ')})`,
      }),
    ),
    ...(kind === 'privacy-review' ? { vendorContactEmail: z.optional(vendorEmail) } : {}),
  };
}

const questionSchema = z.object({
  question: z.string(),
  recipient: z.enum(['requester', 'vendor']),
  vendorContactEmail: z.optional(z.string()),
});
const answerSchema = z.object({ answer: z.string() });

function toParsedDecision(
  kind: TaskKind,
  common: DecisionOutputBase,
  data: Record<string, unknown>,
): ParsedDecision {
  if (common.decision === 'ask' && isAskingKind(kind)) {
    const { question, recipient, vendorContactEmail } = questionSchema.parse(data);
    const output: AskOutput = {
      ...common,
      decision: 'ask',
      question,
      recipient,
      ...(recipient === 'vendor' && vendorContactEmail ? { vendorContactEmail } : {}),
    };
    return { kind, output, asks: true };
  }
  if (common.decision === 'reroute' && isReroutingKind(kind)) {
    return { kind, output: { ...common, decision: 'reroute' }, reroutes: true };
  }
  switch (kind) {
    case 'answer': {
      const output: AnswerOutput = {
        ...common,
        decision: 'answered',
        answer: answerSchema.parse(data).answer,
      };
      return { kind, output };
    }
    case 'privacy-review': {
      const output: PrivacyReviewOutput = {
        ...common,
        decision: common.decision as PrivacyReviewOutput['decision'],
        studentDataRequired: data.studentDataRequired as boolean,
        vendorContactEmail: data.vendorContactEmail as string,
        websites: data.websites as string[],
      };
      return { kind, output };
    }
    case 'dpa-signature': {
      const output: DpaSignatureOutput = {
        ...common,
        decision: common.decision as DpaSignatureOutput['decision'],
        ...(common.decision === 'signed' ? { dpaExpiresOn: data.dpaExpiresOn as string } : {}),
      };
      return { kind, output };
    }
    case 'procurement': {
      const output: ProcurementOutput = {
        ...common,
        decision: 'po-issued',
        poNumber: data.poNumber as string,
        amount: data.amount as number,
        quoteReference: data.quoteReference as string,
      };
      return { kind, output };
    }
    case 'license': {
      const output: LicenseOutput = {
        ...common,
        decision: 'license-stored',
        licenseReference: data.licenseReference as string,
        seats: data.seats as number,
        expiresOn: data.expiresOn as string,
      };
      const licenseKey = data.licenseKey as string | undefined;
      return licenseKey ? { kind, output, licenseKey } : { kind, output };
    }
    case 'replacement': {
      if (common.decision !== 'replacement-found') {
        return { kind, output: { ...common, decision: 'no-replacement' } satisfies ReplacementOutput };
      }
      const replacement: ReplacementFields = {
        resourceName: data.resourceName as string,
        ...(data.resourceUrl ? { resourceUrl: data.resourceUrl as string } : {}),
        resourceKind: data.resourceKind as ReplacementFields['resourceKind'],
        vendorName: data.vendorName as string,
        cost: data.cost as number,
        studentDataShared: data.studentDataShared as boolean,
      };
      const output: ReplacementOutput = {
        ...common,
        decision: 'replacement-found',
        resource: toWorkflowResource(replacement),
      };
      return { kind, output, replacement };
    }
    default:
      // The kinds with only the common fields (curriculum-review, installation, …).
      return { kind, output: common } as SettledStep;
  }
}
