/**
 * The extra form fields of each task kind (docs/design.md task table). The task page draws its form
 * from this list and the schemas in field-schemas.ts validate the same fields, in the same order.
 */
import {
  type AskingKind,
  type Decision,
  MAX_POLICY_ADDRESSES,
  MAX_WEBSITES,
  QUESTION_RECIPIENTS,
  RESOURCE_KINDS,
  type TaskKind,
} from '../../workflow/index.ts';

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
    {
      name: 'privacyPolicyUrl',
      label: 'Privacy policy reviewed (one address per line)',
      type: 'lines',
      required: false,
      hint: `The policy pages you read, at most ${MAX_POLICY_ADDRESSES}: a copy of each is kept with the request as evidence, and watched for changes once approved.`,
      notFor: ['ask'],
    },
    {
      name: 'subprocessors',
      label: "Vendor's subprocessors (one per line)",
      type: 'lines',
      required: false,
      hint: 'As the vendor lists them; published on the public list of approved resources',
      notFor: ['ask'],
    },
    ...questionFields('privacy-review'),
  ],
  'ssl-remediation': [],
  'policy-change': [],
  'incident-review': [],
  'deletion-confirmation': [],
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
