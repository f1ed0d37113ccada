/**
 * The zod/mini schemas of each task kind's form fields: form text in ("yes", "1,200.50", one
 * website per line), the values the state machine reads out. Messages name the field as the form does.
 */
import * as z from 'zod/mini';
import { multiLineTextField, optionalTextField, TEXT_LIMITS, textField } from '../../core/text/text-rules.ts';
import {
  type AskingKind,
  toBoolean as formBoolean,
  toCost as formNumber,
  isAskingKind,
  parseLines,
  parsePolicyAddresses,
  parseWebsites,
  QUESTION_RECIPIENTS,
  resourceRequestSchema,
  type TaskKind,
} from '../../workflow/index.ts';

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

/** A JSON list is accepted as the lines of the form's textarea. */
const asLines = (value: unknown) => (Array.isArray(value) ? value.join('\n') : value);

const policyAddressesField = z.pipe(
  z.transform(asLines),
  z.pipe(
    z.string({ error: 'Privacy policy reviewed: give the addresses as text, one per line' }).check(
      z.superRefine((value, ctx) => {
        const parsed = parsePolicyAddresses(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message, input: value });
      }),
    ),
    z.transform((value: string) => {
      const parsed = parsePolicyAddresses(value);
      return parsed.ok ? parsed.urls : [];
    }),
  ),
);

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

export type Shape = Record<string, z.ZodMiniType>;

/** The kind's extra fields that apply to the chosen outcome. */
export function extraShape(kind: TaskKind, decision: string, today: string): Shape {
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
        privacyPolicyUrl: z.optional(policyAddressesField),
        subprocessors: z.optional(
          z.pipe(
            optionalTextField("Vendor's subprocessors", TEXT_LIMITS.longText, { multiLine: true }),
            z.transform((value: string | undefined) => parseLines(value ?? '')),
          ),
        ),
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
      z.enum(recipients, {
        error: `Choose who should answer (${recipients.join(' or ')})`,
      }),
    ),
    ...(kind === 'privacy-review' ? { vendorContactEmail: z.optional(vendorEmail) } : {}),
  };
}
