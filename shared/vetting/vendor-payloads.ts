/**
 * The payloads of the steps that email a vendor contact (send-dpa, notify-vendor-ssl), one schema
 * each, parsed by parsePayload: a request id and the contact's address (from the privacy review),
 * plus each step's own fields. A payload that is not an object reports each missing field.
 */
import * as z from 'zod/mini';
import { isEmailAddress } from '../core/text/email-address.ts';
import { lenientObject, requiredText } from '../workflow/index.ts';

const vendorContact = {
  requestId: requiredText('is required'),
  vendorContactEmail: requiredText('is required').check(
    z.refine(isEmailAddress, 'must be a valid email address'),
  ),
};

export const sendDpaPayload = lenientObject({
  ...vendorContact,
  renewal: z.optional(z.boolean({ error: 'must be true or false' })),
});

export const sslNoticePayload = lenientObject({
  ...vendorContact,
  reason: requiredText('is required (why the SSL grade is substandard)'),
  grade: z.optional(z.nullable(z.string({ error: 'must be an SSL Labs grade such as B' }))),
  executionId: z.optional(z.string({ error: 'must be the execution id' })),
  scanStartedAt: z.optional(z.string({ error: 'must be the scan start time' })),
});
