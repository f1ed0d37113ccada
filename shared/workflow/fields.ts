/**
 * The fields the state-machine payloads share, as zod/mini schemas (each step's schema is in
 * step-inputs.ts). Every message names its field: parsePayload (shared/core/validation.ts) reports
 * one per field.
 */

import * as z from 'zod/mini';

/** Request ids are execution names too (submit-request starts the execution with it). */
export const requestIdField = z
  .string({ error: 'requestId is required' })
  .check(
    z.trim(),
    z.minLength(1, 'requestId is required'),
    z.maxLength(80, 'requestId must be at most 80 characters'),
    z.regex(/^[A-Za-z0-9._-]+$/, 'requestId may contain only letters, digits, ".", "_" and "-"'),
  );

/** A string that must not be blank; trimmed. */
export const requiredText = (message: string) =>
  z.string({ error: message }).check(z.trim(), z.minLength(1, message));

/**
 * A payload schema for steps that report every missing field even when the payload is not an object
 * (it is read as {}). Its input type is the object's: anything else is refused, field by field.
 */
export const lenientObject = <T extends z.core.$ZodLooseShape>(shape: T) => {
  const fields = z.object(shape);
  return z.pipe(
    z.transform((input: z.input<typeof fields>) => (input && typeof input === 'object' ? input : {})),
    fields,
  );
};

export const sopStepField = z
  .int({ error: 'sopStep must be a whole SOP step number' })
  .check(z.gte(1, 'sopStep must be between 1 and 17'), z.lte(17, 'sopStep must be between 1 and 17'));

/** Why a request ended without approval (Pass states in the ASL build this). */
export const denialSchema = z.object(
  {
    sopStep: sopStepField,
    reason: z
      .string({ error: 'denial.reason is required' })
      .check(
        z.trim(),
        z.minLength(1, 'denial.reason is required'),
        z.maxLength(1000, 'denial.reason is too long'),
      ),
    /** The decider's comment, when a person denied it. */
    comment: z.optional(
      z.string({ error: 'denial.comment must be text' }).check(z.trim(), z.maxLength(2000, 'too long')),
    ),
  },
  { error: 'denial must be an object with sopStep and reason' },
);
export type Denial = z.output<typeof denialSchema>;
