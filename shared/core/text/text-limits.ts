/**
 * How long each kind of text may be, in characters (UTF-16 code units, as browsers count `maxlength`).
 * Kept apart from the zod rules (shared/core/text/text-rules.ts) so pages can read the limits without
 * bundling zod. Every field has one, so no request can outgrow a DynamoDB item (400 KB).
 */
export const TEXT_LIMITS = {
  personName: 120,
  name: 200,
  code: 60,
  reference: 120,
  listItem: 100,
  listItems: 30,
  shortText: 1000,
  longText: 2000,
  secret: 500,
  email: 254,
  /** The common browser limit for a URL. */
  url: 2048,
} as const;

const L = TEXT_LIMITS;

/** The longest value of each typed request field (SOP step 2): the schema and the form's `maxlength`. */
export const REQUEST_FIELD_LIMITS = {
  requesterName: L.personName,
  requesterEmail: L.email,
  resourceName: L.name,
  resourceUrl: L.url,
  vendorName: L.name,
  paymentResponsibility: L.name,
  budgetCode: L.code,
  principal: L.personName,
  studentUseVision: L.longText,
  commonCoreAlignment: L.shortText,
} as const;
