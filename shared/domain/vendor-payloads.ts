/**
 * The payloads of the steps that email a vendor contact (send-dpa, notify-vendor-ssl), one schema
 * each, parsed by parsePayload: a request id and the contact's address (from the privacy review),
 * plus each step's own fields. A payload that is not an object reports each missing field.
 */
import * as z from 'zod/mini';
import { isEmailAddress } from './email-address.ts';

const required = (message: string) => z.string({ error: message }).check(z.trim(), z.minLength(1, message));

const asObject = (input: unknown) => (input && typeof input === 'object' ? input : {});

const vendorContact = {
  requestId: required('is required'),
  vendorContactEmail: required('is required').check(
    z.refine(isEmailAddress, 'must be a valid email address'),
  ),
};

export const sendDpaPayload = z.pipe(
  z.transform(asObject),
  z.object({
    ...vendorContact,
    renewal: z.optional(z.boolean({ error: 'must be true or false' })),
  }),
);

export const sslNoticePayload = z.pipe(
  z.transform(asObject),
  z.object({
    ...vendorContact,
    reason: required('is required (why the SSL grade is substandard)'),
    grade: z.optional(z.nullable(z.string({ error: 'must be an SSL Labs grade such as B' }))),
  }),
);
