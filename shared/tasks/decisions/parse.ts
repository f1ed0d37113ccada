/**
 * A decider's form or JSON body → the exact SendTaskSuccess output of the task kind (its schema in
 * shared/workflow/decision-outputs.ts), validated with the kind's field schemas (field-schemas.ts).
 * On failure, one message per field, in form order.
 */
import * as z from 'zod/mini';
import { ValidationError } from '../../core/errors.ts';
import { multiLineTextField, optionalTextField, TEXT_LIMITS, textField } from '../../core/text/text-rules.ts';
import {
  answerOutputSchema,
  askOutputSchema,
  type DecisionOutputBase,
  dpaSignatureOutputSchema,
  isAskingKind,
  isReroutingKind,
  licenseOutputSchema,
  type ParsedDecision,
  type ParseResult,
  parsePayload,
  policyChangeOutputSchema,
  privacyReviewOutputSchema,
  procurementOutputSchema,
  RESOURCE_KINDS,
  type StoredDecision,
  sslRemediationOutputSchema,
  TASK_KINDS,
  type TaskKind,
  toWorkflowResource,
} from '../../workflow/index.ts';
import { extraShape } from './field-schemas.ts';
import { isNegativeDecision, WITHHELD_REASONS } from './labels.ts';

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
  };
}

/**
 * The websites box as text: absent means the prefill (the request's link), an empty box means no
 * website; a JSON list is one address per item.
 */
function websitesText(input: unknown, fallback: string | undefined): string {
  const raw =
    input && typeof input === 'object' && !Array.isArray(input) && 'websites' in input
      ? input.websites
      : undefined;
  if (raw === undefined || raw === null) return fallback ?? '';
  if (Array.isArray(raw)) return raw.filter((v) => typeof v === 'string').join('\n');
  return typeof raw === 'string' ? raw : String(raw);
}

/** Form or JSON body → plain values: first of repeated fields, trimmed, empty boxes as absent. */
function normalise(input: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!input || typeof input !== 'object' || Array.isArray(input)) return out;
  const entries: [string, unknown][] = Object.entries(input);
  for (const [key, raw] of entries) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (typeof value === 'string') {
      const trimmed = value.trim();
      if (trimmed !== '') out[key] = trimmed;
    } else if (value !== undefined && value !== null) out[key] = value;
  }
  return out;
}

/** The outcomes of a kind as the form offers them, for the error message. */
const choices = (outcomes: readonly string[]) =>
  [outcomes.slice(0, -1).join(', '), outcomes.at(-1)].filter(Boolean).join(' or ');

/** The whole form's schema for a kind and its chosen outcome, with the checks across fields. */
function formSchema(kind: TaskKind, chosen: string, context: DecisionContext) {
  const { outcomes } = TASK_KINDS[kind];
  const schema = z.object({
    decision: z.enum(outcomes, { error: `Choose a decision (${choices(outcomes)})` }),
    comment: isNegativeDecision(chosen)
      ? multiLineTextField('The comment', TEXT_LIMITS.longText, {
          required: 'Explain this decision in the comment',
        })
      : optionalTextField('The comment', TEXT_LIMITS.longText, { multiLine: true }),
    decidedBy: context.verifiedIdentity
      ? z.optional(z.unknown())
      : textField('Your name', TEXT_LIMITS.personName),
    ...extraShape(kind, chosen, context.decidedAt.slice(0, 10)),
  });
  if (kind === 'replacement' && chosen === 'replacement-found') {
    return schema.check(
      z.refine(
        (r: Record<string, unknown>) => r.resourceKind !== 'web-service' || r.resourceUrl !== undefined,
        {
          path: ['resourceUrl'],
          message: 'A web service needs its website link for the SSL test',
        },
      ),
    );
  }
  if (chosen === 'ask') {
    return schema.check(
      z.refine(
        (r: Record<string, unknown>) => r.recipient !== 'vendor' || r.vendorContactEmail !== undefined,
        {
          path: ['vendorContactEmail'],
          message: "A question to the vendor needs the vendor's privacy contact email",
        },
      ),
    );
  }
  return schema;
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
  const chosen = typeof values.decision === 'string' ? values.decision : '';
  if (context.withheld?.includes(chosen)) {
    return {
      ok: false,
      errors: [{ field: 'decision', message: WITHHELD_REASONS[chosen] ?? 'This decision is not available' }],
    };
  }
  let data: Record<string, unknown>;
  try {
    data = parsePayload(formSchema(kind, chosen, context), values);
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

/** What a license decision gives apart from its output: the key, stored on its own. */
const licenseKeySchema = z.object({ licenseKey: z.optional(z.string()) });
/** The replacement resource, as the requester's fields (already validated by the form schema). */
const replacementSchema = z.object({
  resourceName: z.string(),
  resourceUrl: z.optional(z.string()),
  resourceKind: z.enum(RESOURCE_KINDS),
  vendorName: z.string(),
  cost: z.number(),
  studentDataShared: z.boolean(),
});

/**
 * The validated form values as the kind's typed decision. Each output schema keeps exactly its own
 * fields (the licence key never reaches the output); the values were checked by the form schema, so
 * these parses only carry their types.
 */
function toParsedDecision(
  kind: TaskKind,
  common: DecisionOutputBase,
  data: Record<string, unknown>,
): ParsedDecision {
  const fields = { ...data, ...common };
  if (common.decision === 'ask' && isAskingKind(kind)) {
    const { vendorContactEmail, ...asked } = askOutputSchema.parse(fields);
    const output = {
      ...asked,
      ...(asked.recipient === 'vendor' && vendorContactEmail ? { vendorContactEmail } : {}),
    };
    return { kind, output, asks: true };
  }
  if (common.decision === 'reroute' && isReroutingKind(kind)) {
    return { kind, output: { ...common, decision: 'reroute' }, reroutes: true };
  }
  switch (kind) {
    case 'answer':
      return { kind, output: answerOutputSchema.parse({ ...fields, decision: 'answered' }) };
    case 'privacy-review':
      // The form's field is `privacyPolicyUrl` (docs/design.md); the decision keeps the parsed list.
      return {
        kind,
        output: privacyReviewOutputSchema.parse({ ...fields, privacyPolicyUrls: data.privacyPolicyUrl }),
      };
    case 'dpa-signature':
      return { kind, output: dpaSignatureOutputSchema.parse(fields) };
    case 'procurement':
      return { kind, output: procurementOutputSchema.parse(fields) };
    case 'license': {
      const output = licenseOutputSchema.parse(fields);
      const { licenseKey } = licenseKeySchema.parse(data);
      return licenseKey ? { kind, output, licenseKey } : { kind, output };
    }
    case 'replacement': {
      if (common.decision !== 'replacement-found') {
        return { kind, output: { ...common, decision: 'no-replacement' } };
      }
      const replacement = replacementSchema.parse(data);
      const output = {
        ...common,
        decision: 'replacement-found' as const,
        resource: toWorkflowResource(replacement),
      };
      return { kind, output, replacement };
    }
    case 'ssl-remediation':
      return { kind, output: sslRemediationOutputSchema.parse(fields) };
    case 'policy-change':
      return { kind, output: policyChangeOutputSchema.parse(fields) };
    // The kinds with only the common fields: one case each, so that each keeps its own kind.
    case 'curriculum-review':
      return { kind, output: common };
    case 'administrative-review':
      return { kind, output: common };
    case 'technical-review':
      return { kind, output: common };
    case 'installation':
      return { kind, output: common };
    case 'incident-review':
      return { kind, output: common };
    case 'deletion-confirmation':
      return { kind, output: common };
  }
}
