/**
 * SOP step 2: everything a digital-resource request must include. This one schema validates the API
 * body and the HTML form, and generates docs/openapi.json, so the three cannot drift apart.
 * zod/mini keeps the submit Lambda small (~12 KB instead of ~450 KB for full zod).
 */

import * as z from 'zod/mini';
import type { FieldError } from '../core/errors.ts';
import { isRecord } from '../core/guards.ts';
import { REQUEST_FIELD_LIMITS, TEXT_LIMITS } from '../core/text/text-limits.ts';
import { multiLineTextField, textField, websiteUrlField } from '../core/text/text-rules.ts';

const L = TEXT_LIMITS;
const text = (label: string, max: number) => textField(label, max);

const F = REQUEST_FIELD_LIMITS;

/** `one` names a single item for the message, e.g. "Give at least one grade level". */
const list = (label: string, one: string) =>
  z
    .array(text(label, L.listItem), { error: `${label} must be a list` })
    .check(
      z.minLength(1, `Give at least one ${one}`),
      z.maxLength(L.listItems, `At most ${L.listItems} ${label.toLowerCase()}`),
    );

const yesNo = (label: string) => z.boolean({ error: `${label} must be yes or no` });

export const REQUEST_TYPES = ['instructional', 'administrative'] as const;
export const RESOURCE_KINDS = ['software', 'application', 'web-service'] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

export const resourceRequestSchema = z
  .object({
    requesterName: text('Your name', F.requesterName),
    requesterEmail: z
      .string({ error: 'Your email is required' })
      .check(
        z.trim(),
        z.toLowerCase(),
        z.email('Your email must be a valid email address'),
        z.maxLength(F.requesterEmail, `Your email must be at most ${F.requesterEmail} characters`),
      ),
    requestType: z.enum(REQUEST_TYPES, {
      error: 'Request type must be "instructional" (curriculum) or "administrative" (DII)',
    }),
    resourceName: text('Name of resource', F.resourceName),
    resourceUrl: z.optional(websiteUrlField('Website link')),
    resourceKind: z.enum(RESOURCE_KINDS, {
      error: 'Resource kind must be "software", "application" or "web-service"',
    }),
    vendorName: text('Vendor', F.vendorName),
    cost: z
      .number({ error: 'Cost must be a number of US dollars (0 if free)' })
      .check(
        z.gte(0, 'Cost cannot be negative'),
        z.lte(10_000_000, 'Cost looks wrong: more than $10,000,000'),
      ),
    paymentResponsibility: text('Payment responsibility', F.paymentResponsibility),
    budgetCode: text('Budget code', F.budgetCode),
    principal: text('Principal', F.principal),
    gradeLevels: list('Grade levels', 'grade level'),
    contentAreas: list('Content areas', 'content area'),
    mediaReleaseRequired: yesNo('Media release required'),
    teksAddressed: list('TEKS addressed', 'TEKS student expectation'),
    studentUseVision: multiLineTextField('Student use vision', F.studentUseVision),
    commonCoreAlignment: multiLineTextField('Common Core alignment', F.commonCoreAlignment),
    studentLoginRequired: yesNo('Student login required'),
    studentDataShared: yesNo('Student data shared'),
    studentDataElements: z.optional(list('Student data elements', 'student data element')),
  })
  .check(
    // `when` runs these cross-field rules even while other fields are still invalid, so the requester
    // sees every problem on the first submit instead of one round later.
    z.refine((r) => !r.studentDataShared || (r.studentDataElements?.length ?? 0) > 0, {
      path: ['studentDataElements'],
      message: 'List which student data elements are shared',
      when: (payload) => fieldsValid(payload, ['studentDataShared', 'studentDataElements']),
    }),
    z.refine((r) => r.resourceKind !== 'web-service' || r.resourceUrl !== undefined, {
      path: ['resourceUrl'],
      message: 'A web service needs its website link for the SSL test',
      when: (payload) => fieldsValid(payload, ['resourceKind', 'resourceUrl']),
    }),
  );

/** True when the object parsed and none of `fields` has an issue yet (the rule can read them safely). */
function fieldsValid(
  payload: { value: unknown; issues: readonly { path?: readonly PropertyKey[] }[] },
  fields: string[],
) {
  return (
    typeof payload.value === 'object' &&
    payload.value !== null &&
    !payload.issues.some((i) => fields.includes(String(i.path?.[0])) || (i.path?.length ?? 0) === 0)
  );
}

export type ResourceRequest = z.infer<typeof resourceRequestSchema>;

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Lists that only apply sometimes: an empty one means the same as leaving the field out. */
const OPTIONAL_LISTS = ['studentDataElements'] as const;

function withoutEmptyOptionalLists(input: unknown): unknown {
  if (!isRecord(input)) return input;
  const record = input;
  const empty = OPTIONAL_LISTS.filter((f) => {
    const list = record[f];
    return Array.isArray(list) && list.length === 0;
  });
  if (empty.length === 0) return input;
  const copy = { ...record };
  for (const f of empty) delete copy[f];
  return copy;
}

/** One message per field (the first problem found for it), in form order. */
export function parseResourceRequest(input: unknown): ParseResult<ResourceRequest> {
  const result = resourceRequestSchema.safeParse(withoutEmptyOptionalLists(input));
  if (result.success) return { ok: true, value: result.data };
  const byField = new Map<string, string>();
  for (const issue of result.error.issues) {
    const field = issue.path.length ? String(issue.path[0]) : '(body)';
    if (!byField.has(field)) byField.set(field, issue.message);
  }
  return { ok: false, errors: [...byField].map(([field, message]) => ({ field, message })) };
}

/**
 * The resource under review as the state machine carries it, as the flow needs it to choose branches
 * (validated where a Payload brings it back).
 */
export const workflowResourceSchema = z.object({
  name: text('resource.name', L.name),
  /** Present when the resource is, or needs, a website (SOP 5). */
  url: z.optional(websiteUrlField('resource.url')),
  usesWebsite: yesNo('resource.usesWebsite'),
  kind: z.enum(RESOURCE_KINDS, { error: 'resource.kind must be "software", "application" or "web-service"' }),
  vendorName: text('resource.vendorName', L.name),
  /** USD; 0 = free (SOP 12 skips procurement). */
  cost: z
    .number({ error: 'resource.cost must be a number' })
    .check(z.gte(0, 'resource.cost cannot be negative')),
  studentDataShared: yesNo('resource.studentDataShared'),
});
export type WorkflowResource = z.output<typeof workflowResourceSchema>;

/** The flags the state machine branches on (SOP 4, 5, 12, 14). */
export function toWorkflowResource(
  r: Pick<
    ResourceRequest,
    'resourceName' | 'resourceUrl' | 'resourceKind' | 'vendorName' | 'cost' | 'studentDataShared'
  >,
): WorkflowResource {
  return {
    name: r.resourceName,
    ...(r.resourceUrl ? { url: r.resourceUrl } : {}),
    usesWebsite: r.resourceUrl !== undefined,
    kind: r.resourceKind,
    vendorName: r.vendorName,
    cost: r.cost,
    studentDataShared: r.studentDataShared,
  };
}
